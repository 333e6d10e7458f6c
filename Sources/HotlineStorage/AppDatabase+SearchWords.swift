import Foundation
import GRDB
import HotlineCore

extension AppDatabase {
    /// Puts the words of up to `limit` cases not yet in the search index into it (``SearchWords``),
    /// oldest first, in one transaction; returns how many. Off intake's path: a case's words cost
    /// intake some 40 µs each when written with it, a fraction of that in batches; until then a
    /// search finds the case by LIKE (``caseListQuery``).
    @discardableResult
    public func indexCaseWords(limit: Int = 500) async throws -> Int {
        try await writer.write { db in
            let through = try Int64.fetchOne(db, sql: "SELECT through FROM case_words_state WHERE id = 1") ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT id, text FROM cases WHERE id > ? ORDER BY id LIMIT ?", arguments: [through, limit])
            guard let last = rows.last?["id"] as Int64? else { return 0 }
            let insert = try db.cachedStatement(sql: "INSERT INTO case_words(rowid, words) VALUES (?, ?)")
            for row in rows { try insert.execute(arguments: [row["id"] as Int64, SearchWords.of(row["text"] as String).joined(separator: " ")]) }
            try db.execute(sql: "UPDATE case_words_state SET through = ? WHERE id = 1", arguments: [last])
            return rows.count
        }
    }
}
