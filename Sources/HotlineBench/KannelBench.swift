import ArgumentParser
import Foundation
import Hummingbird
import HotlineChannels
import HotlineStorage
import HotlineTestSupport
import Synchronization

/// Intake through Kannel end to end: fakesmsc → bearerbox → smsbox → the MO URL, once with a trivial
/// HTTP target (answers an empty 200) and once with `hotline serve` (stores each message, its case and
/// replies before answering), in the same run.
struct KannelBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kannel", abstract: "MO messages per second through real Kannel: trivial HTTP target vs hotline serve.")

    @Option(help: "Messages per run.")
    var messages = 20_000
    @Option(help: "Rounds, each a trivial run then a hotline run; the median ratio is reported.")
    var rounds = 1
    @Option(help: "The hotline executable (a release build).")
    var hotline = ".build/release/hotline"
    @Option(help: "Configuration folder to copy (hotline.yaml, studios/).")
    var config = "config"
    @Option(help: "Rule table folder.")
    var intents = "Intents"
    @Option(help: "The hotline kannel channel's rate_limit (sends per second); unset: replies are sent as fast as the sink takes them.")
    var replyRate: Double?
    @Option(help: "hotline serve --event-loops (default: one per core).")
    var eventLoops: Int?
    @Flag(help: "Also run a third target each round that only stores each message durably (what any design that commits before the 2xx pays).")
    var storeOnly = false
    @Option(name: .customLong("kannel-cpus"), help: "Pin Kannel's boxes, fakesmsc and the sendsms sink to these CPUs (taskset list, e.g. 0) and the targets to the others; unset: all share every core.")
    var kannelCPUs: String?
    @Option(name: .customLong("target-cpus"), help: "With --kannel-cpus: the CPUs of the targets (this process, the trivial and store-only targets, hotline serve).")
    var targetCPUs = "1"

    func run() async throws {
        for b in KannelSupport.binaries + [hotline]
        where !FileManager.default.isExecutableFile(atPath: b) {
            throw ValidationError("\(b) is missing (apt-get install kannel kannel-extras; swift build -c release)")
        }
        if kannelCPUs != nil {
            // This process and every thread it starts from now on (hotline serve too) run on the targets' CPUs.
            try Self.taskset(["-a", "-p", "-c", targetCPUs, String(getpid())])
        }
        let replies = replyRate.map { "replies sent at \($0)/s" } ?? "replies sent as fast as the sink takes them"
        let loops = eventLoops.map { "\($0) event loop(s)" } ?? "an event loop per core"
        let cores = kannelCPUs.map { "Kannel's boxes, fakesmsc and the sendsms sink on CPU \($0), the targets on CPU \(targetCPUs)" } ?? "2 cores shared by all processes"
        print("\(messages) MO messages (UCS-2 Chinese) per run through fakesmsc → bearerbox → smsbox → MO URL; \(cores)")
        print("hotline serve: stored, classified, routed, 2 replies queued; \(replies); \(loops)")
        if storeOnly {
            print("store-only target: parses the MO like the Kannel adapter, stores the message alone through intake's group commit (same SQLite settings), answers an empty 200")
        }
        let store = storeOnly ? " store-only messages/s | store-only / trivial |" : ""
        print("| round | trivial target (empty 200) messages/s |\(store) hotline messages/s | hotline / trivial | Kannel CPU µs/message (trivial /\(storeOnly ? " store-only /" : "") hotline run) | target CPU µs/message (trivial /\(storeOnly ? " store-only /" : "") hotline) |")
        print("|---:|---:|\(storeOnly ? "---:|---:|" : "")---:|---:|---:|---:|")
        var ratios: [Double] = []
        var storeRatios: [Double] = []
        // Rounds alternate the two targets, so that the machine's drift (it is shared) hits both.
        for round in 1...rounds {
            let t = try await runOnce(target: .trivial)
            let s = storeOnly ? try await runOnce(target: .storeOnly) : nil
            let h = try await runOnce(target: .hotline)
            let trivial = Double(messages) / t.seconds
            let gateway = Double(messages) / h.seconds
            ratios.append(gateway / trivial)
            if let s { storeRatios.append(Double(messages) / s.seconds / trivial) }
            let runs = [t, s, h].compactMap { $0 }
            let storeColumns = s.map { " \(Int(Double(messages) / $0.seconds)) | \(Self.percent(Double(messages) / $0.seconds / trivial)) |" } ?? ""
            print("| \(round) | \(Int(trivial)) |\(storeColumns) \(Int(gateway)) | \(Self.percent(gateway / trivial)) | "
                  + runs.map { String(Int($0.kannelMicros)) }.joined(separator: " / ") + " | "
                  + runs.map { String(Int($0.targetMicros)) }.joined(separator: " / ") + " |")
        }
        print("\nhotline / trivial: \(Self.summary(ratios))")
        if storeOnly { print("store-only / trivial: \(Self.summary(storeRatios))") }
    }

    static func percent(_ ratio: Double) -> String { String(format: "%.0f%%", 100 * ratio) }

    /// The median of `ratios` and their range.
    static func summary(_ ratios: [Double]) -> String {
        let sorted = ratios.sorted()
        return "median \(percent(sorted[sorted.count / 2])) of \(sorted.count) round(s), range \(percent(sorted.first!))–\(percent(sorted.last!))"
    }

    enum Target { case trivial, storeOnly, hotline }

    /// Seconds from starting fakesmsc to the last message received by the target.
    func runOnce(target: Target) async throws -> Run {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var ports: [String: Int] = [:]
        for name in ["ADMIN_PORT", "SMSBOX_PORT", "FAKE_PORT", "SENDSMS_PORT", "TARGET_PORT", "SINK_PORT"] { ports[name] = try KannelSupport.freePort() }
        var processes: [Process] = []
        // Whose CPU the run counts: Kannel's boxes, and hotline serve when it is the target.
        var kannelPIDs: [Int32] = []
        var hotlinePIDs: [Int32] = []
        defer { for p in processes.reversed() { KannelSupport.kill9(p) } }

        // The trivial HTTP target counts MO requests; the store-only target also stores each one
        // first. Both accept sendsms requests like Kannel would (hotline's replies go there).
        let counter = Mutex(0)
        let router = Router()
        if target == .storeOnly {
            // The same parsing and the same durable commit as hotline's Kannel path, and nothing else.
            let database = try AppDatabase.open(path: dir.appendingPathComponent("s.sqlite").path)
            let kannel = KannelChannel(secret: "bench-secret", defaultCountryCode: "86", sendsmsURL: "", username: "", password: "",
                                       publicURL: "", webhookPath: "/webhooks/kannel")
            router.get("/webhooks/kannel") { request, _ in
                let text = try kannel.inbound(fields: try FormFields.parse(Array((request.uri.query ?? "").utf8)), secretHeader: nil)
                _ = try await database.receive(InboundMessage(
                    studioID: "bench", channel: "kannel", providerID: text.providerID, from: text.from, to: text.to, text: text.text,
                    receivedAt: Date())) { _, _ in Handled(queued: 0) }
                counter.withLock { $0 += 1 }
                return Response(status: .ok)
            }
        } else {
            router.get("/webhooks/kannel") { _, _ in
                counter.withLock { $0 += 1 }
                return Response(status: .ok)
            }
        }
        var targetTask: Task<Void, any Error>?
        defer { targetTask?.cancel() }
        var done: () async throws -> Int = { counter.withLock { $0 } }
        switch target {
        case .trivial, .storeOnly:
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: ports["TARGET_PORT"]!)))
            targetTask = Task { try await app.runService(gracefulShutdownSignals: []) }
        case .hotline:
            // hotline's replies go to a sink that answers like Kannel's sendsms. It stands in for
            // Kannel, so it runs beside Kannel (on its CPUs when pinned), not on the core measured.
            let sink = try startKannel(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path,
                                       ["sendsms-sink", "--port", String(ports["SINK_PORT"]!)])
            processes.append(sink)
            let configDir = dir.appendingPathComponent("config")
            try FileManager.default.copyItem(atPath: config, toPath: configDir.path)
            var main = try String(contentsOf: configDir.appendingPathComponent("hotline.yaml"), encoding: .utf8)
            // Replies go to the trivial sink's sendsms, not to Kannel: the run measures intake (the
            // dispatcher still sends two replies per message, so hotline does all of its work).
            main = KannelSupport.addKannelChannel(to: main, sendsmsURL: "http://127.0.0.1:\(ports["SINK_PORT"]!)/cgi-bin/sendsms",
                                                  publicURL: "http://127.0.0.1:\(ports["TARGET_PORT"]!)",
                                                  extra: replyRate.map { ["rate_limit: \($0)"] } ?? [])
            try main.write(to: configDir.appendingPathComponent("hotline.yaml"), atomically: true, encoding: .utf8)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: hotline)
            p.arguments = ["serve", "--config", configDir.path, "--intents", intents, "--database", dir.appendingPathComponent("h.sqlite").path,
                           "--port", String(ports["TARGET_PORT"]!)] + (eventLoops.map { ["--event-loops", String($0)] } ?? [])
            var env = ProcessInfo.processInfo.environment
            env["HOTLINE_KANNEL_SECRET"] = "bench-secret"
            env["HOTLINE_KANNEL_PASSWORD"] = "bench-pw"
            env["LOG_LEVEL"] = "error"
            p.environment = env
            p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            try p.run()
            processes.append(p)
            hotlinePIDs.append(p.processIdentifier)
            // Let hotline create and migrate its database before reading it.
            try await Task.sleep(for: .seconds(3))
            let database = try AppDatabase.open(path: dir.appendingPathComponent("h.sqlite").path)
            // Counted incrementally: each poll reads only the rows added since the last one.
            // Counting the whole inbound index fifty times a second took ≈ 5% of a core from the
            // processes being measured by the end of a run.
            let seen = Mutex((count: 0, lastID: Int64(0)))
            done = {
                let (count, lastID) = seen.withLock { ($0.count, $0.lastID) }
                let (added, newest) = try await database.inboundSince(lastID)
                seen.withLock { $0 = (count + added, newest) }
                return count + added
            }
        }

        var conf = try KannelSupport.kannelConf(root: URL(fileURLWithPath: "."), values: ports.mapValues(String.init).merging([
            "DIR": dir.path, "ADMIN_PASSWORD": "admin", "SENDSMS_PASSWORD": "bench-pw", "SECRET": "bench-secret",
            "HOTLINE_PORT": String(ports["TARGET_PORT"]!),
        ]) { a, _ in a })
        conf = conf.replacingOccurrences(of: "log-level = 1", with: "log-level = 4")
        let confFile = dir.appendingPathComponent("kannel.conf")
        try conf.write(to: confFile, atomically: true, encoding: .utf8)
        for box in ["/usr/sbin/bearerbox", "/usr/sbin/smsbox"] {
            // (taskset execs the box in its own process: the pid is the box's.)
            let p = try startKannel(box, [confFile.path])
            processes.append(p)
            kannelPIDs.append(p.processIdentifier)
            try await Task.sleep(for: .milliseconds(500))
        }
        try await Task.sleep(for: .seconds(1))

        // fakesmsc generates the MO itself: -m messages, no pause, a UCS-2 line, and (-z 1) a random
        // sender after the +86137 prefix, so that each message is a new resident's new case.
        let ucs2 = Array("小区停水三天了,一直没人管".utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }.map { String(format: "%%%02X", $0) }.joined()
        // CPU each process group used during the run (Kannel's boxes, the target), per message.
        let kannelBefore = kannelPIDs.map(Self.cpuSeconds).reduce(0, +)
        let targetBefore = target != .hotline ? IntakeBench.cpuSeconds() : hotlinePIDs.map(Self.cpuSeconds).reduce(0, +)
        let start = DispatchTime.now().uptimeNanoseconds
        processes.append(try startKannel("/usr/lib/kannel/test/fakesmsc", [
            "-H", "127.0.0.1", "-r", String(ports["FAKE_PORT"]!), "-i", "0", "-m", String(messages), "-v", "4", "-z", "1",
            "+86137 10690001 ucs2 \(ucs2)",
        ]))
        let deadline = Date().addingTimeInterval(600)
        // Polls are sparse while the end is far and dense near it: polling hotline's database every
        // 20 ms all along took ≈ 4% of the core hotline is measured on, polling every 200 ms would
        // make the end up to 200 ms late.
        var last = (at: Date(), count: 0)
        while true {
            let count = try await done()
            if count >= messages { break }
            guard Date() < deadline else { throw ValidationError("timed out: \(count) of \(messages) arrived") }
            let now = Date()
            let rate = Double(count - last.count) / max(now.timeIntervalSince(last.at), 0.001)
            last = (now, count)
            let near = rate <= 0 || Double(messages - count) / rate < 0.5
            try await Task.sleep(for: .milliseconds(near ? 10 : 200))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let kannel = kannelPIDs.map(Self.cpuSeconds).reduce(0, +) - kannelBefore
        let targetCPU = (target != .hotline ? IntakeBench.cpuSeconds() : hotlinePIDs.map(Self.cpuSeconds).reduce(0, +)) - targetBefore
        return Run(seconds: seconds, kannelMicros: kannel * 1e6 / Double(messages), targetMicros: targetCPU * 1e6 / Double(messages))
    }

    /// Starts one of Kannel's programs quietly, on `--kannel-cpus` when given.
    func startKannel(_ path: String, _ arguments: [String]) throws -> Process {
        guard let kannelCPUs else { return try KannelSupport.startQuietly(path, arguments) }
        return try KannelSupport.startQuietly("/usr/bin/taskset", ["-c", kannelCPUs, path] + arguments)
    }

    /// Runs taskset and fails if it does.
    static func taskset(_ arguments: [String]) throws {
        let p = try KannelSupport.startQuietly("/usr/bin/taskset", arguments)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ValidationError("taskset \(arguments.joined(separator: " ")) failed") }
    }

    /// One run's time, and the CPU per message of Kannel's boxes and of the target.
    struct Run {
        var seconds: Double
        var kannelMicros: Double
        var targetMicros: Double
    }

    /// User and system CPU seconds a process has used so far (from /proc).
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// A stand-in for Kannel's sendsms during the Kannel benchmark's hotline runs: accepts every send.
struct SendsmsSink: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sendsms-sink", abstract: "Answers GET /cgi-bin/sendsms like Kannel (202 Accepted) until killed.", shouldDisplay: false)

    @Option(help: "Port on 127.0.0.1.")
    var port: Int

    func run() async throws {
        let router = Router()
        router.get("/cgi-bin/sendsms") { _, _ in Response(status: .accepted, body: .init(byteBuffer: ByteBuffer(string: "0: Accepted for delivery"))) }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
            .runService(gracefulShutdownSignals: [])
    }
}
