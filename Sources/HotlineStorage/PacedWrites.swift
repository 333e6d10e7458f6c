import Foundation
import GRDB

/// How long a long piece of work (a purge) may hold the writer at a time: its rows go in
/// transactions sized, from what the last one took, to hold it about `hold` each, so that
/// intake's group commits, waiting behind, wait that long and no longer — whatever a row costs on
/// this machine and database (a purge's case cost 0.8 ms on a district's million; a batch of 500
/// held intake 0.4 s).
public struct WritePace: Sendable, Equatable {
    /// The time a transaction aims at.
    public var hold: Duration
    /// The first transaction's rows, and the most any takes.
    public var first: Int, most: Int

    public init(hold: Duration = .milliseconds(50), first: Int = 50, most: Int = 1_000) {
        (self.hold, self.first, self.most) = (hold, max(1, min(first, most)), max(1, most))
    }

    /// The next transaction's rows after one of `rows` that held the writer `took`: as many as fit
    /// in `hold` at its pace; at most twice as many as before (one quick transaction is no
    /// promise), fewer at once.
    func next(after rows: Int, took: Duration) -> Int {
        let perRow = took / max(1, rows)
        let fit = perRow > .zero ? Int(hold / perRow) : most
        return max(1, min(fit, rows * 2, most))
    }
}

extension AppDatabase {
    /// Runs `body` over `items` in transactions paced by `pace`, in order; what each returned.
    /// Cancelled, it stops between two transactions (a service shutting down).
    func writePaced<Item: Sendable, Result: Sendable>(_ items: [Item], pace: WritePace,
                                                     _ body: @escaping @Sendable (Database, ArraySlice<Item>) throws -> Result) async throws -> [Result] {
        var results: [Result] = []
        var start = 0, size = pace.first
        while start < items.count {
            try Task.checkCancellation()
            let chunk = items[start..<min(start + size, items.count)]
            // Timed from the transaction's start to its commit's end (a purge's commit writes and
            // syncs megabytes): the writer's hold, not the wait for it.
            let (result, began) = try await writer.write { db in
                let began = ContinuousClock.now
                return (try body(db, chunk), began)
            }
            let took = ContinuousClock.now - began
            results.append(result)
            start += chunk.count
            size = pace.next(after: chunk.count, took: took)
        }
        return results
    }
}
