import Foundation

/// The mark that a process owns a database path: `hotline serve` holds it while it runs, `hotline
/// restore` while it replaces the file. An exclusive `flock` on `<database>-serve.lock` (not on the
/// database: closing any descriptor of the database file would drop SQLite's own POSIX locks); the
/// kernel lets it go when the process ends, however it ends.
public final class ServeLock: Sendable {
    private let fd: Int32
    public let path: String

    /// Takes the lock or throws ``CopyError/inUse(_:)`` at once (never waits).
    public init(database: String) throws {
        let directory = (database as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        path = database + "-serve.lock"
        fd = Foundation.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CopyError.missing(path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            Foundation.close(fd)
            throw CopyError.inUse(database)
        }
        // The holder's process id, for an operator who wonders who holds it.
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { Foundation.write(fd, $0, strlen($0)) }
    }

    /// Lets the lock go (the process's end does too).
    public func release() {
        _ = flock(fd, LOCK_UN)
        Foundation.close(fd)
    }
}
