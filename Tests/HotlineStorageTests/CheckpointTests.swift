import Foundation
import GRDB
import Testing
@testable import HotlineStorage

/// The log is copied into the database file by a connection of its own, not by the writer's commits.
@Suite struct CheckpointTests {
    /// A database file of its own (a log needs one) in a new folder, which the caller removes.
    static func fileDatabase() throws -> (AppDatabase, path: String, dir: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-ckpt-\(UUID().uuidString)")
        let path = dir.appendingPathComponent("h.sqlite").path
        return (try AppDatabase.open(path: path), path, dir)
    }

    @Test func theWriterNoLongerCheckpointsAndTheCheckpointerCopiesTheWholeLog() async throws {
        let (db, path, dir) = try Self.fileDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let checkpoints = try #require(try db.takeOverCheckpoints(restartFrames: 1_000))
        #expect(try await db.writer.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA wal_autocheckpoint") } == 0)
        // Past SQLite's 1,000 pages of log no commit checkpoints: the log keeps growing.
        for i in 0..<300 {
            _ = try await db.receive(StorageTests.inbound("c\(i)"), replyChannel: "dryrun") { _, _, n in StorageTests.casePlan(n) }
        }
        let wal = { (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0 }
        #expect(wal() > 1_000 * 4_096)
        let first = try await checkpoints.checkpoint()
        #expect(first.log > 1_000 && first.copied == first.log)
        // Past `restartFrames` the writer finished it, and says how long it held intake up.
        #expect(first.writerPause != nil)
        // Writes never stop under load: a reader keeps the log in use while the bulk is copied
        // beside the writer, and new frames come meanwhile; the writer's own pass finishes it.
        // The next write starts the log again from the top; everything reads back.
        _ = try await db.receive(StorageTests.inbound("after"), replyChannel: "dryrun") { _, _, n in StorageTests.casePlan(n) }
        let second = try await checkpoints.checkpoint()
        #expect(second.log < 100)
        // A short log is left to the passes beside: the writer does not stop for it.
        #expect(second.writerPause == nil)
        #expect(try await db.tableCounts().cases == 301)
        // An in-memory database has no log to take over.
        #expect(try AppDatabase.inMemory().takeOverCheckpoints() == nil)
    }

    /// Under writes that never stop, the log still starts again from the top: the writer finishes
    /// what the passive pass beside it could not.
    @Test func theLogStartsAgainUnderWritesThatNeverStop() async throws {
        let (db, _, dir) = try Self.fileDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let checkpoints = try #require(try db.takeOverCheckpoints(restartFrames: 200))
        let writes = Task {
            for i in 0..<600 {
                _ = try await db.receive(StorageTests.inbound("w\(i)"), replyChannel: "dryrun") { _, _, n in StorageTests.casePlan(n) }
            }
        }
        var logs: [Int] = []
        while !(writes.isCancelled) {
            logs.append(try await checkpoints.checkpoint().log)
            if logs.count > 2, try await db.tableCounts().cases == 600 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await writes.value
        // The log shrank at least once between passes: it started again from the top.
        #expect(zip(logs, logs.dropFirst()).contains { $0.1 < $0.0 }, "\(logs)")
        #expect(try await db.tableCounts().cases == 600)
    }

    /// A sync of the database file that fails is thrown (naming the cause), not taken for a good
    /// one: the checkpoint stops there, before the writer's pass; the next one, syncing, goes on.
    @Test func aFailedSyncStopsTheCheckpointBeforeTheWritersPass() async throws {
        let (db, path, dir) = try Self.fileDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = try #require(try db.takeOverCheckpoints(restartFrames: 1_000))
        let pool = try #require(db.writer as? DatabasePool)
        let failing = try WALCheckpoints(path: path, writer: pool, restartFrames: 1_000, sync: { _ in errno = EIO; return -1 })
        for i in 0..<300 {
            _ = try await db.receive(StorageTests.inbound("f\(i)"), replyChannel: "dryrun") { _, _, n in StorageTests.casePlan(n) }
        }
        await #expect(throws: CheckpointError.self) { try await failing.checkpoint() }
        do {
            try await failing.checkpoint()
            Issue.record("a failed sync was taken for a good one")
        } catch let CheckpointError.syncFailed(code) {
            #expect(code == EIO)
            #expect(CheckpointError.syncFailed(errno: code).description == "syncing the database file failed: Input/output error")
        }
        _ = try await db.receive(StorageTests.inbound("after"), replyChannel: "dryrun") { _, _, n in StorageTests.casePlan(n) }
        let next = try await good.checkpoint()
        #expect(next.log > 0 && next.copied == next.log)
        #expect(try await db.tableCounts().cases == 301)
    }
}
