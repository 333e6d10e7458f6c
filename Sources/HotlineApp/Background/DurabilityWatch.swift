import HotlineStorage
import Logging
import ServiceLifecycle

/// Stops `hotline serve` once a sync of the database's log has failed (``AppDatabase/durabilityLost``):
/// intake then stores nothing, and a process that went on running would answer every text with a
/// 5xx and leave the replies of the texts committed before the failure unsent. Its error ends the
/// service group, so the process exits non-zero and a supervisor (systemd's `Restart=on-failure`)
/// starts it again: the start-up recovery reads the log as the disk has it and sends what the
/// outbox held. (PostgreSQL stops on a failed fsync for the same reason.)
public struct DurabilityWatch: Service {
    let database: AppDatabase, logger: Logger, interval: Duration

    public init(_ parts: HotlineParts, interval: Duration = .milliseconds(200)) {
        (database, logger, self.interval) = (parts.database, parts.logger, interval)
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if let lost = database.durabilityLost {
                logger.critical("stopping: \(lost)")
                throw lost
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
