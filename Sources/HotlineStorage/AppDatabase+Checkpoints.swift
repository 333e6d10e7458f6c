import Foundation
import GRDB

/// Copies the write-ahead log into the database file mostly from a connection of its own. SQLite's
/// automatic checkpoint runs inside the commit that crosses 1,000 pages of log, on the writer:
/// that commit, and every request of its group waiting on it, took the whole copy and the fsync of
/// the database file (intake's p99 went from 26 ms to 284 ms in one run of the HTTP benchmark).
/// Here a passive checkpoint from another connection copies the bulk beside the writer; but the
/// log starts again from the top only when a checkpoint has copied all of it before the next
/// write, and intake writes all the time — on a year of a district the log grew to a gigabyte and
/// every read searched it. So once the log is past `restartFrames`, the writer itself copies the
/// few frames written meanwhile (a short pause, the bulk being done), and its next write starts
/// the log again.
public final class WALCheckpoints: Sendable {
    let connection: DatabaseQueue
    let writer: DatabasePool
    let restartFrames: Int

    init(path: String, writer: DatabasePool, restartFrames: Int) throws {
        var config = Configuration()
        config.busyMode = .timeout(5)
        connection = try DatabaseQueue(path: path, configuration: config)
        (self.writer, self.restartFrames) = (writer, restartFrames)
    }

    /// One checkpoint: passive beside the writer, then, past `restartFrames`, the rest on the
    /// writer. Returns the frames in the log and how many of them are now in the database file.
    @discardableResult
    public func checkpoint() async throws -> (log: Int, copied: Int) {
        let beside = try await connection.writeWithoutTransaction { db in try Self.passive(db) }
        guard beside.log > restartFrames else { return beside }
        return try await writer.writeWithoutTransaction { db in try Self.passive(db) }
    }

    static func passive(_ db: Database) throws -> (log: Int, copied: Int) {
        let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
        return (row?[1] ?? 0, row?[2] ?? 0)
    }
}

extension AppDatabase {
    /// Takes the checkpoints off the writer's commits (its automatic checkpoint off) and hands them to
    /// ``WALCheckpoints``, for a background service to run (`hotline serve` does, every second).
    /// Nil for a database in memory.
    public func takeOverCheckpoints(restartFrames: Int = 1_000) throws -> WALCheckpoints? {
        guard let pool = writer as? DatabasePool else { return nil }
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        return try WALCheckpoints(path: pool.path, writer: pool, restartFrames: restartFrames)
    }
}
