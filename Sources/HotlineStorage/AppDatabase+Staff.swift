import Foundation
import GRDB

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

/// A staff account: `staff_users` table.
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

/// Why a staff account operation cannot be done.
public enum StaffError: Error, Sendable, Equatable, CustomStringConvertible {
    case loginTaken(String)
    case unknownLogin(String)
    case unknownToken(Int64)

    public var description: String {
        switch self {
        case let .loginTaken(l): "the login '\(l)' is taken"
        case let .unknownLogin(l): "no account '\(l)'"
        case let .unknownToken(id): "no token \(id)"
        }
    }
}

extension AppDatabase {
    public func addStaffUser(_ user: StaffUser) async throws -> StaffUser {
        try await writer.write { db in
            guard try StaffUser.filter(Column("login") == user.login).fetchCount(db) == 0 else { throw StaffError.loginTaken(user.login) }
            var u = user
            try u.insert(db)
            return u
        }
    }

    public func staffUsers() async throws -> [StaffUser] {
        try await reader.read { db in try StaffUser.order(Column("login")).fetchAll(db) }
    }

    public func staffUser(login: String) async throws -> StaffUser? {
        try await reader.read { db in try StaffUser.filter(Column("login") == login).fetchOne(db) }
    }

    /// Changes an account in one transaction (`change` sees the stored record).
    @discardableResult
    public func updateStaffUser(login: String, _ change: @Sendable @escaping (inout StaffUser) -> Void) async throws -> StaffUser {
        try await writer.write { db in
            guard var u = try StaffUser.filter(Column("login") == login).fetchOne(db) else { throw StaffError.unknownLogin(login) }
            change(&u)
            try u.update(db)
            return u
        }
    }

    public func addToken(_ token: APIToken) async throws -> APIToken {
        try await writer.write { db in
            var t = token
            try t.insert(db)
            return t
        }
    }

    public func tokens(userID: Int64) async throws -> [APIToken] {
        try await reader.read { db in try APIToken.filter(Column("user_id") == userID).order(Column("id")).fetchAll(db) }
    }

    public func revokeToken(id: Int64, now: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", arguments: [now, id])
            guard db.changesCount > 0 else { throw StaffError.unknownToken(id) }
        }
    }

    /// Revokes the token with this hash, if there is one.
    public func revokeToken(hash: String, now: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE token_hash = ?", arguments: [now, hash])
        }
    }

    /// The account a token hash belongs to, when the token is neither revoked nor expired and the
    /// account not disabled; notes the use (at most once a minute: every API request asks, and a
    /// write per request would queue behind intake for nothing).
    public func staffUser(tokenHash: String, now: Date) async throws -> StaffUser? {
        let found = try await reader.read { db -> (APIToken, StaffUser)? in
            guard let token = try APIToken.filter(Column("token_hash") == tokenHash).fetchOne(db), token.revokedAt == nil, token.expiresAt > now,
                  let user = try StaffUser.fetchOne(db, key: token.userId), user.disabledAt == nil else { return nil }
            return (token, user)
        }
        guard let (token, user) = found else { return nil }
        if token.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
            try await writer.write { db in try db.execute(sql: "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", arguments: [now, token.id]) }
        }
        return user
    }
}

// Stored as the text it always was (GRDB would otherwise store a Codable value as JSON).
extension StaffStudios: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { stored.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> StaffStudios? {
        String.fromDatabaseValue(dbValue).map(StaffStudios.init(stored:))
    }
}
