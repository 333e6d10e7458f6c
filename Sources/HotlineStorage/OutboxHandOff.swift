import Synchronization

/// Intake's own replies, handed to the dispatcher in memory once their transaction is durable,
/// instead of waiting in the outbox for its claim.
///
/// While the dispatcher runs (``open()``), intake inserts its replies' outbox rows already
/// `sending`, their first attempt counted, and after the commit (and its log sync) pushes them
/// here; the dispatcher takes them before it claims from the table. The claim — a read of the
/// due rows, an update of each, and the parse of its template values — was a writer pass of its
/// own for every batch of replies (the writer is intake's one serial part). Nothing is lost on a
/// crash: the rows are in the table, `sending`, and start-up puts them back to pending, as for a
/// claimed batch cut short.
///
/// Bounded: past `capacity` texts waiting here (a gateway that does not keep up), intake queues
/// its replies `pending` in the table as before, until the dispatcher has taken them.
///
/// A row may be cancelled while its text waits here (a resident erased, by this process or by
/// the CLI beside `hotline serve`): each text carries the count of ``rowsMayBeCancelled()`` calls
/// when its row was written, and a batch holding one written before the latest is checked against
/// the table before it is sent (``HandedBatch/mayBeCancelled``). Otherwise no read at all: one a
/// batch cost a fifth more CPU a message in process.
public final class OutboxHandOff: Sendable {
    private struct State: ~Copyable {
        var open = false
        var items: [(item: OutboxItem, stamp: Int)] = []
    }

    /// What the dispatcher takes: texts, and whether a row among them may have been cancelled
    /// since it was written (to be checked, ``AppDatabase/stillSending(_:)``).
    public struct HandedBatch: Sendable {
        public var items: [OutboxItem]
        public var mayBeCancelled: Bool
    }

    /// Calls of ``rowsMayBeCancelled()``: the stamp of the texts written now.
    private let cancellations = Atomic<Int>(0)

    private let state = Mutex(State())
    /// Rows inserted `sending` in the writer's open transaction: its commit need not wake the
    /// dispatcher for them (``OutboxCommitObserver``). Touched on the writer's queue only.
    private let handedInTransaction = Atomic<Int>(0)
    let capacity: Int
    private let wake: @Sendable () -> Void

    init(capacity: Int = 4_096, wake: @escaping @Sendable () -> Void) {
        self.capacity = capacity
        self.wake = wake
    }

    /// From now on intake hands its replies over; the dispatcher calls it after putting rows a
    /// crash left `sending` back to pending (or it would put back rows handed over meanwhile).
    public func open() { state.withLock { $0.open = true } }

    /// Stops handing over (the dispatcher stops); what was handed and not taken stays `sending`
    /// in the table until the next start-up puts it back to pending.
    public func close() {
        state.withLock { s in
            s.open = false
            s.items = []
        }
    }

    /// Whether a reply queued now should be handed over: open, and room for it.
    var accepting: Bool { state.withLock { $0.open && $0.items.count < capacity } }

    /// Up to `limit` handed texts, oldest first, and whether any may have been cancelled since.
    public func takeBatch(limit: Int) -> HandedBatch {
        let now = cancellations.load(ordering: .sequentiallyConsistent)
        return state.withLock { s in
            let n = min(limit, s.items.count)
            guard n > 0 else { return HandedBatch(items: [], mayBeCancelled: false) }
            defer { s.items.removeFirst(n) }
            let taken = s.items.prefix(n)
            return HandedBatch(items: taken.map(\.item), mayBeCancelled: taken.contains { $0.stamp < now })
        }
    }

    /// Rows may have been cancelled: an erasure in this process (called in its transaction, on the
    /// writer), or a commit by another process (the commit observer sees the database's
    /// `data_version` move). Texts written before are checked before they are sent.
    public func rowsMayBeCancelled() { cancellations.add(1, ordering: .sequentiallyConsistent) }

    /// The stamp of a text written now, on the writer.
    var stamp: Int { cancellations.load(ordering: .sequentiallyConsistent) }

    /// Texts committed `sending` for the dispatcher, each with its stamp: called once their
    /// transaction is durable.
    func push(_ items: [(item: OutboxItem, stamp: Int)]) {
        guard !items.isEmpty else { return }
        // Closed meanwhile: the rows stay `sending` until start-up, as a batch cut short.
        guard state.withLock({ s in
            guard s.open else { return false }
            s.items += items
            return true
        }) else { return }
        wake()
    }

    /// A row inserted `sending` in the writer's transaction (see ``handedInTransaction``).
    func countHanded() { handedInTransaction.add(1, ordering: .relaxed) }

    /// The rows handed over in the transaction that just ended, reset for the next.
    func endTransaction() -> Int { handedInTransaction.exchange(0, ordering: .relaxed) }
}

/// One intake's replies for the hand-off, collected in its transaction and pushed after it.
final class HandOffBatch: Sendable {
    let handOff: OutboxHandOff
    private let collected = Mutex<[(item: OutboxItem, stamp: Int)]>([])

    init(_ handOff: OutboxHandOff) { self.handOff = handOff }

    /// Forgets what a run rolled back had collected (group commit may run a request twice).
    func reset() { collected.withLock { $0 = [] } }

    func add(_ item: OutboxItem) {
        let stamp = handOff.stamp
        collected.withLock { $0.append((item, stamp)) }
        handOff.countHanded()
    }

    var items: [(item: OutboxItem, stamp: Int)] { collected.withLock { $0 } }
}
