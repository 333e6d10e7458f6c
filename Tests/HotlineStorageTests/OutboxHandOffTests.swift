import Foundation
import GRDB
import HotlineCore
import Synchronization
import Testing
@testable import HotlineStorage

/// Intake's replies handed to the dispatcher in memory (``OutboxHandOff``): stored `sending`,
/// handed only once committed, and the table's way kept for everything else.
@Suite struct OutboxHandOffTests {
    static func receive(_ db: AppDatabase, _ i: Int) async throws -> IntakeReceipt {
        try await db.receive(GroupCommitTests.inbound(i), replyChannel: "dryrun") { _, _, n in StorageTests.casePlan(n) }
    }

    /// Each outbox row: id → (status, attempts).
    static func rows(_ db: AppDatabase) async throws -> [Int64: (String, Int)] {
        try await db.writer.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, status, attempts FROM outbox").map { ($0[0], ($0[1], $0[2])) })
        }
    }

    @Test func closedItLeavesRepliesInTheTable() async throws {
        let db = try AppDatabase.inMemory()
        _ = try await Self.receive(db, 1)
        #expect(try await db.outboxCounts() == ["pending": 2])
        #expect(db.outboxHandOff.takeBatch(limit: 10).items.isEmpty)
    }

    @Test func openItHandsOverWhatTheClaimWouldHaveRead() async throws {
        let (handing, claiming) = (try AppDatabase.inMemory(), try AppDatabase.inMemory())
        handing.outboxHandOff.open()
        for i in 1...3 {
            _ = try await Self.receive(handing, i)
            _ = try await Self.receive(claiming, i)
        }
        let handed = handing.outboxHandOff.takeBatch(limit: 100).items
        #expect(handed.count == 6)
        #expect(try await handing.outboxCounts() == ["sending": 6])
        #expect(try await handing.claimDueOutbox(now: StorageTests.now, limit: 100).isEmpty)
        // The same items, attempt and template values included, as the table's claim gives.
        let claimed = try await claiming.claimDueOutbox(now: StorageTests.now, limit: 100)
        #expect(handed == claimed.sorted { $0.outboxID < $1.outboxID })
        #expect(handed.allSatisfy { $0.attempt == 1 })
        #expect(handing.outboxHandOff.takeBatch(limit: 100).items.isEmpty)
    }

    @Test func aRequestRolledBackHandsOverNothing() async throws {
        let db = try AppDatabase.inMemory()
        db.outboxHandOff.open()
        // The writer held until all the requests wait: they run in one pass, the failing ones among
        // the others, so that the pass is rolled back and the rest run again, each alone.
        let hold = DispatchSemaphore(value: 0)
        final class Entered: Sendable { let flag = Atomic(false) }
        let entered = Entered()
        let busy = Task { try await db.writer.write { _ in entered.flag.store(true, ordering: .relaxed); hold.wait() } }
        while !entered.flag.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(10)) }
        let running = Task { await GroupCommitTests.receiveFailingEverySeventh(db, count: 21) }
        while db.groupCommit.waiting < 21 { try await Task.sleep(for: .milliseconds(10)) }
        hold.signal()
        try await busy.value
        let results = await running.value
        #expect(results.filter(\.1).count == 18)
        #expect(db.writerLoad.passes == 1, "the requests were to share one pass")
        let handed = db.outboxHandOff.takeBatch(limit: 100).items
        let rows = try await Self.rows(db)
        // Every text handed over is a stored row, `sending`; every stored row was handed over once.
        #expect(handed.count == 36 && Set(handed.map(\.outboxID)) == Set(rows.keys))
        #expect(rows.values.allSatisfy { $0 == ("sending", 1) })
    }

    @Test func fullItLeavesRepliesInTheTable() async throws {
        let db = try AppDatabase.inMemory()
        db.outboxHandOff.open()
        let filler = OutboxItem(outboxID: 0, messageID: 0, channel: "dryrun", from: "", to: "", text: "", attempt: 1)
        db.outboxHandOff.push(Array(repeating: (filler, db.outboxHandOff.stamp), count: db.outboxHandOff.capacity))
        _ = try await Self.receive(db, 1)
        #expect(try await db.outboxCounts() == ["pending": 2])
        #expect(db.outboxHandOff.takeBatch(limit: 10_000).items.count == db.outboxHandOff.capacity)
        // Room again: the next replies are handed over.
        _ = try await Self.receive(db, 2)
        #expect(db.outboxHandOff.takeBatch(limit: 10).items.count == 2)
    }

    @Test func broadcastsAndTextsDueLaterStayInTheTable() async throws {
        let db = try AppDatabase.inMemory()
        db.outboxHandOff.open()
        _ = try await db.receive(GroupCommitTests.inbound(1)) { ledger, _ in
            try ledger.enqueue([OutboundText(to: "+8613700000009", text: "通知", kind: .broadcast)], studio: "xujiawan", from: "10690001",
                               channel: "dryrun", caseID: nil)
            try ledger.enqueue([OutboundText(to: "+8613700000009", text: "稍后", kind: .acknowledgement)], studio: "xujiawan", from: "10690001",
                               channel: "dryrun", caseID: nil, due: StorageTests.now.addingTimeInterval(60))
            try ledger.enqueue([OutboundText(to: "+8613700000009", text: "现在", kind: .acknowledgement)], studio: "xujiawan", from: "10690001",
                               channel: "dryrun", caseID: nil)
            return Handled(queued: 3)
        }
        #expect(db.outboxHandOff.takeBatch(limit: 10).items.map(\.text) == ["现在"])
        #expect(try await db.outboxCounts() == ["pending": 2, "sending": 1])
    }

    /// Intake of text `i`, its two replies to its sender.
    static func receiveAnswered(_ db: AppDatabase, _ i: Int) async throws {
        let inbound = GroupCommitTests.inbound(i)
        _ = try await db.receive(inbound) { ledger, _ in
            try ledger.enqueue([OutboundText(to: inbound.from, text: "收到 \(i)", kind: .acknowledgement),
                                OutboundText(to: inbound.from, text: "已转 \(i)", kind: .caseUpdate)],
                               studio: inbound.studioID, from: inbound.to, channel: "dryrun", caseID: nil)
            return Handled(queued: 2)
        }
    }

    @Test func anErasedResidentsHandedRepliesAreNoLongerSending() async throws {
        let db = try AppDatabase.inMemory()
        db.outboxHandOff.open()
        let (erased, other) = (GroupCommitTests.inbound(1), GroupCommitTests.inbound(2))
        try await Self.receiveAnswered(db, 1)
        try await Self.receiveAnswered(db, 2)
        let counts = try await db.forgetResident(phone: erased.from, actor: "test", now: StorageTests.now)
        #expect(counts.cancelled == 2)
        // Written before the erasure: to be checked before they are sent. One written after: not.
        let batch = db.outboxHandOff.takeBatch(limit: 10)
        #expect(batch.items.count == 4 && batch.mayBeCancelled)
        let handed = batch.items
        try await Self.receiveAnswered(db, 3)
        let later = db.outboxHandOff.takeBatch(limit: 10)
        #expect(later.items.count == 2 && !later.mayBeCancelled)
        // What the dispatcher checks before sending: only the other resident's are still to go. The
        // erased one's rows are failed, and a restart does not put them back.
        let live = try await db.stillSending(handed.map(\.outboxID))
        #expect(handed.filter { live.contains($0.outboxID) }.map(\.to) == [other.from, other.from])
        #expect(try await db.outboxCounts() == ["failed": 2, "sending": 4])
        #expect(try db.recoverInterruptedSends(now: StorageTests.now) == 4)
        #expect(try await db.outboxCounts() == ["failed": 2, "pending": 4])
    }

    @Test func anErasureByAnotherProcessIsSeenToo() async throws {
        // `hotline residents forget` beside `hotline serve`: the hand-off is serve's memory.
        let (serve, dir) = try GroupCommitTests.fileDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        serve.outboxHandOff.open()
        try await Self.receiveAnswered(serve, 1)
        try await Self.receiveAnswered(serve, 2)
        // Nothing happened elsewhere: no check, no read.
        #expect(!serve.outboxHandOff.takeBatch(limit: 2).mayBeCancelled)
        let cli = try AppDatabase.open(path: dir.appendingPathComponent("h.sqlite").path)
        _ = try await cli.forgetResident(phone: GroupCommitTests.inbound(2).from, actor: "test", now: StorageTests.now)
        // serve's next commit sees another process's: what was written before is checked.
        try await Self.receiveAnswered(serve, 3)
        let batch = serve.outboxHandOff.takeBatch(limit: 10)
        #expect(batch.items.count == 4 && batch.mayBeCancelled)
        let live = try await serve.stillSending(batch.items.map(\.outboxID))
        #expect(batch.items.filter { live.contains($0.outboxID) }.map(\.to) == Array(repeating: GroupCommitTests.inbound(3).from, count: 2))
    }

    @Test func aSendOnItsWayWhenTheResidentWasErasedIsNotTriedAgain() async throws {
        let db = try AppDatabase.inMemory()
        db.outboxHandOff.open()
        let erased = GroupCommitTests.inbound(1)
        try await Self.receiveAnswered(db, 1)
        let taken = db.outboxHandOff.takeBatch(limit: 10).items
        #expect(taken.count == 2)
        _ = try await db.forgetResident(phone: erased.from, actor: "test", now: StorageTests.now)
        // The gateway refused both for now; neither goes back to pending.
        try await db.record(taken.map { ($0, .failed(error: "503", retryAt: StorageTests.now)) }, now: StorageTests.now)
        #expect(try await db.outboxCounts() == ["failed": 2])
        #expect(try await db.claimDueOutbox(now: StorageTests.now.addingTimeInterval(60), limit: 10).isEmpty)
    }

    /// Whether `signal` was raised since its start.
    static func wakes(_ signal: OutboxSignal) -> Bool { signal.generation > 0 }

    @Test func aCommitOfHandedRowsOnlyDoesNotWakeTheDispatcher() async throws {
        // Its wake-up comes with the hand-over (after the log sync); one at the commit would send
        // it to claim from the table for nothing.
        let ack = [OutboundText(to: "+8613700000009", text: "收到", kind: .acknowledgement)]
        let handed = try AppDatabase.inMemory()
        _ = try await handed.writer.write { db in
            try CaseLedger(db: db, now: StorageTests.now, handOff: HandOffBatch(handed.outboxHandOff))
                .enqueue(ack, studio: "xujiawan", from: "10690001", channel: "dryrun", caseID: nil)
        }
        #expect(!Self.wakes(handed.outboxCommits))
        let queued = try AppDatabase.inMemory()
        try await queued.writer.write { db in
            try CaseLedger(db: db, now: StorageTests.now, handOff: HandOffBatch(queued.outboxHandOff))
                .enqueue(ack, studio: "xujiawan", from: "10690001", channel: "dryrun", caseID: nil)
            try CaseLedger(db: db, now: StorageTests.now).enqueue(ack, studio: "xujiawan", from: "10690001", channel: "dryrun", caseID: nil)
        }
        #expect(try await queued.outboxCounts() == ["pending": 1, "sending": 1])
        #expect(Self.wakes(queued.outboxCommits))
    }
}

/// The dispatcher's lanes' wake-up: one wake releases every lane waiting, and none is lost to a
/// lane that was busy when it came.
@Suite struct OutboxSignalTests {
    @Test func aWakeReleasesEveryWaiterAndOneThatCameMeanwhileReturnsAtOnce() async throws {
        let signal = OutboxSignal()
        let seen = signal.generation
        final class Released: Sendable { let count = Mutex(0) }
        let released = Released()
        let waiters = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<3 { group.addTask { await signal.wait(since: seen); released.count.withLock { $0 += 1 } } }
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(released.count.withLock { $0 } == 0)
        signal.wake()
        await waiters.value
        #expect(released.count.withLock { $0 } == 3 && signal.generation == seen + 1)
        // A wake since the generation noted: no waiting at all.
        await signal.wait(since: seen)
    }

    @Test func aHandOverReleasesOneWaiterAndGivesTheTableNoTurn() async throws {
        let signal = OutboxSignal()
        #expect(signal.claimTurn() && !signal.claimTurn(), "news at start, taken once")
        let seen = signal.generation
        final class Released: Sendable { let count = Mutex(0) }
        let released = Released()
        let waiters = (0..<3).map { _ in Task { await signal.wait(since: seen); released.count.withLock { $0 += 1 } } }
        while signal.waiters < 3 { try await Task.sleep(for: .milliseconds(10)) }
        signal.wakeOne()
        try await Task.sleep(for: .milliseconds(100))
        #expect(released.count.withLock { $0 } == 1 && signal.waiters == 2)
        #expect(!signal.claimTurn())
        // Rows in the table: every lane, and one turn.
        signal.wake()
        for waiter in waiters { await waiter.value }
        #expect(released.count.withLock { $0 } == 3)
        #expect(signal.claimTurn() && !signal.claimTurn())
        signal.moreInTable()
        #expect(signal.claimTurn())
    }

    @Test func aCancelledWaiterReturns() async throws {
        let signal = OutboxSignal()
        let waiter = Task { await signal.wait(since: signal.generation) }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        await waiter.value
        #expect(signal.generation == 0)
    }
}
