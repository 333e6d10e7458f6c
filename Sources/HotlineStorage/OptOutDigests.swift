import Crypto
import Foundation
import GRDB

/// Opt-outs that outlive the resident: when a resident who opted out is forgotten
/// (``AppDatabase/forgetResident(phone:studios:actor:now:)``) or their row is purged, long unseen
/// (``AppDatabase/purge(_:now:actor:dryRun:pace:)``), their opt-out stays as an
/// HMAC-SHA256 of the number with the studio and since when (`kept_opt_outs`), so that a roll
/// imported later that names them still skips them, and a text of 订阅 from them removes it. No
/// role sees these rows and nothing reads a number back out of them.
///
/// The key is the database's own (`privacy_key`, 32 random bytes made with it): the digests hide
/// the numbers from whoever reads the tables, a backup or an export, but not from whoever holds the
/// whole file and tries every number — as email services' suppression lists of hashed addresses.
enum OptOutDigests {
    /// A new random key (made once, by the migration that adds the table).
    static func newKey() -> Data {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    }

    static func key(_ db: Database) throws -> SymmetricKey {
        guard let key = try Data.fetchOne(db, sql: "SELECT key FROM privacy_key WHERE id = 1") else {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "privacy_key has no key: kept opt-outs cannot be read or written")
        }
        return SymmetricKey(data: key)
    }

    static func digest(_ phone: String, key: SymmetricKey) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(phone.utf8), using: key))
    }

    /// `phone`'s digest under the database's key.
    static func digest(_ phone: String, _ db: Database) throws -> Data {
        digest(phone, key: try key(db))
    }

    /// Keeps the opt-out of each resident row matching `condition` (on `residents AS r`) that has
    /// one, before those rows are removed (a repeat keeps the first); answers how many rows had one.
    static func keep(_ db: Database, residentsWhere condition: String, _ arguments: StatementArguments) throws -> Int {
        let rows = try Row.fetchAll(db, sql: "SELECT r.studio_id, r.phone, r.opted_out_at FROM residents AS r WHERE r.opted_out_at IS NOT NULL AND \(condition)",
                                    arguments: arguments)
        guard !rows.isEmpty else { return 0 }
        let key = try key(db)
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO kept_opt_outs(studio_id, digest, since) VALUES (?, ?, ?)")
        for row in rows {
            try insert.execute(arguments: [row[0] as String, digest(row[1] as String, key: key), row[2] as DatabaseValue])
        }
        return rows.count
    }

    /// Whether a (normalised) number's opt-out in `studio` is kept here, as a test for a notice's
    /// planner (who normalises each number it is given).
    static func test(_ db: Database, studio: String) throws -> @Sendable (String) -> Bool {
        // Few rows (forgotten residents who had opted out): the studio's read once, then one
        // digest a number asked about.
        let digests = Set(try Data.fetchAll(db, sql: "SELECT digest FROM kept_opt_outs WHERE studio_id = ?", arguments: [studio]))
        guard !digests.isEmpty else { return { _ in false } }
        let key = try key(db)
        return { digests.contains(digest($0, key: key)) }
    }

    /// Since when `phone`'s opt-out in `studio` is kept here, if it is.
    static func since(_ db: Database, studio: String, phone: String) throws -> Date? {
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM kept_opt_outs WHERE studio_id = ?)", arguments: [studio]) == true else { return nil }
        return try Date.fetchOne(db, sql: "SELECT since FROM kept_opt_outs WHERE studio_id = ? AND digest = ?",
                                 arguments: [studio, try digest(phone, db)])
    }

    /// Removes `phone`'s kept opt-outs in `studios` (they opted back in); answers how many there were.
    static func drop(_ db: Database, phone: String, studios: [String]) throws -> Int {
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM kept_opt_outs)") == true else { return 0 }
        let digest = try digest(phone, db)
        try db.execute(sql: "DELETE FROM kept_opt_outs WHERE digest = ? AND studio_id IN (\(AppDatabase.placeholders(studios.count)))",
                       arguments: [digest] + StatementArguments(studios))
        return db.changesCount
    }
}
