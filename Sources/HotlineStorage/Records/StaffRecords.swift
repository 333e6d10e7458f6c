import Foundation
import GRDB
import HotlineCore

/// What a staff account may do.
public enum StaffRole: String, Sendable, Codable, CaseIterable {
    /// Everything in their studios.
    case coordinator
    /// Everything in their studios.
    case liaison
    /// Their own cases.
    case member
    /// Read only, every studio.
    case auditor
}

/// The studios a staff account works in: every one (auditors), or some by id. Stored as it always
/// was: `*`, or the ids joined by commas.
public enum StaffStudios: Sendable, Equatable, Codable, CustomStringConvertible {
    case all
    case some([String])

    public init(stored: String) {
        self = stored == "*" ? .all : .some(stored.split(separator: ",").map(String.init))
    }

    public var stored: String {
        switch self {
        case .all: "*"
        case let .some(ids): ids.joined(separator: ",")
        }
    }

    public var description: String { stored }

    public func contains(_ studio: String) -> Bool {
        switch self {
        case .all: true
        case let .some(ids): ids.contains(studio)
        }
    }

    public init(from decoder: any Decoder) throws { self.init(stored: try decoder.singleValueContainer().decode(String.self)) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(stored)
    }
}

/// A staff account: `staff_users` table.
public struct StaffUser: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "staff_users"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var login: String
    public var name: String
    public var role: StaffRole
    public var studios: StaffStudios
    /// The roster id of a member's account.
    public var rosterId: String?
    public var passwordHash: String?
    public var failedLogins: Int
    public var lockedUntil: Date?
    public var disabledAt: Date?
    public var createdAt: Date

    public init(login: String, name: String, role: StaffRole, studios: StaffStudios, rosterId: String? = nil, createdAt: Date) {
        self.login = login
        self.name = name
        self.role = role
        self.studios = studios
        self.rosterId = rosterId
        self.failedLogins = 0
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// Whether the account may see `studio`.
    public func serves(_ studio: String) -> Bool { studios.contains(studio) }
}

/// An API token's record (the token itself is never stored).
public struct APIToken: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "api_tokens"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var userId: Int64
    public var tokenHash: String
    public var label: String?
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?
    public var lastUsedAt: Date?

    public init(userId: Int64, tokenHash: String, label: String?, createdAt: Date, expiresAt: Date) {
        self.userId = userId
        self.tokenHash = tokenHash
        self.label = label
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}


// Stored as the text it always was (GRDB would otherwise store a Codable value as JSON).
extension StaffStudios: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { stored.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> StaffStudios? {
        String.fromDatabaseValue(dbValue).map(StaffStudios.init(stored:))
    }
}
