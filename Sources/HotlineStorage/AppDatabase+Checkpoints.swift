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
    /// The database file, read-only, for syncing what the passes beside copied (-1 if it could not be opened).
    let databaseFile: Int32
    /// Syncs a descriptor: `fdatasync`, or in tests one that fails.
    let sync: @Sendable (Int32) -> Int32

    init(path: String, writer: DatabasePool, restartFrames: Int, sync: @escaping @Sendable (Int32) -> Int32 = { fdatasync($0) }) throws {
        var config = Configuration()
        config.busyMode = .timeout(5)
        connection = try DatabaseQueue(path: path, configuration: config)
        (self.writer, self.restartFrames, self.sync) = (writer, restartFrames, sync)
        databaseFile = open(path, O_RDONLY | O_CLOEXEC)
    }

    deinit { if databaseFile >= 0 { close(databaseFile) } }

    /// One checkpoint: passive beside the writer, then, past `restartFrames`, a second pass beside
    /// and the rest on the writer.
    ///
    /// A passive pass syncs the database file only when it copied the whole log, which under
    /// intake never happens: the writer's pass then synced all the pass beside had copied (a
    /// second's intake, ~17,000 frames, 60 MB) and copied the frames written meanwhile, with
    /// intake waiting — 16–255 ms a second in the HTTP benchmark. So each pass beside syncs what it
    /// copied, and a second pass copies most of what came during the first: the writer's part
    /// took at most 25 ms, mostly under 10 (`hotline_checkpoint_pause_seconds`).
    @discardableResult
    public func checkpoint() async throws -> Checkpoint {
        let beside = try await besidePass()
        guard beside.log > restartFrames else { return Checkpoint(log: beside.log, copied: beside.copied) }
        _ = try await besidePass()
        return try await writer.writeWithoutTransaction { db in
            let start = ContinuousClock.now
            let (log, copied) = try Self.passive(db)
            return Checkpoint(log: log, copied: copied, writerPause: .now - start)
        }
    }

    /// A passive checkpoint from the connection beside the writer, and the database file synced
    /// there when it copied anything.
    func besidePass() async throws -> (log: Int, copied: Int) {
        let (file, sync) = (databaseFile, self.sync)
        return try await connection.writeWithoutTransaction { db in
            let copied = try Self.passive(db)
            // Any descriptor of the file syncs what SQLite wrote to it: the page cache is the file's.
            // A failure is reported here and still to SQLite's own descriptor at its next sync
            // (Linux reports a writeback error to every descriptor open when it happened), so the
            // writer's pass cannot take a failed sync for a good one.
            if copied.copied > 0, file >= 0, sync(file) != 0 {
                throw CheckpointError.syncFailed(errno: errno)
            }
            return copied
        }
    }

    static func passive(_ db: Database) throws -> (log: Int, copied: Int) {
        let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
        return (row?[1] ?? 0, row?[2] ?? 0)
    }
}

/// Why a checkpoint stopped before the writer's pass.
public enum CheckpointError: Error, CustomStringConvertible {
    /// Syncing what the pass beside copied failed (the next checkpoint tries again).
    case syncFailed(errno: Int32)

    public var description: String {
        switch self {
        case let .syncFailed(code): "syncing the database file failed: \(String(cString: strerror(code)))"
        }
    }
}

/// What one checkpoint did.
public struct Checkpoint: Sendable, Equatable {
    /// Frames in the log, and how many of them are now in the database file.
    public var log: Int, copied: Int
    /// How long the writer's own pass held intake up; nil when the log was short enough to be
    /// left to the next checkpoint.
    public var writerPause: Duration?
}

extension AppDatabase {
    /// Takes the checkpoints off the writer's commits (its automatic checkpoint off) and hands them to
    /// ``WALCheckpoints``, for a background service to run (`hotline serve`'s `Checkpointer`, every 100 ms).
    /// Nil for a database in memory.
    ///
    /// `restartFrames`: past this many frames (4 KB each) the writer's own pass starts the log again;
    /// with a pass every 100 ms that is every second or two under load, rather than at every pass.
    public func takeOverCheckpoints(restartFrames: Int = 5_000) throws -> WALCheckpoints? {
        guard let pool = writer as? DatabasePool else { return nil }
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        return try WALCheckpoints(path: pool.path, writer: pool, restartFrames: restartFrames)
    }
}
