import ArgumentParser
import Foundation
import HotlineCore
import HotlineStorage
import Synchronization

/// A purge of a large database (a copy of `--database`) while texts come in: how long each text's
/// transaction waits for the writer, with the purge's transactions paced (`--hold-ms`) or in fixed
/// batches (`--hold-ms 0 --batch 500`, as before the pacing), and how many cases the purge got
/// through in the time. Checkpoints run as in `hotline serve` (beside the writer, every 100 ms).
struct PurgeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge", abstract: "A purge of a large database with texts coming in: their waits, paced or in fixed batches.")

    @Option(help: "The database to copy and purge (hotline-bench admin seeds one).")
    var database: String
    @Option(help: "Seconds of purge and texts (the purge is stopped then).")
    var seconds = 60
    @Option(help: "The time each purge transaction aims at, in ms; 0 for fixed batches of --batch.")
    var holdMs = 50
    @Option(help: "With --hold-ms 0: the cases a transaction.")
    var batch = 500
    @Option(help: "Texts a second, each its own transaction.")
    var rate = 50
    @Option(help: "Days a closed case is kept.")
    var closedCaseDays = 180

    func run() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-purge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("p.sqlite").path
        try FileManager.default.copyItem(atPath: database, toPath: copy)
        let db = try AppDatabase.open(path: copy)
        let pace = holdMs > 0 ? WritePace(hold: .milliseconds(holdMs)) : WritePace(hold: .seconds(3_600), first: batch, most: batch)
        let policy = RetentionPolicy(closedCaseDays: closedCaseDays, unlinkedMessageDays: nil)
        print("purge of a copy of \(database), \(holdMs > 0 ? "paced to \(holdMs) ms a transaction" : "\(batch) cases a transaction"); \(rate) texts/s meanwhile, \(seconds) s")
        let before = try await db.purge(policy, now: Date(), actor: "bench", dryRun: true).cases
        // Checkpoints as `hotline serve` runs them: off the commits, every 100 ms beside the writer.
        let checkpoints = try db.takeOverCheckpoints()
        let checkpointing = Task {
            while !Task.isCancelled {
                _ = try? await checkpoints?.checkpoint()
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        defer { checkpointing.cancel() }
        let purging = Task { try await db.purge(policy, now: Date(), actor: "bench", pace: pace) }
        var waits: [Double] = []
        let end = ContinuousClock.now + .seconds(seconds)
        var i = 0
        while ContinuousClock.now < end {
            i += 1
            let inbound = InboundMessage(studioID: "bench", channel: "json", providerID: "purge-\(i)", from: "+86137" + String(format: "%08d", i),
                                         to: "10690001", text: "小区停水了", receivedAt: Date())
            let began = ContinuousClock.now
            _ = try await db.receive(inbound) { _, _ in Handled(queued: 0) }
            waits.append(Double((ContinuousClock.now - began) / .microseconds(1)) / 1_000)
            try await Task.sleep(until: began + .milliseconds(1_000 / max(1, rate)))
        }
        purging.cancel()
        _ = try? await purging.value
        let purged = try await before - db.purge(policy, now: Date(), actor: "bench", dryRun: true).cases
        waits.sort()
        func q(_ p: Double) -> String { String(format: "%.1f", waits[min(waits.count - 1, Int(p * Double(waits.count)))]) }
        print("texts \(waits.count): p50 \(q(0.5)) ms, p90 \(q(0.9)), p99 \(q(0.99)), max \(String(format: "%.1f", waits.last ?? 0)); cases purged \(purged)")
    }
}
