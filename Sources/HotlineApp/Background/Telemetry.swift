import Foundation
import HotlineCore
import HotlineStorage
import Logging
import Metrics
import Prometheus

/// The service's metrics for `GET /metrics`: counters and timers recorded through swift-metrics
/// where things happen (inbound messages by channel and intent, send failures by channel, SLA
/// breaches, classification and HTTP durations), and gauges read from the database at each
/// scrape (cases by state, outbox depth and the age of its oldest due row).
///
/// swift-metrics is bootstrapped once per process (`hotline serve`); without it every recording is
/// a no-op, so the core paths pay nothing in tests and tools.
public struct Telemetry: Sendable {
    public let registry: PrometheusCollectorRegistry

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    /// A registry of its own that swift-metrics does not record into (for listing routes in tests).
    static func detached() -> Telemetry { Telemetry(registry: PrometheusCollectorRegistry()) }

    /// Bootstraps swift-metrics with a Prometheus registry: call once, before anything records.
    public static func bootstrap() -> Telemetry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [.microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
                                                   .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10),
                                                   .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                                   .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5)]
        MetricsSystem.bootstrap(factory)
        return Telemetry(registry: registry)
    }

    /// The Prometheus text: the gauges refreshed from the database first.
    /// `backups`: the newest good backup's age goes out as `hotline_backup_age_seconds` (none yet: -1).
    func scrape(_ database: AppDatabase, now: Date, logger: Logger, backups: BackupStatus? = nil) async -> String {
        if let backups {
            Gauge(label: "hotline_backup_age_seconds").record(backups.newestGood.map { max(0, now.timeIntervalSince($0)) } ?? -1)
        }
        // Intake's serial part: its CPU a text is what bounds the rate (rises like counters; from 0 at start).
        let load = database.writerLoad
        Gauge(label: "hotline_writer_passes").record(load.passes)
        Gauge(label: "hotline_writer_writes").record(load.writes)
        Gauge(label: "hotline_writer_cpu_seconds").record(load.cpuSeconds)
        let snapshot: MetricsSnapshot?
        do { snapshot = try await database.metricsSnapshot(now: now) } catch {
            // The counters still go out; the gauges keep their last values, and the log says why.
            logger.error("metrics: cannot read cases and outbox: \(error)")
            snapshot = nil
        }
        if let snapshot {
            for state in CaseState.allCases.map(\.rawValue) {
                Gauge(label: "hotline_cases", dimensions: [("state", state)]).record(snapshot.casesByState[state] ?? 0)
            }
            Gauge(label: "hotline_outbox_pending").record(snapshot.outboxPending)
            Gauge(label: "hotline_outbox_due").record(snapshot.outboxDue)
            Gauge(label: "hotline_outbox_oldest_due_seconds").record(snapshot.oldestDueSeconds)
        }
        return registry.emitToString()
    }
}

/// Names recorded where things happen.
enum Measure {
    static func inbound(channel: String, intent: String) {
        Counter(label: "hotline_inbound_messages_total", dimensions: [("channel", channel), ("intent", intent)]).increment()
    }

    static func sendFailure(channel: String, final: Bool) {
        Counter(label: "hotline_send_failures_total", dimensions: [("channel", channel), ("final", final ? "true" : "false")]).increment()
    }

    static func slaBreach(step: String) {
        Counter(label: "hotline_sla_breaches_total", dimensions: [("step", step)]).increment()
    }

    static func classification(nanoseconds: UInt64) {
        classificationTimer.recordNanoseconds(Int64(nanoseconds))
    }

    /// How long the writer's part of a WAL checkpoint held intake up.
    static func checkpointPause(_ pause: Duration) {
        let (seconds, attoseconds) = pause.components
        checkpointPauseTimer.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Made once, on first use (after `hotline serve` bootstrapped the metrics system), not per message.
    private static let classificationTimer = Metrics.Timer(label: "hotline_classification_seconds")
    private static let checkpointPauseTimer = Metrics.Timer(label: "hotline_checkpoint_pause_seconds")
}

