import Foundation
import GRDB
import Testing
@testable import HotlineStorage

/// The log is copied into the database file by a connection of its own, not by the writer's commits.
@Suite struct CheckpointTests {
    @Test func theWriterNoLongerCheckpointsAndTheCheckpointerCopiesTheWholeLog() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("h.sqlite").path
        let db = try AppDatabase.open(path: path)
        let checkpoints = try #require(try db.takeOverCheckpoints())
        #expect(try await db.writer.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA wal_autocheckpoint") } == 0)
        // Past SQLite's 1,000 pages of log no commit checkpoints: the log keeps growing.
        for i in 0..<300 {
            _ = try await db.receive(StorageTests.inbound("c\(i)"), replyChannel: "dryrun") { _, _, n in StorageTests.casePlan(n) }
        }
        let wal = { (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0 }
        #expect(wal() > 1_000 * 4_096)
        let (log, copied) = try await checkpoints.checkpoint()
        #expect(log > 1_000 && copied == log)
        // The next write starts the log again from the top; everything reads back.
        _ = try await db.receive(StorageTests.inbound("after"), replyChannel: "dryrun") { _, _, n in StorageTests.casePlan(n) }
        #expect(try await checkpoints.checkpoint().log < 100)
        #expect(try await db.tableCounts().cases == 301)
        // An in-memory database has no log to take over.
        #expect(try AppDatabase.inMemory().takeOverCheckpoints() == nil)
    }
}
