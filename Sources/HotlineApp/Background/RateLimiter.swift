import Foundation

/// Spaces sends on one channel to at most `perSecond`: each caller gets the next free slot.
actor RateLimiter {
    private let interval: Duration
    private var next: ContinuousClock.Instant = .now

    init(perSecond: Double) {
        interval = .nanoseconds(Int64(1e9 / perSecond))
    }

    /// Waits for this caller's slot.
    func acquire() async {
        let now = ContinuousClock.now
        let slot = max(now, next)
        next = slot + interval
        if slot > now { try? await Task.sleep(until: slot, clock: .continuous) }
    }
}
