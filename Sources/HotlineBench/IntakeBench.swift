import ArgumentParser
import Foundation
import HotlineApp
import HotlineChannels
import HotlineCore
import HotlineStorage
import Logging

/// Intake in process, without HTTP or Kannel: `IntakeService.receive` called by many concurrent tasks
/// against a SQLite file (WAL, synchronous FULL), each text from a new resident, as the Kannel
/// benchmark sends them. Measures what the service itself costs per message.
struct IntakeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake", abstract: "Inbound texts per second through IntakeService.receive (stored, classified, routed, replies queued).")

    @Option(help: "Messages per round.")
    var messages = 20_000
    @Option(help: "Concurrent callers (Kannel's smsbox keeps up to 512 requests open).")
    var concurrency = 256
    @Option(help: "Rounds; each uses a fresh database. The median and the best are reported.")
    var rounds = 3
    @Option(help: "Configuration folder.")
    var config = "config"
    @Option(help: "Rule table folder.")
    var intents = "Intents"
    @Flag(help: "Also send the replies while intake runs (the dispatcher's claims or hand-over, and its records, on the writer).")
    var dispatch = false
    @Option(help: "With --dispatch: intake hands its replies to the dispatcher in memory (as `hotline serve` does), or leaves them to its claims.")
    var handOff = true

    func run() async throws {
        print("\(messages) texts per round from distinct residents, \(concurrency) concurrent callers, SQLite file (WAL, synchronous FULL)"
              + (dispatch ? "; replies sent by the dispatcher meanwhile (dry run), " + (handOff ? "handed over" : "claimed from the table") : ""))
        print("| round | seconds | messages/s | CPU µs/message (whole process) | writer CPU µs/message |")
        print("|---:|---:|---:|---:|---:|")
        var rates: [Double] = []
        for round in 1...rounds {
            let (seconds, cpu, writer) = try await runOnce()
            rates.append(Double(messages) / seconds)
            print("| \(round) | \(String(format: "%.2f", seconds)) | \(Int(Double(messages) / seconds)) | \(Int(cpu * 1e6 / Double(messages))) | \(Int(writer * 1e6 / Double(messages))) |")
        }
        rates.sort()
        print("\nmedian \(Int(rates[rates.count / 2])) messages/s, best \(Int(rates.last!))")
    }

    /// The round's wall time, the process's CPU, and the writer thread's CPU in group commit's passes.
    func runOnce() async throws -> (seconds: Double, cpu: Double, writer: Double) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-intake-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let hotline = try HotlineSetup.make(HotlinePaths(config: config, intents: intents, database: dir.appendingPathComponent("h.sqlite").path),
                                            environment: [:], logger: logger)
        guard let studio = hotline.settings.deployment.studios.first, let number = studio.hotlineNumbers.first,
              let channel = hotline.settings.channels.first(where: { $0.kind == .json }) else {
            throw ValidationError("the configuration needs a studio with a hotline number and a json channel")
        }
        let intake = IntakeService(hotline)
        let sending = dispatch ? Task {
            let dispatcher = OutboxDispatcher(hotline, senders: SenderDirectory.all(hotline.settings.channels, DryRunCounter()))
            if handOff { hotline.database.outboxHandOff.open() }
            await dispatcher.runLanes()
        } : nil
        let text = "小区停水三天了,一直没人管"
        let total = messages
        let width = concurrency
        let cpuBefore = Self.cpuSeconds()
        let writerBefore = hotline.database.writerLoad.cpuSeconds
        let start = DispatchTime.now().uptimeNanoseconds
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func add() {
                let i = next
                next += 1
                group.addTask {
                    // Distinct numbers scattered over the range, as Kannel's fakesmsc `-z` draws them:
                    // sequential numbers would append to the residents' indexes and cost less.
                    let from = "+86137" + String(format: "%08d", (i * 48_271) % 100_000_000)
                    _ = try await intake.receive(InboundText(providerID: "bench-\(i)", from: from, to: number, text: text), channel: channel)
                }
            }
            while next < min(width, total) { add() }
            while try await group.next() != nil {
                if next < total { add() }
            }
        }
        if dispatch {
            // Until every reply is sent (the dispatcher's share of the writer belongs to the round).
            // The probe is one step into the queue's index: listing the newest sending row sorted
            // thousands of them every 5 ms, a tenth of the round's CPU.
            while try await !hotline.database.outboxIsDrained() {
                try await Task.sleep(for: .milliseconds(5))
            }
            sending?.cancel()
            hotline.database.outboxCommits.wake()
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (seconds, Self.cpuSeconds() - cpuBefore, hotline.database.writerLoad.cpuSeconds - writerBefore)
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}

/// Accepts every text at once (the dispatch benchmark's gateway).
private struct DryRunCounter: MessageSender {
    func send(_ item: OutboxItem) async -> SendOutcome { .accepted(providerID: nil) }
}
