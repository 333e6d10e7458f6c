import GRDB
import Synchronization

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

/// The writer connections whose open transaction has inserted outbox rows. Intake inserts them
/// through SQLite's C API (``BoundStatement``), which GRDB's change tracking does not see, so the
/// insert notes it here, by connection, for ``OutboxCommitObserver`` to find at the commit.
enum OutboxInserts {
    private static let pending = Mutex<Set<UInt>>([])

    static func note(_ db: Database) {
        let key = UInt(bitPattern: db.sqliteConnection)
        pending.withLock { _ = $0.insert(key) }
    }

    /// Whether the transaction ending now on `db` inserted outbox rows (and forgets it).
    static func take(_ db: Database) -> Bool {
        let key = UInt(bitPattern: db.sqliteConnection)
        return pending.withLock { $0.remove(key) != nil }
    }
}

/// Raises ``OutboxSignal`` after each commit that inserted outbox rows: whoever queues a text
/// inside a transaction wakes the dispatcher by committing it, and nobody wakes it by hand.
/// (Rows put back to pending, `retryFailed`, raise it in the method that does so.)
final class OutboxCommitObserver: TransactionObserver, @unchecked Sendable {
    // Touched only on the writer's queue, inside its transactions: no lock needed.
    private var inserted = false
    let signal: OutboxSignal

    init(signal: OutboxSignal) { self.signal = signal }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case let .insert(table) = eventKind { return table == "outbox" }
        return false
    }

    func databaseDidChange(with event: DatabaseEvent) {
        inserted = true
        // One row is enough to know: no more callbacks in this transaction.
        stopObservingDatabaseChangesUntilNextTransaction()
    }

    func databaseDidCommit(_ db: Database) {
        if OutboxInserts.take(db) || inserted { signal.wake() }
        inserted = false
    }

    func databaseDidRollback(_ db: Database) {
        _ = OutboxInserts.take(db)
        inserted = false
    }
}
