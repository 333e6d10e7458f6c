import AsyncHTTPClient
import ArgumentParser
import Foundation
import HotlineChannels
import Hummingbird
import HotlineStorage
import HotlineTestSupport

/// Durable intake over HTTP as a gateway drives it: wrk keeps 64 connections busy posting signed
/// JSON webhooks, each from a new resident (a new case, an acknowledgement and the member's notice
/// queued and committed before the 2xx), against `hotline serve`; and the same load against a bare
/// Hummingbird responder in the same run, the reference.
struct HTTPIntakeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http", abstract: "Webhook messages per second and latency at 64 connections (wrk): hotline serve vs a bare Hummingbird responder.")

    @Option(help: "Seconds of load per run.")
    var seconds = 15
    @Option(help: "Open connections.")
    var connections = 64
    @Option(help: "Rounds, each a bare run then a hotline run.")
    var rounds = 3
    @Option(help: "The hotline executable (a release build).")
    var hotline = ".build/release/hotline"
    @Option(help: "Configuration folder.")
    var config = "config"
    @Option(help: "Rule table folder.")
    var intents = "Intents"

    func run() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else { throw ValidationError("wrk is missing (apt-get install wrk)") }
        guard FileManager.default.isExecutableFile(atPath: hotline) else { throw ValidationError("\(hotline) is missing (swift build -c release)") }
        print("wrk -t1 -c\(connections) -d\(seconds)s: POST /webhooks/json (signed), each from a new resident; 2 cores shared by wrk and the target")
        print("| round | bare responder req/s | p50 / p99 ms | hotline msg/s | p50 / p90 / p99 ms | hotline / bare | hotline CPU µs/message | writer CPU µs/message | stored / answered 2xx | writer's checkpoint pauses |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
        var ratios: [Double] = [], rates: [Double] = [], p99s: [Double] = []
        for round in 1...rounds {
            let bare = try await runOnce(hotline: false)
            let served = try await runOnce(hotline: true)
            ratios.append(served.rate / bare.rate)
            rates.append(served.rate)
            p99s.append(served.p99)
            print("| \(round) | \(Int(bare.rate)) | \(Self.ms(bare.p50)) / \(Self.ms(bare.p99)) | \(Int(served.rate)) | \(Self.ms(served.p50)) / \(Self.ms(served.p90)) / \(Self.ms(served.p99)) | "
                  + String(format: "%.2f×", served.rate / bare.rate) + " | \(Int(served.cpuMicros)) | \(served.writerMicros.map { String(Int($0)) } ?? "-") | \(served.stored.map { "\($0) / \(served.answered)" } ?? "-") | "
                  + (served.checkpointPauses.map { "\($0.count): \($0.within10ms) ≤ 10 ms, all \($0.atMost)" } ?? "-") + " |")
        }
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        print("\nmedian: hotline \(Int(median(rates))) msg/s, p99 \(Self.ms(median(p99s))) ms, " + String(format: "%.2f× the bare responder", median(ratios)))
    }

    static func ms(_ seconds: Double) -> String { String(format: "%.1f", seconds * 1000) }

    /// Starts `executable` with `arguments` and `--port port` (the JSON channel's secret in its
    /// environment, logging errors only) and waits until it listens.
    static func launch(_ executable: String, _ arguments: [String], port: Int, secret: String) async throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments + ["--port", String(port)]
        var env = ProcessInfo.processInfo.environment
        env["HOTLINE_JSON_SECRET"] = secret
        env["LOG_LEVEL"] = "error"
        p.environment = env
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        let ready = Date().addingTimeInterval(30)
        while !KannelSupport.canConnect(port) {
            guard Date() < ready else { KannelSupport.kill9(p); throw ValidationError("\(executable) did not listen on \(port) within 30 s") }
            try await Task.sleep(for: .milliseconds(100))
        }
        return p
    }

    struct Run {
        var rate: Double, p50: Double, p90: Double, p99: Double, answered: Int
        var cpuMicros: Double = 0
        var stored: Int?
        /// The writer's checkpoint pauses from hotline's `/metrics`: how many, how many of them
        /// within 10 ms, and the histogram's smallest bound that holds them all.
        var checkpointPauses: (count: Int, within10ms: Int, atMost: String)?
        /// The writer thread's CPU in group commit's passes, a stored message (`hotline_writer_cpu_seconds`).
        var writerMicros: Double?
    }

    /// `/metrics` as text.
    static func metrics(port: Int) async throws -> String {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let text: String
        do {
            let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
            text = String(buffer: try await response.body.collect(upTo: 4 << 20))
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return text
    }

    /// A sample's value in the Prometheus text, by its line's name and labels (`name{}`… or `name `).
    static func sample(_ name: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") || $0.hasPrefix(name + "{") }
            .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
    }

    /// `hotline_checkpoint_pause_seconds` from the Prometheus text.
    static func checkpointPauses(_ text: String) -> (count: Int, within10ms: Int, atMost: String) {
        var buckets: [(le: String, count: Int)] = []
        for line in text.split(separator: "\n") where line.hasPrefix("hotline_checkpoint_pause_seconds_bucket{le=\"") {
            let le = line.split(separator: "\"")[1]
            buckets.append((String(le), Int(line.split(separator: " ").last ?? "") ?? 0))
        }
        guard let total = buckets.last?.count else { return (0, 0, "-") }
        let bound = buckets.first { $0.count == total }?.le ?? "-"
        let within10ms = buckets.first { Double($0.le) == 0.01 }?.count ?? 0
        return (total, within10ms, bound == "+Inf" ? "> \(buckets.dropLast().last?.le ?? "?") s" : "≤ \(bound) s")
    }

    func runOnce(hotline serve: Bool) async throws -> Run {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = try KannelSupport.freePort()
        let secret = "bench-json-secret"
        let p = serve
            ? try await Self.launch(hotline, ["serve", "--config", config, "--intents", intents, "--database", dir.appendingPathComponent("h.sqlite").path],
                                    port: port, secret: secret)
            : try await Self.launch(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path, ["bare-responder"], port: port, secret: secret)
        defer { KannelSupport.kill9(p) }

        // Each request: a distinct id and sender, the body signed with HMAC-SHA256 as the JSON
        // channel requires. wrk's Lua has no HMAC (and LuaJIT no room for a table this big in a
        // script): the bench writes the signed bodies to a file, a line each, that wrk reads at start.
        let total = 12_000 * seconds
        var lines = ""
        for i in 0..<total {
            let body = "{\"id\":\"b-\(i)\",\"from\":\"+86137\(String(format: "%08d", (i &* 48_271) % 100_000_000))\",\"to\":\"10690001\",\"text\":\"小区停水三天了,一直没人管\"}"
            lines += "sha256=\(Signature.hmacSHA256Hex(secret: secret, data: Array(body.utf8)))\t\(body)\n"
        }
        let bodies = dir.appendingPathComponent("bodies.txt")
        try lines.write(to: bodies, atomically: true, encoding: .utf8)
        let script = dir.appendingPathComponent("post.lua")
        try """
            local sigs, bodies = {}, {}
            for line in io.lines("\(bodies.path)") do
              local tab = string.find(line, "\\t", 1, true)
              sigs[#sigs + 1] = string.sub(line, 1, tab - 1)
              bodies[#bodies + 1] = string.sub(line, tab + 1)
            end
            local i = 0
            request = function()
              i = i + 1
              if i > #bodies then i = 1 end
              return wrk.format("POST", "/webhooks/json", {["Content-Type"] = "application/json", ["X-Hotline-Signature"] = sigs[i]}, bodies[i])
            end
            """.write(to: script, atomically: true, encoding: .utf8)
        let cpuBefore = KannelBench.cpuSeconds(p.processIdentifier)
        let output = try Self.wrk(["-t1", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", script.path, "http://127.0.0.1:\(port)/webhooks/json"])
        let cpu = KannelBench.cpuSeconds(p.processIdentifier) - cpuBefore
        var run = try Self.parse(output)
        guard !serve || run.answered < total else { throw ValidationError("wrk sent more requests than there are distinct bodies (\(total)): raise the table") }
        run.cpuMicros = cpu * 1e6 / Double(max(run.answered, 1))
        if serve {
            let metrics = try? await Self.metrics(port: port)
            run.checkpointPauses = metrics.map(Self.checkpointPauses)
            let database = try AppDatabase.open(path: dir.appendingPathComponent("h.sqlite").path)
            let stored = try await database.inboundSince(0).count
            run.stored = stored
            run.writerMicros = metrics.flatMap { Self.sample("hotline_writer_cpu_seconds", in: $0) }.map { $0 * 1e6 / Double(max(stored, 1)) }
        }
        return run
    }

    static func wrk(_ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Requests/sec, the 50%, 90% and 99% latencies, and the requests answered 2xx, from wrk's report.
    static func parse(_ output: String) throws -> Run {
        func seconds(_ text: Substring) -> Double? {
            for (unit, factor) in [("us", 1e-6), ("ms", 1e-3), ("s", 1.0), ("m", 60.0)] where text.hasSuffix(unit) {
                return Double(text.dropLast(unit.count)).map { $0 * factor }
            }
            return nil
        }
        var rate: Double?, p50: Double?, p90: Double?, p99: Double?, requests = 0, errors = 0
        for line in output.split(separator: "\n") {
            let words = line.split(separator: " ")
            if line.hasPrefix("Requests/sec:") { rate = Double(words.last ?? "") }
            if words.first == "50%" { p50 = words.last.flatMap(seconds) }
            if words.first == "90%" { p90 = words.last.flatMap(seconds) }
            if words.first == "99%" { p99 = words.last.flatMap(seconds) }
            if words.count > 1, words[1] == "requests", words[2] == "in" { requests = Int(words[0]) ?? 0 }
            if line.contains("Non-2xx or 3xx responses:") { errors = Int(words.last ?? "") ?? 0 }
        }
        guard let rate, let p50, let p90, let p99, requests > 0 else { throw ValidationError("could not read wrk's report:\n\(output)") }
        return Run(rate: rate * Double(requests - errors) / Double(max(requests, 1)), p50: p50, p90: p90, p99: p99, answered: requests - errors)
    }
}

/// The reference for the HTTP intake benchmark: answers every POST /webhooks/json with an empty 200.
struct BareResponder: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bare-responder", abstract: "Answers POST /webhooks/json with 200 until killed.", shouldDisplay: false)

    @Option(help: "Port on 127.0.0.1.")
    var port: Int

    func run() async throws {
        let router = Router()
        router.post("/webhooks/json") { request, _ in
            _ = try await request.body.collect(upTo: 64 * 1024)
            return Response(status: .ok)
        }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
            .runService(gracefulShutdownSignals: [])
    }
}
