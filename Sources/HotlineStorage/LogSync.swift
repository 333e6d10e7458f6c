import Foundation
import GRDB
import GRDBSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes what the writer has put in the database's write-ahead log durable: `fdatasync` of the
/// `-wal` file, the call SQLite's own commit makes at `synchronous = FULL` on Linux.
///
/// Group commit runs its passes at `synchronous = NORMAL` (the commit only writes the log) and has
/// this called on a thread of its own before it answers the pass's callers: the writer goes on with
/// the next batch while the disk takes this one. On Linux `fdatasync` of any descriptor of a file
/// writes all of that file's dirty pages, whichever descriptor wrote them.
///
/// The log is opened once and held: no `open` a pass, and no pass that fails for want of a
/// descriptor. It is the file SQLite writes for as long as the database is open (SQLite removes
/// the log only when its last connection closes). Its directory entry needs no sync of its own:
/// the log is created by the connection's first write, which is a migration or `ANALYZE` at
/// `synchronous = FULL` (SQLite syncs the directory then).
final class LogSync: Sendable {
    /// The write-ahead log's file.
    let path: String
    private let fd: Int32

    /// Opens the log at `path`; throws ``LogSyncFailed`` naming it when it cannot.
    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LogSyncFailed(path: path, call: "open", code: errno) }
        (self.path, self.fd) = (path, fd)
    }

    deinit { close(fd) }

    /// The log of the database `db` is connected to, as SQLite names it: beside the file itself,
    /// which for a path through a symbolic link is not beside the path (nil in memory).
    static func of(_ db: Database) throws -> LogSync? {
        guard let main = sqlite3_db_filename(db.sqliteConnection, "main"), main.pointee != 0,
              let wal = sqlite3_filename_wal(main), wal.pointee != 0 else { return nil }
        return try LogSync(path: String(cString: wal))
    }

    /// Flushes the log to the disk; throws ``LogSyncFailed`` naming the call and the error.
    func callAsFunction() throws {
        #if canImport(Darwin)
        let result = fsync(fd)
        #else
        let result = fdatasync(fd)
        #endif
        guard result == 0 else { throw LogSyncFailed(path: path, call: "fdatasync", code: errno) }
    }
}

/// The log could not be made durable: what was committed may not survive a power cut, so its
/// callers are answered with this error rather than a success.
struct LogSyncFailed: Error, CustomStringConvertible {
    let path: String
    let call: String
    let code: Int32

    var description: String { "\(call) of \(path) failed: \(String(cString: strerror(code))) (errno \(code))" }
}
