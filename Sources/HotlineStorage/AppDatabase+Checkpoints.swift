import Foundation
import GRDB

/// Copies the write-ahead log into the database file from a connection of its own. SQLite's
/// automatic checkpoint runs inside the commit that crosses 1,000 pages of log, on the writer:
/// that commit, and every request of its group waiting on it, took the checkpoint's copying and
/// its fsync of the database file (intake's p99 went from 26 ms to 284 ms in one run of the HTTP
/// benchmark). A passive checkpoint waits for no reader or writer; the writer goes on appending
/// to the log meanwhile and starts it again from the top once a checkpoint has copied all of it.
public final class WALCheckpoints: Sendable {
    let connection: DatabaseQueue

    init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(5)
        connection = try DatabaseQueue(path: path, configuration: config)
    }

    /// One passive checkpoint: the frames in the log, and how many of them are now in the database file.
    public func checkpoint() async throws -> (log: Int, copied: Int) {
        try await connection.writeWithoutTransaction { db in
            let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
            return (row?[1] ?? 0, row?[2] ?? 0)
        }
    }
}

extension AppDatabase {
    /// Takes the checkpoints off the writer (its automatic checkpoint off) and hands them to a
    /// connection of their own, for a background service to run (`hotline serve` does, every
    /// second). Nil for a database in memory.
    public func takeOverCheckpoints() throws -> WALCheckpoints? {
        guard let pool = writer as? DatabasePool else { return nil }
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        return try WALCheckpoints(path: pool.path)
    }
}
