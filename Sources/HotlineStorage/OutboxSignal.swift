import GRDB
import Synchronization

/// A wake-up for the dispatcher's lanes, each waiting on its own, and whether the outbox table
/// may hold work for them.
///
/// Two kinds of news: rows queued in the table (a commit, a retry falling due — the ticker, a
/// shutdown) release every lane waiting and give the table a turn (``claimTurn()``); texts
/// handed over in memory (``OutboxHandOff``) release one lane, and leave the table alone — each
/// hand-over woke every lane, and those that found it taken each claimed from an empty table.
///
/// Each lane notes ``generation`` before it looks for work and waits ``wait(since:)`` that
/// generation when it found none: a wake that came meanwhile returns at once, so none is lost.
public final class OutboxSignal: Sendable {
    private struct State: ~Copyable {
        var generation = 0
        var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())
    /// Rows may wait in the table since its last claim: at start, whatever the last run left.
    private let tableNews = Atomic<Bool>(true)

    public init() {}

    /// How many wakes there have been.
    public var generation: Int { state.withLock { $0.generation } }

    /// How many lanes wait now.
    public var waiters: Int { state.withLock { $0.waiting.count } }

    /// Rows may wait in the table: every lane is asked for a pass soon, and the table gets a turn.
    public func wake() {
        tableNews.store(true, ordering: .sequentiallyConsistent)
        let waiting = state.withLock { s in
            s.generation += 1
            defer { s.waiting = [:] }
            return s.waiting
        }
        for continuation in waiting.values { continuation.resume() }
    }

    /// Texts were handed over: one lane waiting is released (none waiting: a busy one goes round
    /// again, as it finds the new generation).
    public func wakeOne() {
        let one = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.generation += 1
            guard let first = s.waiting.first else { return nil }
            s.waiting.removeValue(forKey: first.key)
            return first.value
        }
        one?.resume()
    }

    /// Whether the table may hold work since it was last claimed from, taking the turn: a lane
    /// claims only when it does (news after this call give the next one).
    public func claimTurn() -> Bool { tableNews.exchange(false, ordering: .sequentiallyConsistent) }

    /// A claim filled its batch: more may be waiting in the table.
    public func moreInTable() { tableNews.store(true, ordering: .sequentiallyConsistent) }

    /// Returns once a wake after `generation` has come (at once when one already has), or when
    /// the task is cancelled.
    public func wait(since generation: Int) async {
        let id = state.withLock { s in
            defer { s.nextWaiter += 1 }
            return s.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.generation != generation || Task.isCancelled { return true }
                    s.waiting[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiting.removeValue(forKey: id) }?.resume()
        }
    }
}

/// Raises ``OutboxSignal`` after each commit that inserted outbox rows: whoever queues a text
/// inside a transaction wakes the dispatcher by committing it, and nobody wakes it by hand.
/// Intake inserts its rows through SQLite's C API (``BoundStatement``), which GRDB's change
/// tracking does not see, so the observer asks the table itself after each commit: a higher
/// largest id than it last saw means rows were queued. (`retryFailed`, which puts rows back to
/// pending, raises the signal in its own method.)
final class OutboxCommitObserver: TransactionObserver, @unchecked Sendable {
    // Touched only on the writer's queue, between its transactions: no lock needed.
    private var lastID: Int64
    let signal: OutboxSignal
    /// Rows intake handed to the dispatcher in memory need no wake-up for the table.
    let handOff: OutboxHandOff

    /// The database's `data_version` on the writer's connection as last read: it moves when
    /// another process commits (the CLI beside `hotline serve`), never for this connection's own.
    private var dataVersion: Int

    init(signal: OutboxSignal, handOff: OutboxHandOff, lastID: Int64, dataVersion: Int) {
        self.signal = signal
        self.handOff = handOff
        self.lastID = lastID
        self.dataVersion = dataVersion
    }

    /// `PRAGMA data_version` on `db`'s connection.
    static func dataVersion(_ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
    }

    /// The largest outbox id there is (0 for none): one step down the table's b-tree.
    static func largestID(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(id), 0) FROM outbox")) ?? 0
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case let .insert(table) = eventKind { return table == "outbox" }
        return false
    }

    func databaseDidChange(with event: DatabaseEvent) {
        stopObservingDatabaseChangesUntilNextTransaction()
    }

    func databaseDidCommit(_ db: Database) {
        let handed = handOff.endTransaction()
        // Another process committed since this connection's last transaction: it may have
        // cancelled rows whose texts wait in the hand-off (`hotline residents forget`).
        if let version = try? Self.dataVersion(db), version != dataVersion {
            dataVersion = version
            handOff.rowsMayBeCancelled()
        }
        // A read that fails leaves the dispatcher to its ticker: nothing is lost, only later.
        guard let id = try? Self.largestID(db), id > lastID else { return }
        // A transaction's rows take the ids after the largest: more new ids than rows handed over
        // means some wait in the table.
        let queued = id - lastID
        lastID = id
        if queued > handed { signal.wake() }
    }

    func databaseDidRollback(_ db: Database) { _ = handOff.endTransaction() }
}
