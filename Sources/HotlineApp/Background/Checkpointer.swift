import Foundation
import HotlineStorage
import Logging
import ServiceLifecycle

/// Copies the write-ahead log into the database file every `interval`, off the writer
/// (``WALCheckpoints``): intake's commits never wait for a checkpoint.
///
/// Often, so that each pass writes and syncs a little: a second of intake at 3,000 texts a second
/// is ~20,000 frames, and their copy and sync took the disk for 100–170 ms, during which the
/// writer's own commits waited on their fsync — 20–200 ms a commit, intake's p99 (BENCHMARKS.md,
/// session 31). A pass with nothing to copy costs a read of the log's index, and syncs nothing.
public struct Checkpointer: Service {
    let checkpoints: WALCheckpoints, logger: Logger, interval: Duration
    /// At most one warning this often while checkpoints keep failing.
    let warningEvery: Duration

    public init(_ checkpoints: WALCheckpoints, logger: Logger, interval: Duration = .milliseconds(100), warningEvery: Duration = .seconds(60)) {
        (self.checkpoints, self.logger, self.interval, self.warningEvery) = (checkpoints, logger, interval, warningEvery)
    }

    public func run() async throws {
        // A failure that lasts (a disk error) is told once a minute, not at every pass (ten a second).
        var lastWarning: ContinuousClock.Instant?
        var failedSince = 0
        await Periodic.run(every: interval) {
            do {
                if let pause = try await checkpoints.checkpoint().writerPause { Measure.checkpointPause(pause) }
                failedSince = 0
            } catch {
                failedSince += 1
                let now = ContinuousClock.now
                if lastWarning.map({ now - $0 >= warningEvery }) ?? true {
                    logger.warning("checkpoint: \(error)\(failedSince > 1 ? " (\(failedSince) passes failed in a row)" : "")")
                    lastWarning = now
                }
            }
        }
    }
}
