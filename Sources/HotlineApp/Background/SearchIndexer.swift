import Foundation
import HotlineStorage
import Logging
import ServiceLifecycle

/// Puts new cases' words in the search index every second, in batches, off intake's path
/// (``AppDatabase/indexCaseWords(limit:)``); until it does, a search finds them by LIKE.
public struct SearchIndexer: Service {
    let database: AppDatabase, logger: Logger, interval: Duration

    public init(_ parts: HotlineParts, interval: Duration = .seconds(1)) {
        (database, logger, self.interval) = (parts.database, parts.logger, interval)
    }

    public func run() async throws {
        await Periodic.run(every: interval) {
            do {
                while try await database.indexCaseWords() > 0, !Task.isCancelled {}
            } catch {
                logger.warning("search index: \(error)")
            }
        }
    }
}
