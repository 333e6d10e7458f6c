import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Logging
import ServiceLifecycle

/// Sends due outbox rows, retrying with backoff; a background service of `hotline serve`.
///
/// Start-up puts rows a crash left `sending` back to pending. On graceful shutdown it finishes
/// the batch in hand (and whatever is already due), then stops.
public struct OutboxDispatcher: Service {
    let hotline: Hotline
    let senders: SenderDirectory
    /// How long to sleep when nothing is due and nothing wakes it.
    let idle: Duration
    let batchSize: Int
    let random: @Sendable () -> Double
    /// Per channel, from its `rate_limit`.
    let limiters: [String: RateLimiter]

    public init(hotline: Hotline, senders: SenderDirectory, idle: Duration = .seconds(1), batchSize: Int = 64,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.hotline = hotline
        self.senders = senders
        self.idle = idle
        self.batchSize = batchSize
        self.random = random
        var limiters: [String: RateLimiter] = [:]
        for channel in hotline.settings.channels {
            if let rate = channel.rateLimit { limiters[channel.id] = RateLimiter(perSecond: rate) }
        }
        self.limiters = limiters
    }

    public func run() async throws {
        let recovered = try hotline.database.recoverInterruptedSends(now: hotline.clock.now())
        if recovered > 0 { hotline.logger.warning("outbox: \(recovered) interrupted sends put back to pending") }
        let signal = hotline.outboxSignal
        let idle = self.idle
        // Retries fall due without anyone waking the dispatcher: a ticker wakes it at least every `idle`.
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: idle)
                signal.wake()
            }
        }
        defer { ticker.cancel() }
        var wakeups = signal.stream.makeAsyncIterator()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                while try await drainOnce() > 0 && !Task.isCancelled {}
            } catch {
                hotline.logger.error("outbox: \(error)")
            }
            if Task.isShuttingDownGracefully { break }
            await withGracefulShutdownHandler {
                _ = await wakeups.next()
            } onGracefulShutdown: {
                signal.wake()
            }
        }
        // Send what is due before stopping: requests answered 200 just before the signal.
        _ = try? await drainOnce()
    }

    /// Claims one batch of due rows, sends them concurrently, and records every result in one
    /// transaction; returns how many were claimed.
    @discardableResult
    public func drainOnce() async throws -> Int {
        let items = try await hotline.database.claimDueOutbox(now: hotline.clock.now(), limit: batchSize)
        let results = await withTaskGroup(of: (OutboxItem, AppDatabase.AttemptResult).self) { group in
            for item in items {
                group.addTask { (item, await self.attempt(item)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        do {
            try await hotline.database.record(results, now: hotline.clock.now())
        } catch {
            // The rows stay `sending`; the next start-up puts them back to pending.
            hotline.logger.error("outbox: cannot record the results of \(results.count) sends: \(error)")
        }
        return items.count
    }

    /// Sends one item and decides what its outcome means for the row.
    func attempt(_ item: OutboxItem) async -> AppDatabase.AttemptResult {
        let outcome: SendOutcome
        if let sender = senders.sender(for: item.channel) {
            await limiters[item.channel]?.acquire()
            outcome = await sender.send(item)
        } else {
            outcome = .permanent("no sender for channel \(item.channel)")
        }
        let now = hotline.clock.now()
        switch outcome {
        case let .accepted(providerID):
            return .sent(providerID: providerID)
        case let .retryable(reason):
            let delay = hotline.settings.retry.delay(afterAttempt: item.attempt, random: random())
            log(item, reason, final: delay == nil)
            return .failed(error: reason, retryAt: delay.map { now.addingTimeInterval($0) })
        case let .permanent(reason):
            log(item, reason, final: true)
            return .failed(error: reason, retryAt: nil)
        }
    }

    private func log(_ item: OutboxItem, _ reason: String, final: Bool) {
        hotline.logger.warning(final ? "outbox: send failed for good" : "outbox: send failed, will retry", metadata: [
            "message": "\(item.messageID)", "to": "\(PhoneNumber.mask(item.to))", "attempt": "\(item.attempt)", "error": "\(reason)",
        ])
    }
}
