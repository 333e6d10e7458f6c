import Foundation
import HotlineCore
import HotlineStorage
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// When the newest good backup was made, for `/metrics` (`hotline_backup_age_seconds`).
public final class BackupStatus: Sendable {
    private let newest = Mutex<Date?>(nil)

    public init() {}

    public func record(_ made: Date) { newest.withLock { $0 = max($0 ?? made, made) } }

    /// The newest good backup's time (nil: none yet, or no schedule).
    public var newestGood: Date? { newest.withLock { $0 } }
}

/// `backup:` in hotline.yaml: every `every_hours` a backup of the live database in `dir`, named by
/// its time, checked (`PRAGMA integrity_check`) before the oldest beyond `keep` are removed.
/// The copy reads a snapshot on a thread of its own (``DatabaseCopy``): intake goes on meanwhile.
/// The schedule follows the names in `dir`, so a restart does not make a backup it already has.
public struct BackupService: Service {
    let database: AppDatabase, settings: BackupSettings, status: BackupStatus, clock: WallClock, logger: Logger
    /// How often the service looks whether a backup is due; a failed one is tried again after `retry`.
    let tick: Duration, retry: TimeInterval

    public init(_ parts: HotlineParts, settings: BackupSettings, tick: Duration = .seconds(60), retry: TimeInterval = 900) {
        (database, self.settings, status, clock, logger) = (parts.database, settings, parts.backups, parts.clock, parts.logger)
        (self.tick, self.retry) = (tick, retry)
    }

    public func run() async throws {
        if let newest = BackupSchedule.newest(names()) { status.record(newest) }
        var lastFailure: Date?
        await Periodic.run(every: tick) {
            let now = clock.now()
            guard BackupSchedule.isDue(newest: status.newestGood, now: now, everyHours: settings.everyHours),
                  lastFailure.map({ now.timeIntervalSince($0) >= retry }) ?? true else { return }
            do {
                try await makeOne(now: now)
                lastFailure = nil
            } catch {
                lastFailure = now
                Counter(label: "hotline_backup_failures_total").increment()
                logger.error("backup failed: \(error)", metadata: ["dir": "\(settings.directory)"])
            }
        }
    }

    /// Makes one backup now, then removes the oldest beyond `keep`.
    func makeOne(now: Date) async throws {
        let path = (settings.directory as NSString).appendingPathComponent(BackupSchedule.name(now))
        let started = ContinuousClock.now
        let database = self.database
        let check = try await withCheckedThrowingContinuation { (done: CheckedContinuation<CopyCheck, any Error>) in
            // Seconds to minutes of blocking file work: a thread of its own, not Swift's shared ones.
            Thread.detachNewThread {
                do { done.resume(returning: try database.backup(to: path)) } catch { done.resume(throwing: error) }
            }
        }
        status.record(now)
        let took = ContinuousClock.now - started
        logger.info("backup made", metadata: [
            "file": "\(path)", "seconds": "\(took.components.seconds)", "cases": "\(check.cases)", "schema": "\(check.schema)",
        ])
        for name in BackupSchedule.toRemove(names(), keep: settings.keep) {
            do {
                try FileManager.default.removeItem(atPath: (settings.directory as NSString).appendingPathComponent(name))
                logger.info("old backup removed", metadata: ["file": "\(name)"])
            } catch {
                logger.warning("old backup not removed: \(error)", metadata: ["file": "\(name)"])
            }
        }
    }

    private func names() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: settings.directory)) ?? []
    }
}
