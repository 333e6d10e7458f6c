import Foundation
import GRDB

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
        try await read { db in try StaffUser.order(Column("login")).fetchAll(db) }
    }

    public func staffUser(login: String) async throws -> StaffUser? {
        try await read { db in try StaffUser.filter(Column("login") == login).fetchOne(db) }
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
        try await read { db in try APIToken.filter(Column("user_id") == userID).order(Column("id")).fetchAll(db) }
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
        let found = try await read { db -> (APIToken, StaffUser)? in
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
