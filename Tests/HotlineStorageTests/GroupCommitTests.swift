import Foundation
import GRDB
import HotlineCore
import Synchronization
import Testing
@testable import HotlineStorage

/// Intake's group commit and its hand-written inserts, on a real SQLite file (WAL), as in service.
@Suite struct GroupCommitTests {
    static func fileDatabase() throws -> (AppDatabase, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gc-\(UUID().uuidString)")
        return (try AppDatabase.open(path: dir.appendingPathComponent("h.sqlite").path), dir)
    }

    static func inbound(_ i: Int, studio: String = "xujiawan") -> InboundMessage {
        InboundMessage(studioID: studio, channel: "json", providerID: "p\(i)", from: "+86137\(String(format: "%08d", i))", to: "10690001",
                       text: "停水了 \(i)", receivedAt: StorageTests.now)
    }

    @Test func concurrentIntakesAreEachStoredOnceWithDistinctCaseNumbers() async throws {
        let (db, dir) = try Self.fileDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(db.writerLoad == WriterLoad(passes: 0, writes: 0, cpuSeconds: 0))
        let receipts = try await withThrowingTaskGroup(of: IntakeReceipt.self) { group in
            for i in 0..<300 {
                group.addTask { try await db.receive(Self.inbound(i), replyChannel: "dryrun") { _, _, n in StorageTests.casePlan(n) } }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(receipts.count == 300)
        // The writer's load counts every request once, in passes that batched them, and its CPU.
        let load = db.writerLoad
        #expect(load.writes == 300 && (1..<300).contains(load.passes) && load.cpuSeconds > 0, "\(load)")
        #expect(Set(receipts.compactMap(\.caseNumber)) == Set(1...300))
        #expect(Set(receipts.map(\.messageID)).count == 300)
        let cases = try await db.cases(limit: 1_000)
        #expect(cases.count == 300)
        #expect(try await db.outboxCounts() == ["pending": 600])
        // Every answer was given after its commit: a second connection sees all of it.
        let reader = try DatabaseQueue(path: dir.appendingPathComponent("h.sqlite").path)
        let inbound = try await reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM messages WHERE direction = 'in'") }
        #expect(inbound == 300)
    }

    struct Refused: Error {}

    /// Texts 0..<count at once, every seventh writing its case and then failing (none of it may
    /// stay): which were stored.
    static func receiveFailingEverySeventh(_ db: AppDatabase, count: Int) async -> [(Int, Bool)] {
        await withTaskGroup(of: (Int, Bool).self) { group in
            for i in 0..<count {
                group.addTask {
                    do {
                        _ = try await db.receive(Self.inbound(i)) { ledger, _ in
                            let handled = try ledger.apply(StorageTests.casePlan(try ledger.nextCaseNumber(studio: "xujiawan")),
                                                           for: Self.inbound(i), replyChannel: "dryrun")
                            if i % 7 == 0 { throw Refused() }
                            return handled
                        }
                        return (i, true)
                    } catch {
                        return (i, false)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func aFailingRequestLeavesTheRestOfItsBatchStored() async throws {
        let (db, dir) = try Self.fileDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let results = await Self.receiveFailingEverySeventh(db, count: 60)
        let failed = Set(results.filter { !$0.1 }.map(\.0))
        #expect(failed == Set(stride(from: 0, to: 60, by: 7)))
        let stored = try await db.messages(limit: 1_000).filter { $0.direction == .inbound }.compactMap { $0.providerId }
        #expect(Set(stored) == Set((0..<60).filter { $0 % 7 != 0 }.map { "p\($0)" }))
        let cases = try await db.cases(limit: 1_000)
        #expect(cases.count == 51 && Set(cases.map(\.number)) == Set(1...51))
        #expect(try await db.outboxCounts() == ["pending": 102])
    }

    /// A database file at `synchronous = FULL` with a table `t`, and group commit on it whose log
    /// sync is `sync`.
    static func pipelined(_ sync: @escaping @Sendable () throws -> Void) throws -> (DatabasePool, GroupCommit, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let pool = try DatabasePool(path: dir.appendingPathComponent("h.sqlite").path)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "CREATE TABLE t (n INTEGER NOT NULL)")
        }
        return (pool, GroupCommit(writer: pool, logSync: sync), dir)
    }

    static func rows(_ pool: DatabasePool) throws -> Set<Int> {
        Set(try pool.read { try Int.fetchAll($0, sql: "SELECT n FROM t") })
    }

    /// Waits up to 10 s for `condition`.
    static func eventually(_ condition: () throws -> Bool) async throws -> Bool {
        for _ in 0..<1_000 {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try condition()
    }

    @Test func aPassIsAnsweredAfterTheLogSyncAndTheNextPassDoesNotWaitForIt() async throws {
        let gate = DispatchSemaphore(value: 0)
        let syncs = Tally(), answered = Tally()
        let (pool, commits, dir) = try Self.pipelined {
            gate.wait()
            syncs.add()
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = Task {
            try await commits.write { db in try db.execute(sql: "INSERT INTO t VALUES (1)") }
            answered.add()
        }
        // Committed (a reader sees it) but not answered: the sync has not returned.
        #expect(try await Self.eventually { try Self.rows(pool) == [1] })
        // The writer is free: the next pass commits while the first one's sync still waits, and
        // every write outside a pass is at FULL again.
        let second = Task {
            try await commits.write { db in try db.execute(sql: "INSERT INTO t VALUES (2)") }
            answered.add()
        }
        #expect(try await Self.eventually { try Self.rows(pool) == [1, 2] })
        #expect(try await pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 2)
        try await Task.sleep(for: .milliseconds(100))
        #expect(answered.value == 0)
        gate.signal()
        gate.signal()
        try await first.value
        try await second.value
        #expect(answered.value == 2)
        #expect((1...2).contains(syncs.value))
    }

    /// A count several threads add to.
    final class Tally: Sendable {
        private let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    struct DiskGone: Error {}

    /// A log sync that fails once: its callers get the error, and every write after it is refused
    /// without being run — even when the next sync would succeed, as Linux reports a lost
    /// write-back only once.
    @Test func aFailedLogSyncFailsItsCallersAndRefusesEveryWriteAfterIt() async throws {
        let syncs = Tally()
        let (pool, commits, dir) = try Self.pipelined {
            syncs.add()
            if syncs.value == 1 { throw DiskGone() }
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(commits.durabilityLost == nil)
        await #expect(throws: DiskGone.self) {
            try await commits.write { db in try db.execute(sql: "INSERT INTO t VALUES (1)") }
        }
        // Committed, not known durable; and from now on nothing is stored.
        #expect(try Self.rows(pool) == [1])
        let lost = try #require(commits.durabilityLost)
        #expect(lost.cause.contains("DiskGone") && lost.description.contains("restarted"), "\(lost)")
        let ran = Tally()
        for n in 2...4 {
            await #expect(throws: lost) {
                try await commits.write { db in
                    ran.add()
                    try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: [n])
                }
            }
        }
        #expect(ran.value == 0 && syncs.value == 1)
        #expect(try Self.rows(pool) == [1])
    }

    /// Intake on a database whose log sync failed: the text whose sync failed is not answered, its
    /// retry is refused (not answered as the duplicate it finds), and its replies are not handed to
    /// the dispatcher.
    @Test func intakeAfterAFailedLogSyncStoresAndAcknowledgesNothing() async throws {
        let db = try AppDatabase(DatabaseQueue(), sync: { throw DiskGone() })
        db.outboxHandOff.open()
        await #expect(throws: DiskGone.self) {
            try await db.receive(Self.inbound(1), replyChannel: "dryrun") { _, _, n in StorageTests.casePlan(n) }
        }
        #expect(db.durabilityLost != nil)
        await #expect(throws: DurabilityLost.self) {
            try await db.receive(Self.inbound(1), replyChannel: "dryrun") { _, _, n in StorageTests.casePlan(n) }
        }
        await #expect(throws: DurabilityLost.self) {
            try await db.receive(Self.inbound(2), replyChannel: "dryrun") { _, _, n in StorageTests.casePlan(n) }
        }
        #expect(try await db.messages(limit: 10).filter { $0.direction == .inbound }.count == 1)
        #expect(db.outboxHandOff.takeBatch(limit: 10).items.isEmpty)
        #expect(try await db.outboxCounts() == ["sending": 2])
    }

    @Test func theLogSyncFlushesTheWALFileAndNamesWhatFailed() async throws {
        let (db, dir) = try Self.fileDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A new database's passes too: its log is there when it is opened.
        #expect(db.groupCommit.commitsBeforeTheDisk)
        #expect(try !AppDatabase.inMemory().groupCommit.commitsBeforeTheDisk)
        let path = dir.appendingPathComponent("h.sqlite").path
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        let sync = try #require(try await db.writer.writeWithoutTransaction { try LogSync.of($0) })
        #expect(sync.path.hasSuffix("/h.sqlite-wal") && FileManager.default.fileExists(atPath: sync.path), "\(sync.path)")
        try sync()
        #expect(try await DatabaseQueue().writeWithoutTransaction { try LogSync.of($0) } == nil)
        let error = try #require(throws: LogSyncFailed.self) { try LogSync(path: dir.appendingPathComponent("none.sqlite-wal").path) }
        #expect(error.description.contains("open of \(dir.path)/none.sqlite-wal failed"))
        #expect(error.description.contains("No such file"))
    }

    /// A database reached through a symbolic link (the file on another disk): SQLite keeps the log
    /// beside the file itself, and that is the log synced.
    @Test func aDatabaseOpenedThroughASymlinkSyncsTheLogBesideTheFile() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let disk = dir.appendingPathComponent("disk"), link = dir.appendingPathComponent("link")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: link, withIntermediateDirectories: true)
        _ = try AppDatabase.open(path: disk.appendingPathComponent("h.sqlite").path)
        try FileManager.default.createSymbolicLink(atPath: link.appendingPathComponent("h.sqlite").path,
                                                   withDestinationPath: disk.appendingPathComponent("h.sqlite").path)
        let db = try AppDatabase.open(path: link.appendingPathComponent("h.sqlite").path)
        let receipt = try await db.receive(Self.inbound(1), replyChannel: "dryrun") { _, _, n in StorageTests.casePlan(n) }
        #expect(receipt.caseNumber == 1)
        #expect(!FileManager.default.fileExists(atPath: link.appendingPathComponent("h.sqlite-wal").path))
    }

    @Test func handWrittenInsertsReadBackAsTheRecords() throws {
        let queue = try DatabaseQueue()
        _ = try AppDatabase(queue)
        // Whole milliseconds: stored dates keep milliseconds, so other times read back a little different.
        let at = Date(timeIntervalSince1970: 1_795_000_000.125)
        try queue.write { db in
            var c = CaseRecord(
                studioId: "xujiawan", number: 7, residentPhone: "+8613700000009", intent: .complaint, topic: .water, area: "龙湖社区",
                areaSource: .text, assigneeId: "M3", state: .assigned, routingReason: .linkedArea, routingExplanation: "why",
                classification: "{}", text: "停水", createdAt: at, updatedAt: at.addingTimeInterval(1), outcome: .resolved,
                outcomeNote: "修好了", department: "水务", acceptedAt: at.addingTimeInterval(2), firstReplyAt: at.addingTimeInterval(3),
                closedAt: at.addingTimeInterval(4), acceptDue: at.addingTimeInterval(5), replyDue: at.addingTimeInterval(6),
                closeDue: at.addingTimeInterval(7), satisfaction: .satisfied, surveyState: .answered, surveyAskedAt: at.addingTimeInterval(8),
                missedDeadlines: 2, reminded: true, reopened: 1, traditional: true)
            try c.insertCached(db, stamp: Stamp(at))
            #expect(try CaseRecord.fetchOne(db, key: c.id) == c)

            var m = MessageRecord(studioId: "xujiawan", direction: .outbound, channel: "kannel", providerId: "k1", fromNumber: "10690001",
                                  toNumber: "+8613700000009", text: "好", status: .sent, kind: .acknowledgement, caseId: c.id,
                                  createdAt: at, sentAt: at.addingTimeInterval(9), error: "none", encoding: "UCS-2", parts: 1)
            try m.insertCached(db)
            #expect(try MessageRecord.fetchOne(db, key: m.id) == m)

            var e = CaseEventRecord(caseId: c.id!, at: at, actor: "M3", kind: "accepted", detail: "ok")
            try e.insertCached(db, stamp: Stamp(at))
            #expect(try CaseEventRecord.fetchOne(db, key: e.id) == e)

            var o = OutboxRecord(messageId: m.id!, channel: "kannel", priority: 10, status: .failed, attempts: 3,
                                 nextAttemptAt: at.addingTimeInterval(10), lastError: "503", updatedAt: at)
            try o.insertCached(db)
            #expect(try OutboxRecord.fetchOne(db, key: o.id) == o)
        }
    }

    @Test(arguments: [
        0.0, 1.0, 0.999, 1_795_000_000.123, 1_795_000_000.9999, -1.5, -86_400.001, 951_782_400.5 /* 2000-02-29 */,
        4_107_542_399.999 /* 2100-02-28 23:59:59 */, 253_402_300_799.0 /* 9999-12-31 */, -11_676_096_000.0 /* 1600-01-01 */,
        -62_135_596_799.0 /* 0001-01-03, Julian: left to GRDB */,
    ])
    func storedDatesAreWhatGRDBWrites(_ t: Double) throws {
        let date = Date(timeIntervalSince1970: t)
        #expect(StoredDate.value(date) == date.databaseValue)
    }

    @Test func storedDatesAgreeWithGRDBOverManyTimes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let date = Date(timeIntervalSince1970: Double.random(in: -11_000_000_000...10_000_000_000, using: &generator))
            #expect(StoredDate.value(date) == date.databaseValue, "\(date.timeIntervalSince1970)")
        }
    }

    /// Reading the stored text back gives the instant it stands for: it writes back as the same
    /// text, and lies within the millisecond of what GRDB reads (which goes through a calendar and
    /// differs from the exact value in the last bits).
    @Test func storedDatesReadBackAsGRDBReadsThem() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let date = Date(timeIntervalSince1970: Double.random(in: -11_000_000_000...10_000_000_000, using: &generator))
            let text = try #require(StoredDate.string(date))
            let parsed = Array(text.utf8).withUnsafeBufferPointer { StoredDate.parse($0) }
            let grdb = try #require(Date.fromDatabaseValue(text.databaseValue))
            let mine = try #require(parsed)
            #expect(StoredDate.string(mine) == text && abs(mine.timeIntervalSince(grdb)) < 0.001, "\(text)")
        }
        for bad in ["2026-11-30", "2026-13-01 00:00:00.000", "2026-11-30T12:00:00.000", "2026-11-3a 12:00:00.000"] {
            #expect(Array(bad.utf8).withUnsafeBufferPointer { StoredDate.parse($0) } == nil, "\(bad)")
        }
    }
}
