import Foundation
import Synchronization

/// Failures per key (an address's logins, an account's look-ups that miss): after `limit` within
/// `window`, that key waits out the window. A success in between clears nothing, so guesses cannot
/// be spread between one's own good logins. Kept in memory: a restart forgets, which is the
/// harmless direction. (The per-account lock is ``StaffAccounts``'s.)
final class LoginThrottle: Sendable {
    let limit: Int
    let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])

    init(limit: Int = 10, window: TimeInterval = 15 * 60) {
        self.limit = limit
        self.window = window
    }

    /// Seconds the address must wait, or nil.
    func blocked(_ address: String, now: Date) -> TimeInterval? {
        failures.withLock { all in
            let recent = (all[address] ?? []).filter { now.timeIntervalSince($0) < window }
            all[address] = recent.isEmpty ? nil : recent
            guard recent.count >= limit, let first = recent.first else { return nil }
            return window - now.timeIntervalSince(first)
        }
    }

    func failed(_ address: String, now: Date) {
        failures.withLock { all in
            // Bounded: a flood from many addresses cannot grow this without end.
            if all.count > 10_000 { all.removeAll() }
            all[address, default: []].append(now)
        }
    }

}
