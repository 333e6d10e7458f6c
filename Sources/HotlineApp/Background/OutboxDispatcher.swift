import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Logging
import ServiceLifecycle
import Synchronization

/// Sends due outbox rows, retrying with backoff; a background service of `hotline serve`.
///
/// Start-up puts rows a crash left `sending` back to pending. On graceful shutdown it finishes
/// the batch in hand (and whatever is already due) for at most `shutdownGrace`, then stops.
public struct OutboxDispatcher: Service {
    let database: AppDatabase, deployment: Deployment, retry: RetryPolicy, clock: WallClock, logger: Logger
    /// Beats while the dispatcher works, for `/readyz`.
    let heartbeat: Heartbeat
    let senders: SenderDirectory
    /// How long to sleep when nothing is due and nothing wakes it.
    let idle: Duration
    let batchSize: Int
    /// Batches in flight at once: while one waits for its slowest send or records its results,
    /// the others keep the gateway busy.
    let lanes: Int
    let random: @Sendable () -> Double
    /// Per channel, from its `rate_limit`.
    let limiters: [String: RateLimiter]
    /// Per studio, its outbound channel when that reaches phones: where a text a follower's
    /// channel cannot carry goes to the number they bound.
    let routes: [String: SMSRoute]
    /// Called before recording a batch's results again after recording failed (attempt 1, 2, …):
    /// waits, and answers whether to try again.
    let beforeRecordRetry: @Sendable (Int) async -> Bool
    /// Batches taken so far (the table's turn, ``drainOnce()``).
    private let drains = BatchCount()

    /// Waits 0.1, 0.5, 2.5 and 12.5 s before the 1st…4th retry, then gives up.
    public static let recordRetryBackoff: @Sendable (Int) async -> Bool = { attempt in
        guard attempt <= 4 else { return false }
        try? await Task.sleep(for: .milliseconds(100 * Int(pow(5.0, Double(attempt - 1)))))
        return true
    }

    /// The defaults (4 lanes of 16) sent a notice through real Kannel at 93% of a trivial client's
    /// rate where one batch of 64 at a time reached 79% (BENCHMARKS.md, dispatch).
    public init(_ parts: HotlineParts, senders: SenderDirectory, idle: Duration = .seconds(1), batchSize: Int = 16, lanes: Int = 4,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                beforeRecordRetry: @escaping @Sendable (Int) async -> Bool = OutboxDispatcher.recordRetryBackoff) {
        (self.beforeRecordRetry, self.database, self.deployment, self.retry) = (beforeRecordRetry, parts.database, parts.settings.deployment, parts.settings.retry)
        (self.clock, self.logger, self.heartbeat, self.senders) = (parts.clock, parts.logger, parts.dispatcherHeartbeat, senders)
        (self.idle, self.batchSize, self.lanes, self.random) = (idle, batchSize, lanes, random)
        var limiters: [String: RateLimiter] = [:]
        for channel in parts.settings.channels {
            if let rate = channel.rateLimit { limiters[channel.id] = RateLimiter(perSecond: rate) }
        }
        self.limiters = limiters
        let phones = Set(parts.settings.channels.filter { $0.kind.reach == .phones }.map(\.id))
        routes = Dictionary(uniqueKeysWithValues: parts.settings.deployment.studios.compactMap { studio in
            phones.contains(studio.outboundChannel) ? (studio.id, SMSRoute(channel: studio.outboundChannel, from: studio.hotlineNumbers.first ?? "")) : nil
        })
    }

    public func run() async throws {
        let recovered = try database.recoverInterruptedSends(now: clock.now())
        if recovered > 0 { logger.warning("outbox: \(recovered) interrupted sends put back to pending") }
        // Only now: the recovery above would put back to pending what intake had handed over.
        let handOff = database.outboxHandOff
        handOff.open()
        defer { handOff.close() }
        let signal = database.outboxCommits
        let idle = self.idle
        // Retries fall due without anyone waking the dispatcher: a ticker wakes it at least every `idle`.
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: idle)
                signal.wake()
            }
        }
        defer { ticker.cancel() }
        // From the shutdown signal on, everything here (a batch in hand, then what is due) gets at
        // most `shutdownGrace`: with a gateway that does not answer, shutdown must not wait on it.
        // Sends cut short stay in the outbox (failed and due again, or `sending` until the next
        // start-up puts them back to pending).
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.sendUntilShutdown(signal) }
            group.addTask {
                guard (try? await gracefulShutdown()) != nil else { return }
                try? await Task.sleep(for: OutboxDispatcher.shutdownGrace)
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// The lanes drain whenever woken until shutdown starts, then what is due (requests answered
    /// 200 just before the signal) is sent once more.
    private func sendUntilShutdown(_ signal: OutboxSignal) async {
        await withGracefulShutdownHandler {
            await runLanes()
        } onGracefulShutdown: {
            signal.wake()
        }
        if !Task.isCancelled {
            do { _ = try await drainOnce() } catch { logger.error("outbox: last sends before stopping: \(error)") }
        }
    }

    /// The lanes, each draining whenever woken, until the task is cancelled or shutdown starts —
    /// without what ``run()`` adds around them (the start-up recovery, the hand-off opened, the
    /// ticker, the last sends): the intake benchmark runs them as they are.
    public func runLanes() async {
        let signal = database.outboxCommits
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<lanes { group.addTask { await self.lane(signal) } }
        }
    }

    /// One lane: drains while there is work, then waits for a wake. Each on its own: a send that
    /// hangs (a gateway that is down costs the transport's whole timeout, a batch at a time) holds
    /// up its own batch, not the other lanes' — they used to wait for the slowest before taking more.
    private func lane(_ signal: OutboxSignal) async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // Noted before looking: a wake while this lane drains sends it round again.
            let seen = signal.generation
            do {
                // (Each pass beats through `drainOnce`, woken at least every `idle`.)
                if try await drainOnce(tableNews: signal) > 0 { continue }
            } catch {
                logger.error("outbox: \(error)")
            }
            if Task.isShuttingDownGracefully { break }
            await signal.wait(since: seen)
        }
    }

    /// The longest graceful shutdown waits for the last sends.
    public static let shutdownGrace: Duration = .seconds(5)

    /// Takes one batch — intake's replies handed over in memory, else due rows claimed from the
    /// table — sends them concurrently, and records every result in one transaction; returns how
    /// many were taken (handed-over texts whose rows were cancelled meanwhile among them, unsent).
    /// With `tableNews`, the table is claimed from only when it has news of rows there
    /// (``OutboxSignal/claimTurn()``): a lane woken for a hand-over that another lane took finds
    /// nothing and claims nothing, instead of a claim of an empty table on the writer.
    @discardableResult
    public func drainOnce(tableNews: OutboxSignal? = nil) async throws -> Int {
        heartbeat.beat(clock.now())
        let batch = database.outboxHandOff.takeBatch(limit: batchSize)
        var items = batch.items
        let handed = items.count
        if batch.mayBeCancelled {
            // Only those still `sending`: a row cancelled since it was handed over is not sent.
            let live = try await database.stillSending(items.map(\.outboxID))
            if live.count < handed { items.removeAll { !live.contains($0.outboxID) } }
        }
        // Every fourth batch also claims from the table, so that under steady intake its rows
        // (notices, retries, replies queued while the hand-off was full) are not left waiting.
        if items.isEmpty || drains.next().isMultiple(of: 4), tableNews?.claimTurn() ?? true {
            do {
                let claimed = try await database.claimDueOutbox(now: clock.now(), limit: batchSize)
                if claimed.count == batchSize { tableNews?.moreInTable() }
                items += claimed
            } catch {
                tableNews?.moreInTable()
                throw error
            }
        }
        let results = await withTaskGroup(of: (OutboxItem, AppDatabase.AttemptResult).self) { group in
            for item in items {
                group.addTask { (item, await self.attempt(item)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        try await record(results)
        // Those taken and not sent count too: the lane goes round for what is left.
        return max(items.count, handed)
    }

    /// Records the results of sends that happened. A failure here (the database busy or full for a
    /// moment) is retried with backoff: giving up would leave the rows `sending` until the next
    /// start-up, which then sends them again.
    private func record(_ results: [(OutboxItem, AppDatabase.AttemptResult)]) async throws {
        var failures = 0
        while true {
            do {
                try await database.record(results, now: clock.now(), routes: routes)
                if failures > 0 { logger.warning("outbox: results of \(results.count) sends recorded after \(failures) failure(s)") }
                return
            } catch {
                failures += 1
                logger.error("outbox: cannot record the results of \(results.count) sends (attempt \(failures)): \(error)")
                guard await beforeRecordRetry(failures) else {
                    // The rows stay `sending`; the next start-up puts them back to pending.
                    throw error
                }
            }
        }
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
        let now = clock.now()
        switch outcome {
        case let .accepted(providerID):
            return .sent(providerID: providerID)
        case let .retryable(reason):
            let delay = retry.delay(afterAttempt: item.attempt, random: random())
            log(item, reason, final: delay == nil)
            return .failed(error: reason, retryAt: delay.map { now.addingTimeInterval($0) })
        case let .permanent(reason):
            // A follower of a channel of its own (WeChat) may be reached another way, or later.
            guard PhoneNumber.isDialable(item.to) else {
                log(item, reason, final: true, what: "outbox: refused for good; by SMS to a bound number, or waiting for the follower")
                return .undeliverable(error: reason)
            }
            log(item, reason, final: true)
            return .failed(error: reason, retryAt: nil)
        case let .optedOut(reason):
            log(item, reason, final: true)
            do {
                try await database.recordOptOut(messageID: item.messageID, channel: item.channel, sparing: deployment.rosterPhones,
                                                        alsoIn: deployment.optOutStudios, now: now)
            } catch {
                logger.error("outbox: cannot record an opt-out reported by the provider: \(error)", metadata: ["message": "\(item.messageID)"])
            }
            return .failed(error: reason, retryAt: nil)
        }
    }

    private func log(_ item: OutboxItem, _ reason: String, final: Bool, what: Logger.Message? = nil) {
        Measure.sendFailure(channel: item.channel, final: final)
        logger.warning(what ?? (final ? "outbox: send failed for good" : "outbox: send failed, will retry"), metadata: [
            "message": "\(item.messageID)", "to": "\(PhoneNumber.mask(item.to))", "attempt": "\(item.attempt)", "error": "\(reason)",
        ])
    }
}

/// A count shared by the copies of a struct.
private final class BatchCount: Sendable {
    private let value = Atomic<Int>(0)
    /// The count after adding one.
    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
}
