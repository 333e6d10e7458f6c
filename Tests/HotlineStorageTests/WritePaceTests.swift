import Foundation
import GRDB
import Synchronization
import Testing
@testable import HotlineStorage

/// A long piece of work holds the writer about `hold` a transaction (``WritePace``), whatever a
/// row costs.
@Suite struct WritePaceTests {
    @Test(arguments: [
        // (rows, took ms, most) → next
        (50, 10.0, 1_000, 100),     // 0.2 ms a row fits 250: at most twice as many as before
        (50, 100.0, 1_000, 25),     // 2 ms a row: 25 fit in 50 ms
        (500, 400.0, 1_000, 62),    // a district's purge, 0.8 ms a case
        (10, 0.0, 1_000, 20),       // no time measured: twice as many
        (1, 1_000.0, 1_000, 1),     // a row slower than the hold: one at a time
        (3, 0.0, 7, 6),
        (6, 0.0, 7, 7),             // never more than `most`
    ])
    func nextTransactionsRows(rows: Int, tookMilliseconds: Double, most: Int, next: Int) {
        let pace = WritePace(hold: .milliseconds(50), first: 1, most: most)
        #expect(pace.next(after: rows, took: .microseconds(Int64(tookMilliseconds * 1_000))) == next)
    }

    @Test func eachItemOnceInOrderInTransactionsThatFitTheHold() async throws {
        let db = try AppDatabase.inMemory()
        final class Seen: Sendable { let chunks = Mutex<[[Int]]>([]) }
        let seen = Seen()
        // At least a millisecond a row: no more than ten fit in 10 ms.
        let results = try await db.writePaced(Array(0..<100), pace: WritePace(hold: .milliseconds(10), first: 4, most: 1_000)) { _, chunk in
            Thread.sleep(forTimeInterval: 0.001 * Double(chunk.count))
            seen.chunks.withLock { $0.append(Array(chunk)) }
            return chunk.count
        }
        let chunks = seen.chunks.withLock { $0 }
        #expect(chunks.flatMap { $0 } == Array(0..<100))
        #expect(results == chunks.map(\.count))
        #expect(chunks.first?.count == 4)
        #expect(chunks.allSatisfy { (1...10).contains($0.count) }, "\(chunks.map(\.count))")
    }
}
