import Foundation

/// When to try an outbound send again: exponential backoff with jitter, capped, for a bounded number of attempts.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    /// Delay before the second attempt.
    public var initialDelay: TimeInterval
    public var maxDelay: TimeInterval
    /// Fraction of the delay drawn at random (0 … 1), so that many failures do not retry in step.
    public var jitter: Double

    public init(maxAttempts: Int = 8, initialDelay: TimeInterval = 2, maxDelay: TimeInterval = 600, jitter: Double = 0.2) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
    }

    /// The delay after failed attempt number `attempt` (1-based), or nil when no attempt is left.
    /// - Parameter random: a value in 0..<1 (injected so tests are exact).
    public func delay(afterAttempt attempt: Int, random: Double) -> TimeInterval? {
        guard attempt < maxAttempts else { return nil }
        let base = min(maxDelay, initialDelay * pow(2, Double(attempt - 1)))
        return base * (1 - jitter + 2 * jitter * random)
    }
}
