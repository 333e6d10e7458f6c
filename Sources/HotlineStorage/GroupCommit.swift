import Dispatch
import Foundation
import GRDB
import Synchronization

/// Group commit: write requests that arrive while the writer is busy wait in a queue, and the next
/// pass runs all of them in one transaction, commits once, and only then answers each caller.
///
/// Every answer still comes after its own commit is on the disk, so a 2xx sent on it survives a
/// power cut; what the batch saves is the per-transaction cost (the WAL commit and its fsync, the
/// writer queue's hop) that otherwise bounds intake at one request per transaction.
///
/// On a database file (``LogSync``), a pass commits at `synchronous = NORMAL` — the commit writes
/// the log and does not wait for the disk — and its callers are answered from another thread once
/// an `fdatasync` of the log that began after the commit has returned; meanwhile the writer runs
/// the next pass. Measured, the writer otherwise spent a quarter of its time waiting for the disk.
/// Until that sync returns, the pass's rows are visible to readers and to the next pass (a retry
/// finds its first attempt), as a crash of the process alone keeps them (they are in the kernel);
/// a power cut before the sync may lose them, and then no caller was told they were stored. The
/// outbox dispatcher claims through group commit too, so no text is sent on a commit not yet
/// durable. Every other write keeps `synchronous = FULL`.
///
/// When a log sync fails, its passes' callers get the error and group commit refuses every request
/// after it (``DurabilityLost``) without running it: Linux reports a failed write-back once, so a
/// later sync that succeeds does not prove the earlier pages reached the disk, and a retry that
/// found its first attempt would be answered as stored. (PostgreSQL stops on a failed fsync for the
/// same reason.) Only a restart, whose recovery re-reads the log, makes writes trustworthy again.
///
/// When one request of a batch throws, the batch's transaction is rolled back and each request
/// runs again alone, in its own transaction: the failing one gets its error and the others are
/// stored. Requests must therefore have no effect outside the database (they may run twice).
/// A savepoint per request would isolate them without the rerun, but SQLite then copies every
/// page a request touches to a statement journal: measured, that was 50 writes per message.
final class GroupCommit: Sendable {
    private let writer: any DatabaseWriter
    private let maxBatch: Int
    private let state = Mutex(State())
    /// Answers passes' callers once the log is on the disk; nil: each commit waits for the disk
    /// itself, as the connection's `synchronous` says (an in-memory database in tests).
    private let durability: LogSyncer?
    /// What the passes have done since the writer opened (``load``).
    private let passes = Atomic<Int>(0), writes = Atomic<Int>(0), cpuNanoseconds = Atomic<Int>(0)

    private struct State: ~Copyable {
        var pending: [Job] = []
        /// A pass is scheduled or running on the writer; new jobs join the queue it will drain.
        var scheduled = false
    }

    /// One caller's work. `run` executes it and returns how to answer the caller once its
    /// transaction is committed; `fail` answers with an error.
    private struct Job: Sendable {
        let run: @Sendable (Database) throws -> @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
    }

    /// `logSync`: makes the log durable (``LogSync``), for a writer whose `synchronous` is FULL.
    init(writer: any DatabaseWriter, maxBatch: Int = 256, logSync: (@Sendable () throws -> Void)? = nil) {
        self.writer = writer
        self.maxBatch = maxBatch
        self.durability = logSync.map { LogSyncer(sync: $0) }
    }

    /// Whether passes commit without waiting for the disk (their callers answered after a log sync).
    var commitsBeforeTheDisk: Bool { durability != nil }

    /// The failed log sync after which nothing is stored, if one failed.
    var durabilityLost: DurabilityLost? { durability?.lost }

    /// Requests waiting for the next pass (for tests that need a batch of a known size).
    var waiting: Int { state.withLock { $0.pending.count } }

    /// The passes so far, the writes they ran, and the writer thread's CPU time in them.
    var load: WriterLoad {
        WriterLoad(passes: passes.load(ordering: .relaxed), writes: writes.load(ordering: .relaxed),
                   cpuSeconds: Double(cpuNanoseconds.load(ordering: .relaxed)) / 1e9)
    }

    /// Runs `body` in the next batch's transaction and returns its result once that transaction
    /// is committed. If `body` throws, nothing it did is stored and the error is thrown here.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        if let lost = durabilityLost { throw lost }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(
                run: { db in
                    let value = try body(db)
                    return { continuation.resume(returning: value) }
                },
                fail: { continuation.resume(throwing: $0) })
            let schedule = state.withLock { s in
                s.pending.append(job)
                if s.scheduled { return false }
                s.scheduled = true
                return true
            }
            if schedule { schedulePass() }
        }
    }

    /// Queues one pass on the writer. Each pass takes one batch, so that other writes (the outbox
    /// dispatcher, the deadline service) queue between batches rather than behind all of intake.
    private func schedulePass() {
        writer.asyncWriteWithoutTransaction { [self] db in
            let cpuAtStart = Self.threadCPUNanoseconds()
            let batch = state.withLock { s in
                let n = min(s.pending.count, maxBatch)
                let batch = Array(s.pending.prefix(n))
                s.pending.removeFirst(n)
                return batch
            }
            var stored: [LogSyncer.Outcome] = []
            var durability: LogSyncer?
            let refused = durabilityLost
            if let lost = refused {
                // Queued before the sync failed: refused, not run (see the type's summary).
                for job in batch { job.fail(lost) }
            } else {
                durability = self.durability.flatMap { Self.setSynchronous(db, "NORMAL") ? $0 : nil }
                stored.reserveCapacity(batch.count)
                do {
                    try db.inTransaction {
                        for job in batch { stored.append(.init(answer: try job.run(db), fail: job.fail)) }
                        return .commit
                    }
                } catch {
                    // Rolled back whole: each request again on its own.
                    stored.removeAll()
                    for job in batch {
                        if let answer = runAlone(job, db) { stored.append(.init(answer: answer, fail: job.fail)) }
                    }
                }
                // Every write outside a pass waits for the disk at its commit.
                if durability != nil { _ = Self.setSynchronous(db, "FULL") }
            }
            // Counted before the answers: a caller answered reads the pass it was in. A batch
            // refused after a failed sync ran nothing (``WriterLoad``).
            if refused == nil {
                passes.add(1, ordering: .relaxed)
                writes.add(batch.count, ordering: .relaxed)
            }
            cpuNanoseconds.add(Self.threadCPUNanoseconds() - cpuAtStart, ordering: .relaxed)
            if let durability {
                durability.answer(stored)
            } else {
                for outcome in stored { outcome.answer() }
            }
            let again = state.withLock { s in
                if s.pending.isEmpty { s.scheduled = false; return false }
                return true
            }
            if again { schedulePass() }
        }
    }

    /// Runs `job` in a transaction of its own: how to answer it once committed, or nil when it
    /// failed (and was answered with its error).
    private func runAlone(_ job: Job, _ db: Database) -> (@Sendable () -> Void)? {
        var answer: (@Sendable () -> Void)?
        do {
            try db.inTransaction {
                answer = try job.run(db)
                return .commit
            }
            return answer
        } catch {
            job.fail(error)
            return nil
        }
    }

    /// The calling thread's CPU time, ns: the writer's passes are intake's one serial part, and
    /// their CPU a message is what bounds its rate (wall time would count waits for the CPU).
    private static func threadCPUNanoseconds() -> Int {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return t.tv_sec * 1_000_000_000 + t.tv_nsec
    }

    /// `PRAGMA synchronous = level` on the writer, outside a transaction: whether it was set.
    private static func setSynchronous(_ db: Database, _ level: StaticString) -> Bool {
        do {
            try db.cachedStatement(sql: "PRAGMA synchronous = \(level)").execute()
            return true
        } catch {
            return false
        }
    }
}

/// What group commit's passes have done since the database opened: intake's serial part.
public struct WriterLoad: Sendable, Equatable {
    public var passes: Int
    /// Write requests the passes ran (texts in, the dispatcher's claims and records, the indexer's batches).
    public var writes: Int
    /// The writer thread's CPU time in the passes.
    public var cpuSeconds: Double
}

/// Answers passes' callers once the log holding their commits is on the disk: one sync, on a
/// thread of its own, covers every pass committed before it began.
private final class LogSyncer: Sendable {
    /// A stored request: how to answer it, or to fail it if its commit cannot be made durable.
    struct Outcome: Sendable {
        let answer: @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
    }

    private struct Waiting: ~Copyable {
        var outcomes: [Outcome] = []
        /// A drain is queued or running; new outcomes wait for its next sync.
        var draining = false
    }

    private let sync: @Sendable () throws -> Void
    private let queue = DispatchQueue(label: "hotline.log-sync", qos: .userInitiated)
    private let waiting = Mutex(Waiting())
    private let failure = Mutex<DurabilityLost?>(nil)

    /// Set by the first sync that failed; never cleared.
    var lost: DurabilityLost? { failure.withLock { $0 } }

    init(sync: @escaping @Sendable () throws -> Void) {
        self.sync = sync
    }

    /// Answers `outcomes` after the next sync; called after their commit returned.
    func answer(_ outcomes: [Outcome]) {
        guard !outcomes.isEmpty else { return }
        let start = waiting.withLock { w in
            w.outcomes += outcomes
            if w.draining { return false }
            w.draining = true
            return true
        }
        if start { queue.async { self.drain() } }
    }

    private func drain() {
        while true {
            let batch = waiting.withLock { w -> [Outcome]? in
                if w.outcomes.isEmpty { w.draining = false; return nil }
                defer { w.outcomes = [] }
                return w.outcomes
            }
            guard let batch else { return }
            if let lost {
                // Committed after the failed sync: a sync now could succeed without the lost pages.
                for outcome in batch { outcome.fail(lost) }
                continue
            }
            do {
                try sync()
                for outcome in batch { outcome.answer() }
            } catch {
                failure.withLock { $0 = $0 ?? DurabilityLost(cause: "\(error)") }
                for outcome in batch { outcome.fail(error) }
            }
        }
    }
}

/// A sync of the database's log failed: what was committed since the last good sync may not be on
/// the disk, and no later sync can tell. Intake stores nothing more (each request gets this
/// error, a webhook a 5xx that its gateway retries) and `hotline serve` stops; started again, the
/// database's recovery reads the log as the disk has it and the outbox's interrupted texts go out.
public struct DurabilityLost: Error, CustomStringConvertible, Sendable, Equatable {
    /// The failed sync, as its error described it.
    public let cause: String

    public var description: String {
        "the database's log could not be written to the disk (\(cause)): nothing more is stored until the service is restarted"
    }
}
