import GRDB

/// A wake-up signal that coalesces: many wakes while the dispatcher is busy mean one more pass.
///
/// One consumer (the dispatcher) holds one iterator for its whole life: cancelling a task that
/// waits on an `AsyncStream` finishes the stream, so timeouts come from a ticker that wakes it
/// instead of from cancelling the wait.
public final class OutboxSignal: Sendable {
    public let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a dispatcher pass soon.
    public func wake() { continuation.yield() }
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

    init(signal: OutboxSignal, handOff: OutboxHandOff, lastID: Int64) {
        self.signal = signal
        self.handOff = handOff
        self.lastID = lastID
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
