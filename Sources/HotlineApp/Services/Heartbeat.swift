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
