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
public final class OutboxHandOff: Sendable {
    private struct State: ~Copyable {
        var open = false
        var items: [OutboxItem] = []
    }

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

    /// Up to `limit` handed texts, oldest first.
    public func take(limit: Int) -> [OutboxItem] {
        state.withLock { s in
            let n = min(limit, s.items.count)
            guard n > 0 else { return [] }
            defer { s.items.removeFirst(n) }
            return Array(s.items.prefix(n))
        }
    }

    /// Texts committed `sending` for the dispatcher: called once their transaction is durable.
    func push(_ items: [OutboxItem]) {
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
    private let collected = Mutex<[OutboxItem]>([])

    init(_ handOff: OutboxHandOff) { self.handOff = handOff }

    /// Forgets what a run rolled back had collected (group commit may run a request twice).
    func reset() { collected.withLock { $0 = [] } }

    func add(_ item: OutboxItem) {
        collected.withLock { $0.append(item) }
        handOff.countHanded()
    }

    var items: [OutboxItem] { collected.withLock { $0 } }
}
