import Foundation
import Synchronization

/// When a background service last showed it is working, and whether one is expected at all.
public final class Heartbeat: Sendable {
    private let state = Mutex<(expected: Bool, last: Date?)>((false, nil))

    public init() {}

    /// A service that beats is running in this process: from now on its silence means trouble.
    public func expect() { state.withLock { $0.expected = true } }

    public func beat(_ now: Date) { state.withLock { $0.last = now } }

    /// Whether it beat within `seconds` before `now` (true when none is expected).
    public func isAlive(now: Date, within seconds: TimeInterval) -> Bool {
        state.withLock { s in !s.expected || (s.last.map { now.timeIntervalSince($0) <= seconds } ?? false) }
    }
}

/// Whether intake's last attempt to store a text failed, lately: a full disk can refuse every
/// text while the health probe's one-row update, which needs no new space, still commits.
public final class StoreFailures: Sendable {
    private let state = Mutex<(failed: Date?, stored: Date?)>((nil, nil))
    /// Whether a failure is on record: every stored text asks, and almost always the answer is no
    /// (one atomic load on intake's path, no lock, no clock).
    private let anyFailure = Atomic<Bool>(false)

    public init() {}

    public func failed(_ now: Date) {
        state.withLock { $0.failed = now }
        anyFailure.store(true, ordering: .releasing)
    }

    public func stored(_ now: @autoclosure () -> Date) {
        guard anyFailure.load(ordering: .acquiring) else { return }
        let at = now()
        state.withLock { $0.stored = at }
    }

    /// A text failed to be stored within `seconds` before `now`, and none was stored since.
    public func isFailing(now: Date, within seconds: TimeInterval = 60) -> Bool {
        state.withLock { s in
            guard let failed = s.failed, now.timeIntervalSince(failed) <= seconds else { return false }
            return s.stored.map { $0 < failed } ?? true
        }
    }
}
