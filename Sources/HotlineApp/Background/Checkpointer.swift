import Foundation
import HotlineStorage
import Logging
import ServiceLifecycle

/// Copies the write-ahead log into the database file every `interval`, off the writer
/// (``WALCheckpoints``): intake's commits never wait for a checkpoint.
public struct Checkpointer: Service {
    let checkpoints: WALCheckpoints, logger: Logger, interval: Duration

    public init(_ checkpoints: WALCheckpoints, logger: Logger, interval: Duration = .seconds(1)) {
        (self.checkpoints, self.logger, self.interval) = (checkpoints, logger, interval)
    }

    public func run() async throws {
        await Periodic.run(every: interval) {
            do {
                if let pause = try await checkpoints.checkpoint().writerPause { Measure.checkpointPause(pause) }
            } catch {
                logger.warning("checkpoint: \(error)")
            }
        }
    }
}
