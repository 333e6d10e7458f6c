import GRDB
import Testing
@testable import HotlineStorage

/// The scan beside the writer and the catch-up inside its transaction that a resident's erasure
/// uses: rows added between the two are not missed, rows that stopped matching are not taken.
@Suite struct RowScanTests {
    @Test func rowsAddedAfterTheScanAreCaughtUp() throws {
        let db = try DatabaseQueue()
        try db.write { db in
            try db.execute(sql: "CREATE TABLE t(phone TEXT)")
            for p in ["a", "b", "a", "c"] { try db.execute(sql: "INSERT INTO t(phone) VALUES (?)", arguments: [p]) }
        }
        let scanned = try db.read { try AppDatabase.scan($0, "t", "phone = ?", ["a"]) }
        #expect(scanned.ids == [1, 3] && scanned.through == 4)
        let caught = try db.write { db -> [Int64] in
            try db.execute(sql: "INSERT INTO t(phone) VALUES ('a'), ('b')")
            return try AppDatabase.since(db, "t", "phone = ?", ["a"], scanned)
        }
        #expect(caught == [1, 3, 5])
        #expect(AppDatabase.chunks(Array(1...7), 3).map(Array.init) == [[1, 2, 3], [4, 5, 6], [7]])
        #expect(AppDatabase.chunks([Int](), 3).isEmpty && AppDatabase.placeholders(3) == "?, ?, ?")
    }
}
