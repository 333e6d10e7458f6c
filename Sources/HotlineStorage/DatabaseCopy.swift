import Foundation
import GRDB
import HotlineCore

/// What a look at a database file found: whether SQLite finds it whole, and how far its schema is.
public struct CopyCheck: Sendable, Equatable {
    /// `PRAGMA integrity_check`'s answer: `["ok"]` for a whole file, else its first problems.
    public var integrity: [String]
    /// The migrations the file has, in the order applied.
    public var migrations: [String]
    /// Those this build does not know: the file comes from a newer hotline.
    public var unknownMigrations: [String]
    /// Cases and messages in it (for the operator to recognise the file).
    public var cases: Int, messages: Int
    /// The newest case's arrival, if any.
    public var newestCase: Date?

    public var isWhole: Bool { integrity == ["ok"] }
    /// The last migration, as a schema version to show.
    public var schema: String { migrations.last ?? "none" }
}

/// Why a copy or a restore was refused.
public enum CopyError: Error, Sendable, CustomStringConvertible {
    case missing(String)
    case exists(String)
    case notWhole(String, [String])
    case newerSchema(String, [String])
    case notHotline(String)
    case inUse(String)

    public var description: String {
        switch self {
        case let .missing(path): "\(path): no such file"
        case let .exists(path): "\(path) exists already: choose a new name (a backup never overwrites a file)"
        case let .notWhole(path, problems):
            "\(path) fails SQLite's integrity check: \(problems.prefix(3).joined(separator: "; "))"
        case let .newerSchema(path, unknown):
            "\(path) comes from a newer hotline (schema \(unknown.joined(separator: ", ")) unknown to this build): restore it with that version"
        case let .notHotline(path): "\(path) is not a hotline database (it has no schema migrations)"
        case let .inUse(path): "\(path) is in use by a running hotline serve or restore: stop it first"
        }
    }
}

/// Copies of the database: a backup made while the service writes, the check a copy must pass,
/// and a restore into a stopped deployment's path.
///
/// A backup is SQLite's online backup API stepped once over every page from a read snapshot: in WAL
/// mode a reader holds no lock a writer waits for, so intake goes on during the copy (its WAL
/// grows until the snapshot ends). The copy is written under `<name>.partial`, switched to a
/// rollback journal (one self-contained file), synced, checked with `PRAGMA integrity_check` and
/// only then renamed to its name.
public enum DatabaseCopy {
    /// Backs up the database file at `source` (which a `hotline serve` may be writing) to
    /// `destination`, which must not exist. Opens `source` read-only and runs no migration.
    @discardableResult
    /// `copied`: called when the copy is made, before its check (the benchmark times the two).
    public static func backup(databaseAt source: String, to destination: String, copied: (@Sendable () -> Void)? = nil) throws -> CopyCheck {
        guard FileManager.default.fileExists(atPath: source) else { throw CopyError.missing(source) }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: source, configuration: config)
        defer { try? queue.close() }
        return try copy(from: queue, to: destination, copied: copied)
    }

    /// Checks a database file without changing it: integrity and schema.
    public static func check(_ path: String) throws -> CopyCheck {
        guard FileManager.default.fileExists(atPath: path) else { throw CopyError.missing(path) }
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: config)
        defer { try? queue.close() }
        do {
            return try queue.read { db in try check(db) }
        } catch let error as DatabaseError where [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode.primaryResultCode) {
            // Damage SQLite stops at before its check can report it.
            return CopyCheck(integrity: ["\(error)"], migrations: [], unknownMigrations: [], cases: 0, messages: 0)
        }
    }

    /// Restores `file` (a backup) into `databasePath`, for a deployment that is stopped: refuses a
    /// file that fails its integrity check or comes from a newer schema, and a path a `hotline serve`
    /// holds. The file it replaces (with its `-wal`) is kept beside it as
    /// `<name>.replaced-<UTC time>`; returns that path (nil when there was none) and the check.
    public static func restore(_ file: String, into databasePath: String, now: Date = Date()) throws -> (replaced: String?, check: CopyCheck) {
        let found = try check(file)
        guard found.isWhole else { throw CopyError.notWhole(file, found.integrity) }
        guard !found.migrations.isEmpty else { throw CopyError.notHotline(file) }
        guard found.unknownMigrations.isEmpty else { throw CopyError.newerSchema(file, found.unknownMigrations) }
        let lock = try ServeLock(database: databasePath)
        defer { lock.release() }
        let incoming = databasePath + ".restoring"
        try? removeDatabaseFiles(incoming)
        var config = Configuration()
        config.readonly = true
        let source = try DatabaseQueue(path: file, configuration: config)
        // Checked above: copied as it is, without a second check.
        do {
            try write(from: source, to: incoming)
            try syncFile(incoming)
        } catch {
            try? removeDatabaseFiles(incoming)
            throw error
        }
        try source.close()
        var replaced: String?
        if FileManager.default.fileExists(atPath: databasePath) {
            let kept = databasePath + ".replaced-" + BackupSchedule.stamp(now)
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: databasePath + suffix) {
                try FileManager.default.moveItem(atPath: databasePath + suffix, toPath: kept + suffix)
            }
            replaced = kept
        }
        try FileManager.default.moveItem(atPath: incoming, toPath: databasePath)
        try syncDirectory(of: databasePath)
        return (replaced, found)
    }

    // MARK: the copy

    /// Pages a backup step copies (8 MB of 4 KB pages).
    static let stepPages: CInt = 2_048

    static func copy(from source: any DatabaseReader, to destination: String, stepPages: CInt = stepPages,
                     copied: (@Sendable () -> Void)? = nil) throws -> CopyCheck {
        guard !FileManager.default.fileExists(atPath: destination) else { throw CopyError.exists(destination) }
        let partial = destination + ".partial"
        try? removeDatabaseFiles(partial)
        let directory = (destination as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        do {
            try write(from: source, to: partial, stepPages: stepPages)
            copied?()
            let found = try check(partial)
            guard found.isWhole else { throw CopyError.notWhole(partial, found.integrity) }
            try syncFile(partial)
            try FileManager.default.moveItem(atPath: partial, toPath: destination)
            try syncDirectory(of: destination)
            return found
        } catch {
            try? removeDatabaseFiles(partial)
            throw error
        }
    }

    /// Writes one moment of `source` into the new file at `path`: one self-contained file, not yet
    /// synced as a whole nor checked.
    static func write(from source: any DatabaseReader, to path: String, stepPages: CInt = stepPages) throws {
        let target = try DatabaseQueue(path: path)
        try source.read { from in
            // One snapshot for the whole copy (a WAL reader's, which no writer waits for): the
            // copy is one moment of the database, and its steps never restart on intake's commits.
            // (GRDB's reads are in a transaction already; the first read starts the snapshot.)
            let began = !from.isInsideTransaction
            if began { try from.execute(sql: "BEGIN DEFERRED") }
            defer { if began { try? from.execute(sql: "ROLLBACK") } }
            _ = try Int.fetchOne(from, sql: "SELECT COUNT(*) FROM sqlite_master")
            // In steps of 8 MB, each synced to the disk before the next: SQLite's steps do not
            // sync a new file, and 2 GB of dirty pages went to the disk at once at the end;
            // intake's log syncs waited behind them (0.5 to 1.5 s, on a million cases).
            let fd = Foundation.open(path, O_RDONLY)
            defer { if fd >= 0 { Foundation.close(fd) } }
            try target.writeWithoutTransaction { to in
                try from.backup(to: to, pagesPerStep: stepPages) { _ in if fd >= 0 { _ = fdatasync(fd) } }
            }
        }
        // One self-contained file (a copy of a WAL database is in WAL mode): no `-wal` to lose.
        try target.writeWithoutTransaction { db in _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE") }
        try target.close()
    }

    static func check(_ db: Database) throws -> CopyCheck {
        let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check(20)")
        let hasMigrations = try db.tableExists("grdb_migrations")
        let migrations = hasMigrations ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") : []
        let known = Set(Migrations.migrator.migrations)
        let hasCases = try db.tableExists("cases"), hasMessages = try db.tableExists("messages")
        return CopyCheck(
            integrity: integrity, migrations: migrations, unknownMigrations: migrations.filter { !known.contains($0) },
            cases: hasCases ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cases") ?? 0 : 0,
            messages: hasMessages ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages") ?? 0 : 0,
            newestCase: hasCases ? try Date.fetchOne(db, sql: "SELECT MAX(created_at) FROM cases") : nil)
    }

    static func removeDatabaseFiles(_ path: String) throws {
        for suffix in ["", "-wal", "-shm", "-journal"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.removeItem(atPath: path + suffix)
        }
    }

    static func syncFile(_ path: String) throws {
        let fd = Foundation.open(path, O_RDONLY)
        guard fd >= 0 else { throw CopyError.missing(path) }
        defer { Foundation.close(fd) }
        _ = fsync(fd)
    }

    /// Makes a rename durable: the directory's entry synced too.
    static func syncDirectory(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = Foundation.open(directory.isEmpty ? "." : directory, O_RDONLY)
        guard fd >= 0 else { return }
        defer { Foundation.close(fd) }
        _ = fsync(fd)
    }
}

extension AppDatabase {
    /// Backs up this (live) database to `destination` from a read snapshot, off the writer: see
    /// ``DatabaseCopy``. Blocking: call it off Swift's shared threads.
    public func backup(to destination: String) throws -> CopyCheck {
        try DatabaseCopy.copy(from: reader, to: destination)
    }
}
