import Foundation
import GRDB
import HotlineCore

/// The one door to SQLite: migrations, and one write transaction per intent-named method.
public struct AppDatabase: Sendable {
    /// The GRDB writer (a `DatabasePool` on disk, a `DatabaseQueue` in tests): storage's own. Every
    /// write outside this module goes through an intent-named method, or a ``CaseLedger`` inside
    /// ``casework(now:_:)`` and intake's transactions.
    let writer: any DatabaseWriter
    /// Where queries read (GRDB's pattern: with a pool, reads run beside the writer on snapshots).
    var reader: any DatabaseReader { writer }
    /// Intake's way in: concurrent requests share a transaction and its commit.
    let groupCommit: GroupCommit
    /// What intake's serial part has done and cost so far (`/metrics`, the benchmarks).
    public var writerLoad: WriterLoad { groupCommit.load }
    /// Set once a sync of the log failed: from then on intake stores nothing (``DurabilityLost``),
    /// and `hotline serve` stops so that its restart's recovery takes over.
    public var durabilityLost: DurabilityLost? { groupCommit.durabilityLost }
    /// Whether intake's commits are answered after a sync of the log of their own (false: each
    /// waits for the disk in its commit, as in memory or when the log could not be opened).
    public var commitsBeforeTheDisk: Bool { groupCommit.commitsBeforeTheDisk }
    /// Raised after every commit that queued texts (or put failed ones back): the dispatcher's wake-up.
    public let outboxCommits = OutboxSignal()
    /// Intake's replies for the dispatcher, in memory once durable (while the dispatcher runs).
    public let outboxHandOff: OutboxHandOff
    private let outboxObserver: OutboxCommitObserver

    /// Wraps `writer` and migrates it to the latest schema; `logSync` makes its log durable when
    /// it is a file at `synchronous = FULL` (group commit's passes then commit without waiting).
    init(_ writer: any DatabaseWriter, logSync: LogSync? = nil) throws {
        var sync: (@Sendable () throws -> Void)?
        if let logSync { sync = { try logSync() } }
        try self.init(writer, sync: sync)
    }

    /// As ``init(_:logSync:)`` with the log sync as a function (tests make it fail).
    init(_ writer: any DatabaseWriter, sync: (@Sendable () throws -> Void)?) throws {
        self.writer = writer
        self.groupCommit = GroupCommit(writer: writer, logSync: sync)
        try Migrations.migrator.migrate(writer)
        let signal = outboxCommits
        let handOff = OutboxHandOff(wake: { signal.wakeOne() })
        outboxHandOff = handOff
        outboxObserver = try writer.write { db in
            let observer = OutboxCommitObserver(signal: signal, handOff: handOff, lastID: try OutboxCommitObserver.largestID(db),
                                                dataVersion: try OutboxCommitObserver.dataVersion(db))
            db.add(transactionObserver: observer, extent: .observerLifetime)
            return observer
        }
    }

    /// Opens (creating if missing) the database file at `path` in WAL mode with `synchronous = FULL`,
    /// so that a 2xx sent after a commit survives a power cut, not only a crash.
    public static func open(path: String) throws -> AppDatabase {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var config = Configuration()
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            // Each connection's page cache: SQLite's default 2 MB does not hold the inner pages of a
            // million cases' indexes, and every row a list or report looks up then costs reads
            // from the file (measured: 20–30 µs a row on a 2.5 GB database). Filled as used; the
            // readers' is handed back when they close (``releaseMemory()``).
            try db.execute(sql: "PRAGMA cache_size = -\(Self.cacheKiB)")
        }
        let pool = try DatabasePool(path: path, configuration: config)
        // DatabasePool sets synchronous=NORMAL itself after `prepareDatabase`; the writer is one
        // long-lived connection, so setting it here holds for every write.
        let logSync = try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // A log that cannot be opened leaves group commit's passes at FULL, waiting for the disk.
            return (try? LogSync.of(db)) ?? nil
        }
        let database = try AppDatabase(pool, logSync: logSync)
        try database.analyze()
        return database
    }

    /// Each connection's page cache, KiB.
    static let cacheKiB = 32 * 1024

    /// Gives the query planner statistics of every table and index when the database has none yet
    /// (`ANALYZE`, once: seconds on a year of a district), so that plans follow the data rather
    /// than guesses. Whole, not sampled: statistics sampled at 400 rows a table led the planner to
    /// walk a studio's every case for the overdue list (300 ms rather than 10 on 200,000 cases).
    ///
    /// An index a migration added to a database that has statistics gets its own (`ANALYZE` of that
    /// index alone): without them SQLite guessed, and a studio's search walked an index of areas
    /// and sorted (50 ms on 200,000 cases upgraded, against 20 on a million analysed whole).
    func analyze() throws {
        try writer.writeWithoutTransaction { db in
            let has = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1')") ?? false
            let rows = has ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_stat1") ?? 0 : 0
            if rows == 0 { try db.execute(sql: "ANALYZE"); return }
            let missing = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
                  AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)
                  AND tbl_name IN (SELECT tbl FROM sqlite_stat1)
                """)
            for index in missing { try db.execute(sql: "ANALYZE \"\(index)\"") }
        }
    }

    /// `PRAGMA optimize`: statistics brought up to date for the tables whose queries since the last
    /// time would benefit and whose size has changed much; the deadline service runs it hourly.
    public func optimize() async throws {
        try await writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA optimize") }
    }

    /// Closes the read connections once their reads under way are done (GRDB's
    /// `invalidateReadOnlyConnections`; the next read opens one again): a burst of pages leaves
    /// each reader with its page cache full, and this hands it back. The writer keeps its cache:
    /// intake's pages are in it.
    public func releaseMemory() {
        (writer as? DatabasePool)?.invalidateReadOnlyConnections()
    }

    /// A fresh in-memory database, for tests.
    static func inMemory() throws -> AppDatabase {
        try AppDatabase(DatabaseQueue())
    }

    /// In memory, with group commit's passes answered after `sync` as on a file (tests make it fail).
    static func inMemory(sync: @escaping @Sendable () throws -> Void) throws -> AppDatabase {
        try AppDatabase(DatabaseQueue(), sync: sync)
    }

    /// The value of `PRAGMA synchronous` on the writer (2 = FULL).
    func synchronousMode() throws -> Int {
        try writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// Whether the database takes a write now: a one-row write and commit, as intake's would be
    /// (a read alone answers while a full disk refuses every message).
    public func isHealthy(now: Date = Date()) async -> Bool {
        do {
            try await writer.write { db in
                try db.execute(sql: "INSERT INTO health(id, probed_at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET probed_at = excluded.probed_at",
                               arguments: [now])
            }
            return true
        } catch {
            return false
        }
    }

    /// Stores the configured studios (with their calendars) and roster, so that queries can show
    /// names; when the studios' calendars are not those the reports' tallies were counted with (the
    /// first start after the tallies came, a studio moved to another time zone), counts them again.
    public func syncRoster(_ deployment: Deployment, now: Date) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM roster")
            for studio in deployment.studios {
                try db.execute(sql: """
                    INSERT INTO studios(id, name, updated_at, time_zone) VALUES (?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at, time_zone = excluded.time_zone
                    """, arguments: [studio.id, studio.name, now, studio.timeZone.identifier])
                for p in studio.roster {
                    try db.execute(sql: "INSERT INTO roster(studio_id, id, name, phone, role, sector) VALUES (?, ?, ?, ?, ?, ?)",
                                   arguments: [studio.id, p.id, p.name, p.phone, p.role.rawValue, p.sector])
                }
            }
            let calendars = try String.fetchAll(db, sql: "SELECT id || '=' || COALESCE(time_zone, '') FROM studios ORDER BY id").joined(separator: ",")
            if try String.fetchOne(db, sql: "SELECT calendars FROM tally_state WHERE id = 1") != calendars {
                try Self.recountTallies(db)
                try db.execute(sql: "INSERT INTO tally_state(id, calendars) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET calendars = excluded.calendars",
                               arguments: [calendars])
            }
        }
    }
}
