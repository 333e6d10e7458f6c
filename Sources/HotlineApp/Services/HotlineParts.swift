import Foundation
import HotlineConfig
import HotlineCore
import HotlineStorage
import Logging

/// What the service is made of, once loaded: settings, the rule book, the storage door, the clock,
/// the channels' secrets and the logger. Only the composition root (``buildApplication``), the CLI
/// and tests hold it; every service is built from it and keeps just the parts it uses.
public struct HotlineParts: Sendable {
    public let settings: HotlineSettings
    public let rules: RuleBook
    public let database: AppDatabase
    public let clock: WallClock
    /// Secrets by channel id, read from the environment at start-up.
    public let secrets: [String: String]
    public let logger: Logger
    /// The channels' adapters with their secrets.
    public let channels: ChannelAdapters
    /// The dispatcher's sign of life, for `/readyz`.
    public let dispatcherHeartbeat = Heartbeat()
    /// Intake's recent failures to store, for `/healthz` and `/readyz`.
    public let storeFailures = StoreFailures()
    /// The newest good backup, for `/metrics`.
    public let backups = BackupStatus()

    public init(settings: HotlineSettings, rules table: RuleTable, database: AppDatabase, clock: WallClock = .system,
                secrets: [String: String] = [:], logger: Logger = Logger(label: "hotline")) throws {
        self.settings = settings
        self.rules = try RuleBook(table, studios: settings.deployment.studios)
        (self.database, self.clock, self.secrets, self.logger) = (database, clock, secrets, logger)
        channels = ChannelAdapters(settings: settings, secrets: secrets)
        // The studios' names and calendars in the database (the reports' tallies count by them).
        try database.syncRoster(settings.deployment, now: clock.now())
    }
}
