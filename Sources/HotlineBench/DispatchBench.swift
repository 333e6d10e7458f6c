import ArgumentParser
import AsyncHTTPClient
import Foundation
import HotlineApp
import HotlineChannels
import HotlineCore
import HotlineStorage
import Hummingbird
import HotlineTestSupport
import Logging
import Synchronization

/// A notice's dispatch through real Kannel: sendsms → smsbox → bearerbox → the SMSC simulator,
/// counted where the SMSC receives each part. In the same run, once with a trivial client (as many
/// concurrent sendsms GETs as the dispatcher's batch, nothing stored) and once with `hotline serve`
/// sending a notice committed to that many residents (claim, send, record, delivery reports).
struct DispatchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch", abstract: "A notice's texts per second through real Kannel: trivial sendsms client vs hotline's outbox.")

    @Option(help: "Recipients (texts) per run.")
    var messages = 5_000
    @Option(help: "Rounds, each a trivial run then a hotline run; the median ratio is reported.")
    var rounds = 3
    @Option(help: "The hotline executable (a release build).")
    var hotline = ".build/release/hotline"
    @Option(help: "Configuration folder to copy (hotline.yaml, studios/).")
    var config = "config"
    @Option(help: "Rule table folder.")
    var intents = "Intents"
    @Option(help: "Concurrent sendsms requests of the trivial client (the dispatcher's batch is 64).")
    var concurrency = 64

    /// The notice both runs send: a meeting three days on, to every resident of 龙湖社区.
    static let draft = NoticeDraft(kind: .meeting, title: "龙湖小区停车协商会",
                                   meeting: Meeting(at: Date().addingTimeInterval(3 * 86_400), place: "社区党群服务中心二楼"),
                                   audience: [.residentsOfArea("龙湖社区")])

    /// The notice's text as hotline words it (the trivial client sends the same).
    var text: String {
        get throws {
            let (settings, _) = try HotlineSetup.load(HotlinePaths(config: config, intents: intents))
            guard let studio = settings.deployment.studio(id: "xujiawan") else { throw ValidationError("the demo studio xujiawan is not in \(config)") }
            return NoticePlanner.text(Self.draft, number: 1, studio: studio)
        }
    }

    func run() async throws {
        for b in KannelSupport.binaries + [hotline] where !FileManager.default.isExecutableFile(atPath: b) {
            throw ValidationError("\(b) is missing (apt-get install kannel kannel-extras; swift build -c release)")
        }
        let parts = SMSSegments.parts(of: try text)
        print("\(messages) texts of \(parts) UCS-2 part(s) per run through sendsms → smsbox → bearerbox → fakesmsc (counted as fakesmsc receives them, timed from the first part to the last); 2 cores shared by all processes")
        print("trivial client: \(concurrency) concurrent sendsms GETs, nothing stored; hotline: a notice to \(messages) residents committed, then claimed, sent and recorded by the outbox dispatcher of hotline serve (no rate_limit)")
        print("| round | trivial client texts/s | hotline texts/s | hotline / trivial | Kannel CPU µs/text (trivial / hotline run) | sender CPU µs/text (trivial client / hotline serve) |")
        print("|---:|---:|---:|---:|---:|---:|")
        var ratios: [Double] = []
        for round in 1...rounds {
            let t = try await runOnce(hotlineRun: false)
            let h = try await runOnce(hotlineRun: true)
            ratios.append(h.rate / t.rate)
            print("| \(round) | \(Int(t.rate)) | \(Int(h.rate)) | \(KannelBench.percent(h.rate / t.rate)) | \(Int(t.kannel)) / \(Int(h.kannel)) | \(Int(t.sender)) / \(Int(h.sender)) |")
        }
        print("\nhotline / trivial: \(KannelBench.summary(ratios))")
    }

    /// Texts per second, from the first part arriving at the SMSC to the last; CPU per text of
    /// Kannel's boxes and of the sender (this process for the trivial client, hotline serve).
    func runOnce(hotlineRun: Bool) async throws -> (rate: Double, kannel: Double, sender: Double) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-dispatch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var ports: [String: Int] = [:]
        for name in ["ADMIN_PORT", "SMSBOX_PORT", "FAKE_PORT", "SENDSMS_PORT", "TARGET_PORT", "NOWHERE_PORT"] { ports[name] = try KannelSupport.freePort() }
        var processes: [Process] = []
        defer { for p in processes.reversed() { KannelSupport.kill9(p) } }

        let conf = try KannelSupport.kannelConf(root: URL(fileURLWithPath: "."), values: ports.mapValues(String.init).merging([
            "DIR": dir.path, "ADMIN_PASSWORD": "admin", "SENDSMS_PASSWORD": "bench-pw", "SECRET": "bench-secret",
            // MO is not measured here: the one fakesmsc sends goes nowhere.
            "HOTLINE_PORT": String(ports["NOWHERE_PORT"]!),
        ]) { a, _ in a }).replacingOccurrences(of: "log-level = 1", with: "log-level = 4")
        let confFile = dir.appendingPathComponent("kannel.conf")
        try conf.write(to: confFile, atomically: true, encoding: .utf8)
        var kannelPIDs: [Int32] = []
        for box in ["/usr/sbin/bearerbox", "/usr/sbin/smsbox"] {
            processes.append(try KannelSupport.startQuietly(box, [confFile.path]))
            kannelPIDs.append(processes.last!.processIdentifier)
            try await Task.sleep(for: .milliseconds(500))
        }
        // fakesmsc logs each MT it receives ("Got message N") on standard error: counted there.
        // Parts received, and when the first came: both runs are timed from there to the last part,
        // so that hotline's dispatcher noticing the notice (its idle tick is a second) is not counted.
        let received = Mutex((count: 0, first: UInt64(0)))
        let fake = Process()
        fake.executableURL = URL(fileURLWithPath: "/usr/lib/kannel/test/fakesmsc")
        fake.arguments = ["-H", "127.0.0.1", "-r", String(ports["FAKE_PORT"]!), "-i", "100000", "-m", "1", "+8613700000000 19999999 text x"]
        let pipe = Pipe()
        fake.standardError = pipe
        fake.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try fake.run()
        processes.append(fake)
        let reader = pipe.fileHandleForReading
        Thread {
            var carry = Data()
            let marker = Data("Got message".utf8)
            while case let chunk = reader.availableData, !chunk.isEmpty {
                carry.append(chunk)
                var n = 0
                var search = carry.startIndex..<carry.endIndex
                while let r = carry.range(of: marker, in: search) { n += 1; search = r.upperBound..<carry.endIndex }
                // Keep the tail that could hold the start of a marker cut in two.
                carry = Data(carry.suffix(marker.count - 1))
                let now = DispatchTime.now().uptimeNanoseconds
                received.withLock { r in
                    if r.count == 0, n > 0 { r.first = now }
                    r.count += n
                }
            }
        }.start()
        try await Task.sleep(for: .seconds(1))

        let expected = messages * SMSSegments.parts(of: try text)
        let sendsms = "http://127.0.0.1:\(ports["SENDSMS_PORT"]!)/cgi-bin/sendsms"
        let kannelBefore = kannelPIDs.map(KannelBench.cpuSeconds).reduce(0, +)
        var senderCPU: () -> Double = IntakeBench.cpuSeconds
        var senderBefore = senderCPU()
        if hotlineRun {
            let pid = try await startHotline(dir: dir, ports: ports, sendsms: sendsms, processes: &processes)
            senderCPU = { KannelBench.cpuSeconds(pid) }
            senderBefore = senderCPU()
        } else {
            // Delivery reports go to a responder that answers 200, as hotline's webhook would.
            let router = Router()
            router.get("/webhooks/kannel/dlr") { _, _ in Response(status: .ok) }
            var quiet = Logger(label: "dlr-responder")
            quiet.logLevel = .critical
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: ports["TARGET_PORT"]!)), logger: quiet)
            let responder = Task { try await app.runService(gracefulShutdownSignals: []) }
            defer { responder.cancel() }
            for _ in 0..<100 where !KannelSupport.canConnect(ports["TARGET_PORT"]!) { try await Task.sleep(for: .milliseconds(20)) }
            try await trivialClient(sendsms: sendsms, dlrPort: ports["TARGET_PORT"]!)
        }
        let deadline = Date().addingTimeInterval(600)
        while received.withLock({ $0.count }) < expected {
            guard Date() < deadline else { throw ValidationError("timed out: \(received.withLock { $0.count }) of \(expected) parts arrived") }
            try await Task.sleep(for: .milliseconds(5))
        }
        let first = received.withLock { $0.first }
        let rate = Double(messages) / (Double(DispatchTime.now().uptimeNanoseconds - first) / 1e9)
        let kannel = (kannelPIDs.map(KannelBench.cpuSeconds).reduce(0, +) - kannelBefore) * 1e6 / Double(messages)
        return (rate, kannel, (senderCPU() - senderBefore) * 1e6 / Double(messages))
    }

    /// `messages` sendsms GETs, `concurrency` at a time, built by hotline's Kannel adapter (coding,
    /// charset, dlr-mask and a dlr-url, here to a responder that answers 200 and keeps nothing).
    func trivialClient(sendsms: String, dlrPort: Int) async throws {
        let kannel = KannelChannel(secret: "bench-secret", defaultCountryCode: "86", sendsmsURL: sendsms, username: "hotline", password: "bench-pw",
                                   publicURL: "http://127.0.0.1:\(dlrPort)", webhookPath: "/webhooks/kannel")
        let text = try self.text
        let total = messages
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func add() {
                let i = next
                next += 1
                group.addTask {
                    let out = kannel.sendRequest(messageID: Int64(i + 1), from: "10690001", to: "+86137" + String(format: "%08d", i), text: text)
                    let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: out.url), timeout: .seconds(30))
                    guard (200..<300).contains(response.status.code) else { throw ValidationError("sendsms answered \(response.status.code)") }
                    _ = try await response.body.collect(upTo: 4096)
                }
            }
            while next < min(concurrency, total) { add() }
            while try await group.next() != nil { if next < total { add() } }
        }
    }

    /// Starts hotline serve on a database of `messages` residents of 龙湖社区, waits until it
    /// listens, then commits a notice to them all (through the same code `hotline notices create` runs).
    /// Returns hotline serve's pid.
    func startHotline(dir: URL, ports: [String: Int], sendsms: String, processes: inout [Process]) async throws -> Int32 {
        let configDir = dir.appendingPathComponent("config")
        try FileManager.default.copyItem(atPath: config, toPath: configDir.path)
        var main = try String(contentsOf: configDir.appendingPathComponent("hotline.yaml"), encoding: .utf8)
        main = KannelSupport.addKannelChannel(to: main, sendsmsURL: sendsms, publicURL: "http://127.0.0.1:\(ports["TARGET_PORT"]!)")
        try main.write(to: configDir.appendingPathComponent("hotline.yaml"), atomically: true, encoding: .utf8)
        let studioFile = configDir.appendingPathComponent("studios/xujiawan.yaml")
        try (try String(contentsOf: studioFile, encoding: .utf8)).replacingOccurrences(of: "outbound_channel: dryrun", with: "outbound_channel: kannel")
            .write(to: studioFile, atomically: true, encoding: .utf8)
        let database = dir.appendingPathComponent("h.sqlite").path
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let paths = HotlinePaths(config: configDir.path, intents: intents, database: database)
        let env = ["HOTLINE_KANNEL_SECRET": "bench-secret", "HOTLINE_KANNEL_PASSWORD": "bench-pw"]
        let local = try HotlineSetup.make(paths, environment: env, logger: logger)
        let count = messages
        let now = Date()
        try await local.database.importResidents((0..<count).map { i in
            ResidentRecord(studioId: "xujiawan", phone: "+86137" + String(format: "%08d", i), area: "龙湖社区", seenAt: now)
        })
        let p = Process()
        p.executableURL = URL(fileURLWithPath: hotline)
        p.arguments = ["serve", "--config", configDir.path, "--intents", intents, "--database", database, "--port", String(ports["TARGET_PORT"]!),
                       "--follow-up-seconds", "0"]
        p.environment = ProcessInfo.processInfo.environment.merging(env.merging(["LOG_LEVEL": "error"]) { a, _ in a }) { _, b in b }
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        processes.append(p)
        for _ in 0..<100 where !KannelSupport.canConnect(ports["TARGET_PORT"]!) { try await Task.sleep(for: .milliseconds(100)) }
        let text = try self.text
        let (_, plan) = try await NoticeService(local).create(studio: "xujiawan", Self.draft, by: "bench")
        guard plan.recipients.count == messages, plan.text == text else {
            throw ValidationError("the notice reaches \(plan.recipients.count) with '\(plan.text)', not \(messages) with '\(text)'")
        }
        return p.processIdentifier
    }
}
