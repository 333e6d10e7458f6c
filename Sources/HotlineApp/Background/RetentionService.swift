import Foundation
import HotlineCore
import HotlineStorage
import Logging
import ServiceLifecycle

/// Runs the purge of `retention:` once a day: every hour it looks when the last purge was (in the
/// data audit, so a restart does not purge again nor skip a day) and purges when that was a day
/// ago or more, or never.
public struct RetentionService: Service {
    let database: AppDatabase, policy: RetentionPolicy, clock: WallClock, logger: Logger, tick: Duration

    public init(_ parts: HotlineParts, tick: Duration = .seconds(3_600)) {
        (database, policy, clock, logger, self.tick) = (parts.database, parts.settings.retention, parts.clock, parts.logger, tick)
    }

    public func run() async throws {
        await Periodic.run(every: tick, waitFirst: true) { await passIfDue() }
    }

    /// One purge if the last was a day ago or more.
    func passIfDue() async {
        do {
            let now = clock.now()
            let last = try await database.dataAudit(limit: 50).first { $0.action == "purge" }?.at
            guard last.map({ now.timeIntervalSince($0) >= 86_400 }) ?? true else { return }
            let counts = try await database.purge(policy, now: now, actor: "hotline serve")
            logger.info("purge", metadata: ["cases": "\(counts.cases)", "unlinked_messages": "\(counts.unlinkedMessages)",
                                            "residents": "\(counts.residents)", "tokens": "\(counts.tokens)"])
        } catch {
            logger.error("purge failed: \(error)")
        }
    }
}
