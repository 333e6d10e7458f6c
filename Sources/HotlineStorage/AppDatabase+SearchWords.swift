import Foundation
import GRDB
import HotlineCore

extension AppDatabase {
    /// Puts the words of up to `limit` cases not yet in the search index into it (``SearchWords``),
    /// oldest first; returns how many. Off intake's path: a case's words cost intake some 40 µs
    /// each when written with it. The texts are read and their words made beside the writer; only
    /// the inserts join intake's next group commit (a batch of its own, with the words made inside
    /// it, held the writer for milliseconds). Until then a search finds the case by LIKE (``caseListQuery``).
    @discardableResult
    public func indexCaseWords(limit: Int = 100) async throws -> Int {
        let (through, rows) = try await read { db in
            let through = try Int64.fetchOne(db, sql: "SELECT through FROM case_words_state WHERE id = 1") ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT id, text FROM cases WHERE id > ? ORDER BY id LIMIT ?", arguments: [through, limit])
            return (through, rows.map { (id: $0["id"] as Int64, text: $0["text"] as String) })
        }
        guard let last = rows.last?.id else { return 0 }
        let words = rows.map { (id: $0.id, words: SearchWords.of($0.text).joined(separator: " ")) }
        return try await groupCommit.write { db in
            // Another indexer got there first: nothing to add (the next call reads on from it).
            guard try Int64.fetchOne(db, sql: "SELECT through FROM case_words_state WHERE id = 1") == through else { return 0 }
            // One statement for the batch: FTS5 writes out what it holds at each statement that
            // changes it inside a transaction (one a case made a segment a case, then merges).
            try db.cachedStatement(sql: "INSERT INTO case_words(rowid, words) SELECT CAST(key AS INTEGER), value FROM json_each(?)")
                .execute(arguments: [Self.wordsByCase(words)])
            try db.execute(sql: "UPDATE case_words_state SET through = ? WHERE id = 1", arguments: [last])
            return words.count
        }
    }

    /// Cases' words as one JSON object (`{"id": "words", …}`), for a statement that writes the
    /// search index a batch at a time through `json_each`.
    static func wordsByCase(_ cases: [(id: Int64, words: String)]) -> String {
        JSONText.object(Dictionary(cases.map { (String($0.id), $0.words) }, uniquingKeysWith: { first, _ in first }))
    }
}
