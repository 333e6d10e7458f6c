import ArgumentParser
import AsyncHTTPClient
import Foundation
import HotlineChannels
import HotlineTestSupport
import NIOCore
import Synchronization

/// An hour (by default) of mixed traffic at a real `hotline serve`, its memory sampled throughout:
/// residents' texts at a steady rate (new cases, additions from the same numbers, survey answers,
/// status queries), a member working their cases by text, and coordinators with the board, the
/// API and the month's report open. Reports every `--every` seconds the service's RSS, its peak,
/// open files, the database and its WAL, and the latency of texts and pages in that window; then
/// the RSS after a minute idle. Memory is flat when the later windows' RSS stays where the first
/// ones settled.
struct SoakBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak", abstract: "An hour of mixed traffic at hotline serve: memory, files and latency by window.")

    @Option(help: "Seconds of traffic.")
    var seconds = 3_600
    @Option(help: "Seconds per reported window.")
    var every = 300
    @Option(help: "Residents' texts per second.")
    var rate = 40
    @Option(help: "Coordinators, each opening a page every 2 seconds.")
    var coordinators = 4
    @Option(help: "The hotline executable (a release build).")
    var hotline = ".build/release/hotline"
    @Option(help: "Configuration folder.")
    var config = "config"
    @Option(help: "Rule table folder.")
    var intents = "Intents"

    static let texts = ["小区停水三天了,一直没人管", "燕村的路坏了,晚上没有路灯", "龙湖社区楼道灯坏了一周", "楼上装修太吵了,晚上十点还在干",
                        "请问社保卡怎么补办?", "垃圾站好几天没人清运,味道很大", "孩子上学的事想咨询一下", "小区门口占道经营,车都过不去"]

    final class Window: Sendable {
        let state = Mutex<(texts: [Double], pages: [Double], failed: Int)>(([], [], 0))
        func text(_ ms: Double?) { state.withLock { if let ms { $0.texts.append(ms) } else { $0.failed += 1 } } }
        func page(_ ms: Double?) { state.withLock { if let ms { $0.pages.append(ms) } else { $0.failed += 1 } } }
        func take() -> (texts: [Double], pages: [Double], failed: Int) { state.withLock { let s = $0; $0 = ([], [], 0); return s } }
    }

    func run() async throws {
        guard FileManager.default.isExecutableFile(atPath: hotline) else { throw ValidationError("\(hotline) is missing (swift build -c release)") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-soak-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let database = dir.appendingPathComponent("soak.sqlite").path
        let secret = "soak-json-secret"
        _ = try cli(["users", "add", "soak", "--name", "soak", "--role", "coordinator", "--studio", "xujiawan", "--database", database, "--config", config])
        let token = try cli(["users", "token", "soak", "--days", "2", "--database", database, "--config", config])
            .split(separator: "\n").last.map(String.init) ?? ""
        let port = try KannelSupport.freePort()
        let serve = try await HTTPIntakeBench.launch(hotline, ["serve", "--config", config, "--intents", intents, "--database", database],
                                                     port: port, secret: secret)
        defer { KannelSupport.kill9(serve) }
        let pid = String(serve.processIdentifier)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let base = "http://127.0.0.1:\(port)"
        let window = Window()
        let start = Date()
        let end = start.addingTimeInterval(Double(seconds))

        @Sendable func post(_ from: String, _ text: String, _ id: String) async -> Double? {
            let body = #"{"id":"\#(id)","from":"\#(from)","to":"10690001","text":"\#(text)"}"#
            var request = HTTPClientRequest(url: base + "/webhooks/json")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "X-Hotline-Signature", value: "sha256=" + Signature.hmacSHA256Hex(secret: secret, data: Array(body.utf8)))
            request.body = .bytes(ByteBuffer(string: body))
            let t0 = DispatchTime.now().uptimeNanoseconds
            guard let response = try? await client.execute(request, timeout: .seconds(30)), response.status == .ok,
                  (try? await response.body.collect(upTo: 1 << 20)) != nil else { return nil }
            return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        }

        print("soak: \(seconds) s at \(base): \(rate) residents' texts/s (20,000 numbers), member M3 a command a second, \(coordinators) coordinators a page every 2 s each")
        print("| minute | RSS MiB | peak MiB | open files | database + WAL MiB | texts | text p50 / p99 ms | pages | page p50 / p99 ms | failed |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Residents: a steady rate; a number comes back every ~8 minutes on average (an
            // addition, a status query, a survey answer).
            group.addTask {
                var i = 0
                var next = DispatchTime.now().uptimeNanoseconds
                let gap = UInt64(1e9 / Double(rate))
                await withDiscardingTaskGroup { lanes in
                    while Date() < end {
                        let n = i
                        i += 1
                        let from = "+86137" + String(format: "%08d", 30_000_000 + (n &* 7_919) % 20_000)
                        let text = n % 10 == 7 ? "1" : n % 10 == 8 ? "查询" : Self.texts[n % Self.texts.count]
                        lanes.addTask { window.text(await post(from, text, "soak-\(n)")) }
                        next += gap
                        let now = DispatchTime.now().uptimeNanoseconds
                        if next > now { try? await Task.sleep(for: .nanoseconds(next - now)) }
                    }
                }
            }
            // A member works through the cases by text: accepts, replies, closes, lists.
            group.addTask {
                var k = 1
                while Date() < end {
                    let command = ["接 \(k)", "回复\(k) 已联系,明天处理", "办结 \(k) 已解决", "待办"][k % 4]
                    window.text(await post("+8613800000003", command, "member-\(k)"))
                    k += 1
                    try await Task.sleep(for: .seconds(1))
                }
            }
            // Coordinators: the board, lists, a search, the month's report, a case.
            for c in 0..<coordinators {
                group.addTask {
                    let month = String(ISO8601DateFormatter().string(from: Date()).prefix(7))
                    let pages = ["/dashboard", "/dashboard/cases", "/api/v1/cases?studio=xujiawan&limit=50", "/api/v1/cases?q=%E5%81%9C%E6%B0%B4&limit=50",
                                 "/api/v1/reports/month?month=\(month)&studio=xujiawan", "/dashboard/reports", "/api/v1/cases/xujiawan/1", "/api/v1/members"]
                    var p = c
                    while Date() < end {
                        var request = HTTPClientRequest(url: base + pages[p % pages.count])
                        request.headers.add(name: "Authorization", value: "Bearer \(token)")
                        request.headers.add(name: "Cookie", value: "hl_session=\(token)")
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        let response = try? await client.execute(request, timeout: .seconds(30))
                        var ok = false
                        if let response, response.status == .ok, (try? await response.body.collect(upTo: 16 << 20)) != nil { ok = true }
                        window.page(ok ? Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6 : nil)
                        p += 1
                        try await Task.sleep(for: .seconds(2))
                    }
                }
            }
            // The report, every window.
            group.addTask {
                var reported = start
                while reported < end {
                    let due = min(reported.addingTimeInterval(Double(every)), end)
                    try await Task.sleep(for: .seconds(max(0, due.timeIntervalSinceNow)))
                    reported = due
                    let w = window.take()
                    self.row(minute: Int(due.timeIntervalSince(start) / 60), pid: pid, database: database, w)
                }
            }
            try await group.waitForAll()
        }
        let busy = AdminLoad.memory(of: pid)
        try await Task.sleep(for: .seconds(60))
        let idle = AdminLoad.memory(of: pid)
        print("\nafter the traffic: RSS \(busy.rss) MiB; after 60 s idle \(idle.rss) MiB; peak \(idle.peak) MiB")
        try await client.shutdown()
    }

    func row(minute: Int, pid: String, database: String, _ w: (texts: [Double], pages: [Double], failed: Int)) {
        let memory = AdminLoad.memory(of: pid)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
        let size = [database, database + "-wal"].reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) ?? 0 }
        let texts = w.texts.sorted(), pages = w.pages.sorted()
        let f = { (x: Double) in String(format: "%.1f", x) }
        print("| \(minute) | \(memory.rss) | \(memory.peak) | \(files) | \(size / 1_048_576) | \(texts.count) | \(f(AdminLoad.at(texts, 0.5))) / \(f(AdminLoad.at(texts, 0.99))) | "
              + "\(pages.count) | \(f(AdminLoad.at(pages, 0.5))) / \(f(AdminLoad.at(pages, 0.99))) | \(w.failed) |")
    }

    /// Runs `hotline` with `arguments` and returns what it printed; throws on failure.
    func cli(_ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: hotline)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ValidationError("hotline \(arguments.prefix(2).joined(separator: " ")) failed") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
