import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HotlineTestSupport
import Testing

/// Nothing acknowledged is lost, nothing doubled, while a real `hotline serve` is killed with
/// SIGKILL again and again in the middle of concurrent webhook traffic: every text that got a 2xx
/// is stored exactly once with its case and both its replies; texts without an answer (in flight
/// at a kill) are sent again as a gateway would and stored once; every reply reaches a stand-in of
/// Kannel's sendsms at least once, and again only if its send straddled a kill (counted); SQLite
/// finds the file whole. Texts come in both ways a gateway brings them (JSON webhooks and Kannel's
/// MO GETs), and a backup taken by `hotline backup` while the second server runs restores to a
/// database as consistent: every text in it with its case and both replies.
@Suite(.serialized) struct CrashSafetyTests {
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var acknowledged: Set<String> = []
        private(set) var unanswered: Set<String> = []
        func record(_ id: String, ok: Bool) { lock.withLock { if ok { acknowledged.insert(id); unanswered.remove(id) } else if !acknowledged.contains(id) { unanswered.insert(id) } } }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        /// The next id, or nil once `total` were taken.
        func take(below total: Int) -> Int? { lock.withLock { guard next < total else { return nil }; defer { next += 1 }; return next } }
    }

    /// Text `i`: the even ones as JSON webhooks, the odd ones as Kannel's MO GETs (smsbox's get-url).
    static func post(_ port: Int, _ i: Int) async -> Bool {
        let text = ["小区停水三天了,龙湖的", "燕村的路坏了,没人修", "龙湖小区楼道灯坏了"][i % 3]
        let from = "+86137" + String(format: "%08d", 20_000 + i)
        var request: URLRequest
        if i % 2 == 0 {
            request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/webhooks/json")!)
            request.httpMethod = "POST"
            request.httpBody = Data(#"{"id":"crash-\#(i)","from":"\#(from)","to":"10690001","text":"\#(text)"}"#.utf8)
        } else {
            var url = URLComponents(string: "http://127.0.0.1:\(port)/webhooks/kannel")!
            url.queryItems = [URLQueryItem(name: "from", value: from), URLQueryItem(name: "to", value: "10690001"), URLQueryItem(name: "text", value: text),
                              URLQueryItem(name: "id", value: "crash-\(i)"), URLQueryItem(name: "secret", value: "crash-secret")]
            // URLComponents leaves + as it is; in a query it reads as a space.
            url.percentEncodedQuery = url.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
            request = URLRequest(url: url.url!)
        }
        request.timeoutInterval = 10
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return false }
        return (200..<300).contains((response as? HTTPURLResponse)?.statusCode ?? 0)
    }

    @Test func killedThreeTimesMidStreamLosesAndDoublesNothing() async throws {
        let database = scratchDatabase()
        // Replies go out through a Kannel channel to a stand-in of sendsms that logs every request.
        let sink = try await PythonPeer.StandIn(repoRoot.appendingPathComponent("Tests/gateway/sendsms_sink.py").path, [])
        let config = try configWithChannels(KannelSupport.addKannelChannel(
            to: "channels:\n", sendsmsURL: "http://127.0.0.1:\(sink.port)/cgi-bin/sendsms", publicURL: "http://127.0.0.1:1"))
        let studio = config.appendingPathComponent("studios/xujiawan.yaml")
        try (try String(contentsOf: studio, encoding: .utf8)).replacingOccurrences(of: "outbound_channel: dryrun", with: "outbound_channel: kannel")
            .write(to: studio, atomically: true, encoding: .utf8)
        let environment = ["HOTLINE_KANNEL_SECRET": "crash-secret", "HOTLINE_KANNEL_PASSWORD": "crash-pw"]
        let tally = Tally()
        let total = 600
        let counter = Counter()
        var inFlightAtKills = 0
        let backup = database + ".during-run"
        for round in 0..<4 {
            let server = try await ServerProcess(database: database, configDir: config.path, environment: environment)
            let port = server.port
            // A backup while the second server takes traffic (and may be killed under it).
            let backingUp = Task { () -> String? in
                guard round == 1 else { return nil }
                try await Task.sleep(for: .milliseconds(100))
                return try await runCLI(["backup", "--database", database, backup])
            }
            // Eight lanes send new texts as fast as they are answered until the server dies (the
            // first three rounds end in a SIGKILL) or all are sent.
            let killer = Task {
                if round < 3 {
                    try await Task.sleep(for: .milliseconds(200 + 150 * round))
                    await server.kill9()
                }
            }
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        while let i = counter.take(below: total) {
                            let ok = await Self.post(port, i)
                            tally.record("crash-\(i)", ok: ok)
                            if !ok { return }
                        }
                    }
                }
            }
            try await killer.value
            if let made = try await backingUp.value { #expect(made.contains("integrity ok"), "\(made)") }
            if round < 3 { inFlightAtKills = tally.unanswered.count }
            if round == 3 {
                // The gateway's retries of what got no answer, on the last, unkilled server.
                for id in tally.unanswered.sorted() { tally.record(id, ok: await Self.post(port, Int(id.dropFirst("crash-".count))!)) }
                var outbound: [[String: Any]] = []
                for _ in 0..<100 {
                    outbound = jsonLines(try await runCLI(["messages", "--json", "--limit", "100000", "--database", database])).filter { $0["direction"] as? String == "out" }
                    if outbound.allSatisfy({ $0["status"] as? String == "sent" }) { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(outbound.allSatisfy { $0["status"] as? String == "sent" }, "the outbox drained after the last restart")
                #expect(await server.finish() == 0)
            }
        }
        // The kills came mid-stream: texts were in flight, unanswered, and were sent again.
        #expect(inFlightAtKills > 0, "no text was in flight at a kill")
        #expect(tally.unanswered.isEmpty)
        #expect(tally.acknowledged.count == total)
        let messages = jsonLines(try await runCLI(["messages", "--json", "--limit", "100000", "--database", database]))
        let inbound = messages.filter { $0["direction"] as? String == "in" }
        let cases = jsonLines(try await runCLI(["cases", "--json", "--limit", "100000", "--database", database]))
        // Each text stored once, with its case; each case has its text and both replies.
        #expect(inbound.count == total && Set(inbound.compactMap { $0["provider_id"] as? String }).count == total, "\(inbound.first ?? [:])")
        #expect(cases.count == total)
        #expect(inbound.allSatisfy { $0["case"] != nil })
        #expect(messages.count - inbound.count == 2 * total)
        let check = try await runCLI(["backup", "--database", database, database + ".check"])
        #expect(check.contains("integrity ok") && check.contains("\(total) cases"), "\(check)")
        // Every reply reached the gateway; more than once only those whose send a kill interrupted
        // (sent, the kill before its commit: sent again after the restart — at most the dispatcher's
        // batches in hand, 4 lanes of 16, a kill).
        let outboundIDs = Set(messages.filter { $0["direction"] as? String == "out" }.compactMap { ($0["id"] as? Int).map(String.init) })
        let sends = sink.calls.compactMap { $0["message"] as? String }
        let perMessage = Dictionary(grouping: sends, by: { $0 }).mapValues(\.count)
        #expect(outboundIDs.count == 2 * total && outboundIDs.isSubset(of: Set(perMessage.keys)), "\(outboundIDs.subtracting(perMessage.keys).count) replies never sent")
        let doubled = perMessage.filter { $0.value > 1 }
        // A send can straddle more than one kill (sent, killed; sent again, killed again): at most once a kill.
        let extra = doubled.values.reduce(0) { $0 + $1 - 1 }
        #expect(extra <= 3 * 64 && doubled.values.allSatisfy { $0 <= 4 }, "\(doubled.count) replies sent again, \(extra) extra sends")
        // The backup taken mid-run restores to a whole database: each text in it with its case and both replies.
        let restored = database + ".restored"
        let restore = try await runCLI(["restore", "--database", restored, backup])
        #expect(restore.hasPrefix("restored "), "\(restore)")  // restore checks the file first and refuses a damaged one
        let then = jsonLines(try await runCLI(["messages", "--json", "--limit", "100000", "--database", restored]))
        let thenIn = then.filter { $0["direction"] as? String == "in" }
        let thenCases = jsonLines(try await runCLI(["cases", "--json", "--limit", "100000", "--database", restored]))
        #expect(!thenIn.isEmpty && thenIn.count < total, "the backup was taken mid-run: \(thenIn.count) texts")
        #expect(thenIn.allSatisfy { $0["case"] != nil } && thenCases.count == thenIn.count && then.count == 3 * thenIn.count,
                "\(thenIn.count) texts, \(thenCases.count) cases, \(then.count - thenIn.count) replies")
        #expect(Set(thenIn.compactMap { $0["channel"] as? String }) == ["json", "kannel"])
        print("crash test: \(inFlightAtKills) texts in flight at the three kills, \(doubled.count) of \(2 * total) replies sent again after a kill")
    }
}
