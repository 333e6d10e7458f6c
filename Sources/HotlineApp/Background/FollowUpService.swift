import Foundation
import HotlineCore
import HotlineStorage
import Logging
import ServiceLifecycle

/// The clock that chases what is late: reminds members before a deadline, tells the liaisons when
/// it passes, reassigns by the routing rules after a second miss, reminds residents of the
/// satisfaction question once and then records no answer; sends meeting notices' reminders. Texts
/// wait for the quiet hours to end.
public struct FollowUpService: Service {
    let casework: Casework
    let logger: Logger
    let interval: Duration

    public init(_ casework: Casework, interval: Duration = .seconds(60)) {
        self.casework = casework
        self.logger = casework.logger
        self.interval = interval
    }

    /// How often the query planner's statistics are brought up to date.
    static let optimizeEvery: TimeInterval = 3600

    public func run() async throws {
        var optimized = Date()
        await Periodic.run(every: interval) {
            do {
                let steps = try await casework.followUp()
                if steps > 0 { logger.info("follow-up", metadata: ["steps": "\(steps)"]) }
            } catch {
                logger.error("follow-up failed", metadata: ["error": "\(error)"])
            }
            if Date().timeIntervalSince(optimized) >= Self.optimizeEvery {
                optimized = Date()
                do { try await casework.database.optimize() } catch { logger.warning("PRAGMA optimize failed", metadata: ["error": "\(error)"]) }
            }
        }
    }
}
