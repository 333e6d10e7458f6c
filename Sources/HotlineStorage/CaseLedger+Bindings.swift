import Foundation
import GRDB
import HotlineCore

/// What became of a code asked for (``CaseLedger/startBinding(studio:follower:phone:codeHash:)``).
public enum BindingStart: Sendable, Equatable {
    case started
    /// The number has been sent its day's codes, the follower has asked for theirs, or the studio has sent its day's.
    case tooMany
}

/// What became of a code answered (``CaseLedger/confirmBinding(studio:follower:codeHash:)``).
public enum BindingAnswer: Sendable, Equatable {
    /// The number is the follower's now.
    case bound(phone: String)
    /// Not the code; this many tries left (0: the code is void).
    case wrong(left: Int)
    /// No code waiting: never asked, used, void or expired.
    case noCode
}

/// A follower's bound phone number, and the codes that bind one (``PhoneBinding``).
extension CaseLedger {
    /// Every address that is this resident in `studio`: the address, and the number a follower
    /// bound or the followers who bound this number.
    public func residentAddresses(studio: String, address: String) throws -> [String] {
        var s = BoundStatement(try db.cachedStatement(sql: """
            SELECT bound_phone FROM residents WHERE studio_id = ? AND phone = ? AND bound_phone IS NOT NULL
            UNION ALL SELECT phone FROM residents WHERE studio_id = ? AND bound_phone = ?
            """))
        s.bind(studio); s.bind(address); s.bind(studio); s.bind(address)
        var all = [address]
        try s.rows(db) { row in if let other = row.text(0), !all.contains(other) { all.append(other) } }
        return all
    }

    /// ``activeCases(studio:resident:)`` of each of a resident's addresses, newest first.
    public func activeCases(studio: String, addresses: [String]) throws -> [CaseRecord] {
        guard addresses.count > 1 else { return try activeCases(studio: studio, resident: addresses.first ?? "") }
        return try addresses.flatMap { try activeCases(studio: studio, resident: $0) }.sorted { ($0.id ?? 0) > ($1.id ?? 0) }
    }

    /// Records a follower (who followed the account and may not have written yet) as a resident of the studio.
    public func noteFollower(studio: String, address: String) throws {
        try db.execute(sql: """
            INSERT INTO residents(studio_id, phone, area, first_seen_at, last_seen_at) VALUES (?, ?, NULL, ?, ?)
            ON CONFLICT(studio_id, phone) DO UPDATE SET last_seen_at = excluded.last_seen_at
            """, arguments: [studio, address, now, now])
    }

    /// The number a follower bound, if any.
    public func boundPhone(studio: String, follower: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT bound_phone FROM residents WHERE studio_id = ? AND phone = ?"),
                            arguments: [studio, follower])
    }

    /// Records a code sent to `phone` for `follower` (its hash), unless the number or the follower
    /// has had their day's codes; an earlier code of the follower's is void from now.
    public func startBinding(studio: String, follower: String, phone: String, codeHash: String) throws -> BindingStart {
        let dayAgo = now.addingTimeInterval(-86_400)
        let toPhone = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM phone_bindings WHERE phone = ? AND created_at > ?", arguments: [phone, dayAgo]) ?? 0
        let byFollower = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM phone_bindings WHERE studio_id = ? AND follower = ? AND created_at > ?",
                                          arguments: [studio, follower, dayAgo]) ?? 0
        let byStudio = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM phone_bindings WHERE studio_id = ? AND created_at > ?",
                                        arguments: [studio, dayAgo]) ?? 0
        guard toPhone < PhoneBinding.codesPerPhonePerDay, byFollower < PhoneBinding.codesPerFollowerPerDay,
              byStudio < PhoneBinding.codesPerStudioPerDay else { return .tooMany }
        try db.execute(sql: "UPDATE phone_bindings SET expires_at = ? WHERE studio_id = ? AND follower = ? AND bound_at IS NULL AND expires_at > ?",
                       arguments: [now, studio, follower, now])
        try db.execute(sql: """
            INSERT INTO phone_bindings(studio_id, follower, phone, code_hash, attempts, created_at, expires_at) VALUES (?, ?, ?, ?, 0, ?, ?)
            """, arguments: [studio, follower, phone, codeHash, now, now.addingTimeInterval(PhoneBinding.codeLifetime)])
        return .started
    }

    /// Checks a code against the follower's latest one; when it matches, the number is bound to the
    /// follower (and to no other follower of the studio: whoever proves the number last holds it).
    public func confirmBinding(studio: String, follower: String, codeHash: String) throws -> BindingAnswer {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT id, phone, code_hash, attempts FROM phone_bindings
            WHERE studio_id = ? AND follower = ? AND bound_at IS NULL AND expires_at > ? AND attempts < ?
            ORDER BY id DESC LIMIT 1
            """, arguments: [studio, follower, now, PhoneBinding.maxAttempts]) else { return .noCode }
        let id: Int64 = row["id"], phone: String = row["phone"], attempts: Int = row["attempts"]
        guard (row["code_hash"] as String) == codeHash else {
            try db.execute(sql: "UPDATE phone_bindings SET attempts = attempts + 1 WHERE id = ?", arguments: [id])
            return .wrong(left: PhoneBinding.maxAttempts - attempts - 1)
        }
        try db.execute(sql: "UPDATE phone_bindings SET bound_at = ? WHERE id = ?", arguments: [now, id])
        try db.execute(sql: "UPDATE residents SET bound_phone = NULL WHERE studio_id = ? AND bound_phone = ?", arguments: [studio, phone])
        try db.execute(sql: """
            INSERT INTO residents(studio_id, phone, area, first_seen_at, last_seen_at, bound_phone) VALUES (?, ?, NULL, ?, ?, ?)
            ON CONFLICT(studio_id, phone) DO UPDATE SET bound_phone = excluded.bound_phone
            """, arguments: [studio, follower, now, now, phone])
        return .bound(phone: phone)
    }
}
