import Foundation
import HotlineTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Real Kannel (bearerbox, smsbox, the fakesmsc SMSC simulator) in front of a real `hotline serve`.
final class KannelRig: @unchecked Sendable {
    let dir: URL
    let ports: [String: Int]
    var processes: [Process] = []
    var fake: Process?
    var fakeLog: URL { dir.appendingPathComponent("fakesmsc.log") }
    private var fakeInput: FileHandle?
    var server: ServerProcess?
    var smsbox: Process?
    var confFile: URL { dir.appendingPathComponent("kannel.conf") }
    var configDir: URL { dir.appendingPathComponent("config") }
    var database: String { dir.appendingPathComponent("hotline.sqlite").path }
    let environment = ["HOTLINE_KANNEL_SECRET": "kannel-secret", "HOTLINE_KANNEL_PASSWORD": "kannel-pw"]

    func startBox(_ path: String) throws -> Process { try KannelSupport.startQuietly(path, [confFile.path]) }

    /// Takes sendsms away (hotline's sends then fail with connection refused) or brings it back.
    func stopSmsbox() {
        KannelSupport.kill9(smsbox)
        smsbox = nil
    }

    func startSmsbox() async throws {
        smsbox = try startBox("/usr/sbin/smsbox")
        try await waitFor("sendsms port") { [self] in
            KannelSupport.canConnect(ports["SENDSMS_PORT"]!)
        }
    }

    func startServer() async throws {
        server = try await ServerProcess(database: database, configDir: configDir.path, port: ports["HOTLINE_PORT"]!, environment: environment)
    }

    init() throws {
        for b in KannelSupport.binaries where !FileManager.default.isExecutableFile(atPath: b) {
            throw E2EError("\(b) is missing: apt-get install kannel kannel-extras (.ci/run does)")
        }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-kannel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var ports: [String: Int] = [:]
        for name in ["ADMIN_PORT", "SMSBOX_PORT", "FAKE_PORT", "SENDSMS_PORT", "HOTLINE_PORT"] { ports[name] = try KannelSupport.freePort() }
        self.ports = ports
    }

    func start() async throws {
        // Kannel's configuration: the documented one with this run's ports.
        let conf = try KannelSupport.kannelConf(root: repoRoot, values: ports.mapValues(String.init).merging([
            "DIR": dir.path, "ADMIN_PASSWORD": "admin-pw", "SENDSMS_PASSWORD": "kannel-pw", "SECRET": "kannel-secret",
        ]) { a, _ in a })
        try conf.write(to: confFile, atomically: true, encoding: .utf8)

        // hotline's configuration: the shipped one, with a Kannel channel carrying the demo studio's replies.
        let config = configDir
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("config"), to: config)
        var main = try String(contentsOf: config.appendingPathComponent("hotline.yaml"), encoding: .utf8)
        // Short backoff so that the restart test does not wait long.
        main = main.replacingOccurrences(of: "initial_delay_seconds: 2", with: "initial_delay_seconds: 0.5")
        main = KannelSupport.addKannelChannel(
            to: main, sendsmsURL: "http://127.0.0.1:\(ports["SENDSMS_PORT"]!)/cgi-bin/sendsms",
            publicURL: "http://127.0.0.1:\(ports["HOTLINE_PORT"]!)", extra: ["require_secret: true", "allow: [127.0.0.1]"])
        try main.write(to: config.appendingPathComponent("hotline.yaml"), atomically: true, encoding: .utf8)
        let studio = config.appendingPathComponent("studios/xujiawan.yaml")
        try String(contentsOf: studio, encoding: .utf8).replacingOccurrences(of: "outbound_channel: dryrun", with: "outbound_channel: kannel")
            .write(to: studio, atomically: true, encoding: .utf8)

        processes.append(try startBox("/usr/sbin/bearerbox"))
        try await Task.sleep(for: .milliseconds(300))
        smsbox = try startBox("/usr/sbin/smsbox")
        // Ready when the admin port answers (a bare probe of the fake SMSC port would count as a client).
        try await waitFor("bearerbox") { [self] in
            (try? String(contentsOf: URL(string: "http://127.0.0.1:\(ports["ADMIN_PORT"]!)/status.txt?password=admin-pw")!,
                         encoding: .utf8))?.contains("Status: running") == true
        }
        try await startServer()
        try startFake()
    }

    /// Starts fakesmsc reading MO lines from a FIFO held open read-write (it exits on EOF otherwise).
    func startFake() throws {
        let fifo = dir.appendingPathComponent("mo-\(UUID().uuidString).fifo").path
        guard mkfifo(fifo, 0o600) == 0 else { throw E2EError("mkfifo failed") }
        let input = try FileHandle(forUpdating: URL(fileURLWithPath: fifo))
        FileManager.default.createFile(atPath: fakeLog.path, contents: nil)
        let log = try FileHandle(forWritingTo: fakeLog)
        log.seekToEndOfFile()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/lib/kannel/test/fakesmsc")
        p.arguments = ["-H", "127.0.0.1", "-r", String(ports["FAKE_PORT"]!), "-i", "0", "-m", "100000", "-v", "0"]
        p.standardInput = input
        p.standardOutput = log
        p.standardError = log
        try p.run()
        fake = p
        fakeInput = input
    }

    /// Cuts the SMSC link (fakesmsc ignores SIGTERM while it waits on its input).
    func stopFake() {
        KannelSupport.kill9(fake)
        fake = nil
    }

    /// Sends an MO text from `from` to `to` through the simulated SMSC (UCS-2, as a handset would).
    func sendMO(from: String, to: String, text: String) throws {
        let ucs2 = Array(text.utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let payload = ucs2.map { b -> String in
            let c = Character(Unicode.Scalar(b))
            return (c.isASCII && (c.isLetter || c.isNumber)) ? String(c) : String(format: "%%%02X", b)
        }.joined()
        fakeInput?.write(Data("\(from) \(to) ucs2 \(payload)\n".utf8))
    }

    /// The MT messages fakesmsc received: (receiver, text), decoded from UCS-2.
    func receivedMT() -> [(to: String, text: String)] {
        let log = (try? String(contentsOf: fakeLog, encoding: .utf8)) ?? ""
        return log.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let start = line.range(of: "Got message "), let open = line[start.upperBound...].firstIndex(of: "<") else { return nil }
            let body = line[line.index(after: open)...].dropLast(line.hasSuffix(">") ? 1 : 0)
            let parts = body.split(separator: " ", maxSplits: 3)
            guard parts.count == 4, parts[2] == "ucs-2" else { return nil }
            let bytes = percentDecode(String(parts[3]))
            let units = stride(from: 0, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
            return (String(parts[1]), String(decoding: units, as: UTF16.self))
        }
    }

    func percentDecode(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%"), bytes.count >= 2, let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else if b == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else {
                out.append(b)
            }
        }
        return out
    }

    func messages() async throws -> [[String: Any]] {
        jsonLines(try await runCLI(["messages", "--json", "--database", server!.database]))
    }

    func waitFor(_ what: String, seconds: Double = 30, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw E2EError("timed out waiting for \(what)")
    }

    /// Runs `body` with a started rig and stops it however `body` ends.
    static func run(_ body: (KannelRig) async throws -> Void) async throws {
        let rig = try KannelRig()
        do {
            try await rig.start()
            try await body(rig)
        } catch {
            await rig.stop()
            throw error
        }
        await rig.stop()
    }

    func stop() async {
        stopFake()
        stopSmsbox()
        _ = await server?.terminate()
        // Kannel's boxes shut down gracefully on SIGTERM only after a long wait: a test needs no grace.
        for p in processes.reversed() { KannelSupport.kill9(p) }
    }
}

@Suite(.serialized) struct KannelIntegrationTests {
    @Test func residentTextThroughKannelIsAcknowledgedAndRepliesAreDelivered() async throws {
        try await KannelRig.run { rig in

            // A resident texts the hotline from a handset.
            try rig.sendMO(from: "8613700000001", to: "10690001", text: "小区停水三天了")
            try await rig.waitFor("two MT messages at the handsets") { rig.receivedMT().count >= 2 }
            let mt = rig.receivedMT()
            let ack = try #require(mt.first { $0.to.hasSuffix("13700000001") })
            #expect(ack.text.contains("已收到您的诉求,编号1") && ack.text.contains("王委员"), "\(ack.text)")
            let notice = try #require(mt.first { $0.to.hasSuffix("13800000003") })
            #expect(notice.text.contains("小区停水三天了") && notice.text.contains("+86137****0001"), "\(notice.text)")

            // Delivery reports come back through the dlr-url and mark both delivered.
            try await rig.waitFor("delivery reports") {
                let out = try await rig.messages().filter { $0["direction"] as? String == "out" }
                return out.count == 2 && out.allSatisfy { $0["status"] as? String == "delivered" }
            }
            let inbound = try await rig.messages().filter { $0["direction"] as? String == "in" }
            #expect(inbound.count == 1 && inbound.first?["channel"] as? String == "kannel" && inbound.first?["case"] as? Int == 1)

            // The SMSC link goes down; a message arrives by another channel; Kannel queues the reply
            // (202 3: Queued for later delivery) and delivers it once the link is back.
            rig.stopFake()
            let (status, _) = try await rig.server!.post("/webhooks/json", #"{"id":"j1","from":"+8613700000002","to":"10690001","text":"村里的路灯坏了"}"#)
            #expect(status == 200)
            try await rig.waitFor("the reply accepted by Kannel while the link is down") {
                try await rig.messages().contains { $0["to"] as? String == "+8613700000002" && $0["status"] as? String == "sent" }
            }
            #expect(!rig.receivedMT().contains { $0.to.hasSuffix("13700000002") })
            try rig.startFake()
            try await rig.waitFor("the queued reply at the handset once the link is back") {
                rig.receivedMT().contains { $0.to.hasSuffix("13700000002") && $0.text.contains("编号2") }
            }
            try await rig.waitFor("its delivery report") {
                try await rig.messages().contains { $0["to"] as? String == "+8613700000002" && $0["status"] as? String == "delivered" }
            }
        }
    }

    /// kill -9 with sends pending (sendsms down, rows waiting for their retry): after a restart every
    /// one reaches its handset exactly once.
    @Test func pendingRepliesAreDeliveredExactlyOnceAfterKill9() async throws {
        try await KannelRig.run { rig in
            rig.stopSmsbox()
            for i in 1...3 {
                let (status, _) = try await rig.server!.post("/webhooks/json",
                    #"{"id":"p\#(i)","from":"+861370000001\#(i)","to":"10690001","text":"小区停水了"}"#)
                #expect(status == 200)
            }
            // Each reply has failed at least once (connection refused) and waits for its retry.
            try await rig.waitFor("failed first attempts") {
                let rows = jsonLines(try await runCLI(["outbox", "--json", "--database", rig.database]))
                // (An attempt is counted as it starts: the failure is its error. A reply handed to the
                // dispatcher at intake counts its attempt before any send.)
                return rows.count == 6 && rows.allSatisfy { ($0["attempts"] as? Int ?? 0) >= 1 && $0["status"] as? String != "sent" && $0["error"] is String }
            }
            await rig.server!.kill9()
            try await rig.startSmsbox()
            try await rig.startServer()
            try await rig.waitFor("every reply delivered") {
                let out = try await rig.messages().filter { $0["direction"] as? String == "out" }
                return out.count == 6 && out.allSatisfy { $0["status"] as? String == "delivered" }
            }
            // fakesmsc may log a message just after its delivery report; then give any duplicate time to show.
            try await rig.waitFor("six messages at the handsets") { rig.receivedMT().count >= 6 }
            try await Task.sleep(for: .seconds(2))
            let received = rig.receivedMT()
            #expect(received.count == 6, "\(received)")
            #expect(Set(received.map { "\($0.to) \($0.text)" }).count == 6)
            // The failed sends were logged; neither Kannel's password nor the shared secret may appear there,
            // and residents' numbers are masked.
            let log = rig.server!.log
            #expect(log.contains("outbox: send failed, will retry"))
            #expect(!log.contains("kannel-pw") && !log.contains("kannel-secret"))
            #expect(!log.contains("13700000011") && log.contains("+86137****0011"))
        }
    }
}
