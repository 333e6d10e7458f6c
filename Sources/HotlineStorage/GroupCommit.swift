import GRDB
import Synchronization

/// Group commit: write requests that arrive while the writer is busy wait in a queue, and the next
/// pass runs all of them in one transaction, commits once, and only then answers each caller.
///
/// Every answer still comes after its own commit, so a 2xx sent on it survives a crash; what the
/// batch saves is the per-transaction cost (the WAL commit and its fsync, the writer queue's hop)
/// that otherwise bounds intake at one request per transaction.
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

    private struct State: ~Copyable {
        var pending: [Job] = []
        /// A pass is scheduled or running on the writer; new jobs join the queue it will drain.
        var scheduled = false
    }

    /// One caller's work. `run` executes it and returns how to answer the caller once its
    /// transaction is committed; `fail` answers with an error.
    private struct Job: Sendable {
        let run: @Sendable (Database) throws -> () -> Void
        let fail: @Sendable (any Error) -> Void
    }

    init(writer: any DatabaseWriter, maxBatch: Int = 256) {
        self.writer = writer
        self.maxBatch = maxBatch
    }

    /// Runs `body` in the next batch's transaction and returns its result once that transaction
    /// is committed. If `body` throws, nothing it did is stored and the error is thrown here.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
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
            let batch = state.withLock { s in
                let n = min(s.pending.count, maxBatch)
                let batch = Array(s.pending.prefix(n))
                s.pending.removeFirst(n)
                return batch
            }
            var answers: [() -> Void] = []
            answers.reserveCapacity(batch.count)
            do {
                try db.inTransaction {
                    for job in batch { answers.append(try job.run(db)) }
                    return .commit
                }
                for answer in answers { answer() }
            } catch {
                // Rolled back whole: each request again on its own.
                for job in batch { runAlone(job, db) }
            }
            let again = state.withLock { s in
                if s.pending.isEmpty { s.scheduled = false; return false }
                return true
            }
            if again { schedulePass() }
        }
    }

    private func runAlone(_ job: Job, _ db: Database) {
        var answer: (() -> Void)?
        do {
            try db.inTransaction {
                answer = try job.run(db)
                return .commit
            }
            answer?()
        } catch {
            job.fail(error)
        }
    }
}
