import Crypto
import Foundation
import HotlineCore
import HotlineStorage
import HummingbirdBasicAuth
import HummingbirdBcrypt

/// Staff accounts for the admin side: who may use it, in which studios, proven by a password
/// (bcrypt) or an API token (random, shown once, kept as its SHA-256, with an expiry, revocable).
public struct StaffAccounts: Sendable {
    let deployment: Deployment, database: AppDatabase, clock: WallClock
    /// bcrypt's cost: 12 in service (≈ a quarter of a second per check on these cores).
    let cost: UInt8

        public init(_ parts: HotlineParts, cost: UInt8 = 12) {
        (deployment, database, clock, self.cost) = (parts.settings.deployment, parts.database, parts.clock, cost)
    }

    /// Failed logins in a row before an account is locked, and for how long.
    public static let maxFailedLogins = 5
    public static let lockSeconds: TimeInterval = 15 * 60
    public static let minPasswordLength = 10

    /// Why an account request is refused.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case badLogin(String)
        case unknownStudio(String)
        case memberNeedsRosterID
        case notOnRoster(String, studio: String)
        case weakPassword
        case staff(StaffError)

        public var description: String {
            switch self {
            case let .badLogin(l): "login '\(l)' must be 2–40 letters, digits, '.', '_' or '-'"
            case let .unknownStudio(s): "no studio '\(s)'"
            case .memberNeedsRosterID: "a member's account needs --member with their roster id (e.g. M3)"
            case let .notOnRoster(id, studio): "no \(id) on the roster of \(studio)"
            case .weakPassword: "a password needs at least \(StaffAccounts.minPasswordLength) characters"
            case let .staff(e): e.description
            }
        }
    }

    /// Adds an account. Auditors see every studio; the others the studios given (at least one).
    public func add(login: String, name: String, role: StaffRole, studios: [String], rosterID: String? = nil) async throws -> StaffUser {
        guard (2...40).contains(login.count), login.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-_".contains($0)) }) else {
            throw Problem.badLogin(login)
        }
        if role != .auditor {
            guard !studios.isEmpty else { throw Problem.unknownStudio("") }
            for s in studios where deployment.studio(id: s) == nil { throw Problem.unknownStudio(s) }
        }
        if role == .member {
            guard let rosterID else { throw Problem.memberNeedsRosterID }
            for s in studios where deployment.studio(id: s)?.person(rosterID) == nil { throw Problem.notOnRoster(rosterID, studio: s) }
        }
        let served: StaffStudios = role == .auditor ? .all : .some(studios)
        do {
            return try await database.addStaffUser(StaffUser(login: login, name: name, role: role, studios: served, rosterId: rosterID,
                                                                     createdAt: clock.now()))
        } catch let e as StaffError { throw Problem.staff(e) }
    }

    public func setPassword(login: String, password: String) async throws {
        guard password.count >= Self.minPasswordLength else { throw Problem.weakPassword }
        let hash = Bcrypt.hash(password, cost: cost)
        do {
            try await database.updateStaffUser(login: login) { u in
                u.passwordHash = hash
                u.failedLogins = 0
                u.lockedUntil = nil
            }
        } catch let e as StaffError { throw Problem.staff(e) }
    }

    /// Disables an account: its tokens and password stop working at once.
    public func disable(login: String) async throws {
        let now = clock.now()
        do { try await database.updateStaffUser(login: login) { $0.disabledAt = $0.disabledAt ?? now } } catch let e as StaffError { throw Problem.staff(e) }
    }

    /// A new token for the account: the token itself (shown once) and its record.
    public func issueToken(login: String, days: Int = 90, label: String? = nil) async throws -> (token: String, record: APIToken) {
        try await issueToken(login: login, lifetime: Double(days) * 86_400, label: label)
    }

    /// A new token that lasts `lifetime` seconds (a dashboard session's is hours).
    public func issueToken(login: String, lifetime: TimeInterval, label: String?) async throws -> (token: String, record: APIToken) {
        guard let user = try await database.staffUser(login: login) else { throw Problem.staff(.unknownLogin(login)) }
        var bytes = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = rng.next() }
        let token = "hl_" + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let now = clock.now()
        let record = try await database.addToken(APIToken(userId: user.id!, tokenHash: Self.hash(token), label: label, createdAt: now,
                                                                  expiresAt: now.addingTimeInterval(lifetime)))
        return (token, record)
    }

    /// SHA-256 of a token, hex: what is stored and looked up (tokens carry 256 random bits, so a
    /// fast hash is enough; passwords get bcrypt).
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).lowercaseHex
    }

    /// The account a bearer token proves, if any.
    public func authenticate(token: String) async throws -> StaffUser? {
        guard token.hasPrefix("hl_"), token.count < 100 else { return nil }
        return try await database.staffUser(tokenHash: Self.hash(token), now: clock.now())
    }

    /// Ends a token's life now (a dashboard session's logout); unknown tokens are ignored.
    public func revoke(token: String) async throws {
        try await database.revokeToken(hash: Self.hash(token), now: clock.now())
    }

    /// What a refused login is told, whether the login is unknown, the password wrong or the account locked.
    public static let refusal = "wrong login or password, or the account is locked after repeated failures"

    public enum LoginResult: Sendable, Equatable {
        case ok(StaffUser)
        /// Wrong login or password (the same answer for both).
        case refused
        case locked(until: Date)
    }

    /// Checks a password; after `maxFailedLogins` failures in a row the account is locked for `lockSeconds`.
    public func login(_ login: String, password: String) async throws -> LoginResult {
        let now = clock.now()
        guard let user = try await database.staffUser(login: login), user.disabledAt == nil, let hash = user.passwordHash else {
            // The same work as a real check, so that timing tells no one which logins exist.
            _ = try await Self.verifier.verifyPassword(password, createsHash: Self.dummyHash)
            return .refused
        }
        if let until = user.lockedUntil, until > now {
            // The same work as any other check: a locked account answers as slowly as an unknown one.
            _ = try await Self.verifier.verifyPassword(password, createsHash: hash)
            return .locked(until: until)
        }
        if try await Self.verifier.verifyPassword(password, createsHash: hash) {
            try await database.updateStaffUser(login: login) { $0.failedLogins = 0; $0.lockedUntil = nil }
            return .ok(user)
        }
        let updated = try await database.updateStaffUser(login: login) { u in
            u.failedLogins += 1
            if u.failedLogins >= Self.maxFailedLogins { u.lockedUntil = now.addingTimeInterval(Self.lockSeconds); u.failedLogins = 0 }
        }
        return updated.lockedUntil.map { $0 > now ? .locked(until: $0) : .refused } ?? .refused
    }

    static let dummyHash = Bcrypt.hash("not a password of anyone", cost: 12)
    /// A quarter of a second of CPU per check: on NIO's thread pool, never on a thread serving requests.
    static let verifier = BcryptPasswordVerifier()
}
