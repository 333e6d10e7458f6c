import Foundation
import HotlineTestSupport
import Testing

/// Drives a real `hotline serve` process over HTTP.
@Suite(.serialized) struct ServeTests {
    /// The README's worked example, then `kill -9` right after the 200: the message, its case and its
    /// replies are all there after a restart, the restarted server sends the replies, and the same id
    /// posted again makes no second case.
    @Test func acknowledgedMessageSurvivesKill9AndIsNotDuplicated() async throws {
        let database = scratchDatabase()
        let payload = #"{"id":"m1","from":"+8613700000001","to":"10690001","text":"5号楼外墙皮脱落,物业不管"}"#
        let first = try await ServerProcess(database: database)
        let (status, answer) = try await first.post("/webhooks/json", payload)
        await first.kill9()
        #expect(status == 200)
        #expect(answer.contains(#""case":1"#))

        let cases = jsonLines(try await runCLI(["cases", "--json", "--database", database]))
        #expect(cases.count == 1)
        #expect(cases.first?["member"] as? String == "M3")
        #expect(cases.first?["topic"] as? String == "housing")
        #expect(cases.first?["intent"] as? String == "complaint")
        let messages = jsonLines(try await runCLI(["messages", "--json", "--database", database]))
        #expect(messages.count == 3)
        #expect(messages.contains { $0["direction"] as? String == "in" && $0["text"] as? String == "5号楼外墙皮脱落,物业不管" && $0["case"] as? Int == 1 })

        let second = try await ServerProcess(database: database)
        let (status2, answer2) = try await second.post("/webhooks/json", payload)
        #expect(status2 == 200)
        #expect(answer2.contains(#""case":1"#) && answer2.contains(#""duplicate":true"#))
        // The restarted dispatcher sends whatever the killed one had not.
        var outbound: [[String: Any]] = []
        for _ in 0..<50 {
            outbound = jsonLines(try await runCLI(["messages", "--json", "--database", database])).filter { $0["direction"] as? String == "out" }
            if outbound.count == 2 && outbound.allSatisfy({ $0["status"] as? String == "sent" }) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(outbound.count == 2)
        #expect(outbound.allSatisfy { $0["status"] as? String == "sent" })
        #expect(Set(outbound.compactMap { $0["to"] as? String }) == ["+8613700000001", "+8613800000003"])
        #expect(await second.terminate() == 0)
        #expect(jsonLines(try await runCLI(["cases", "--json", "--database", database])).count == 1)
    }

    @Test func signedWebhookWithSecretFromTheEnvironment() async throws {
        // One event loop (the setting for a 2-core machine shared with Kannel) serves as well.
        let server = try await ServerProcess(database: scratchDatabase(), environment: ["HOTLINE_JSON_SECRET": "e2e-secret"],
                                       extraArguments: ["--event-loops", "1"])
        let payload = #"{"id":"s1","from":"+8613700000002","to":"10690001","text":"村里停水了"}"#
        let (unsigned, body) = try await server.post("/webhooks/json", payload)
        #expect(unsigned == 401 && body.contains("X-Hotline-Signature"))
        // Signature computed independently with python3's hmac module.
        let py = Process()
        py.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        py.arguments = ["python3", "-c", "import hmac,hashlib,sys; print(hmac.new(b'e2e-secret', sys.argv[1].encode(), hashlib.sha256).hexdigest())", payload]
        let hex = try await runToEnd(py).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let (signed, _) = try await server.post("/webhooks/json", payload, headers: ["X-Hotline-Signature": "sha256=\(hex)"])
        #expect(signed == 200)
        #expect(await server.terminate() == 0)
    }

    /// Unsigned webhooks are for loopback only: listening on another address needs the secret.
    @Test func unsignedWebhookIsNotExposedBeyondLoopback() async throws {
        let run = try await runHotline(["serve", "--config", repoRoot.appendingPathComponent("config").path,
                                  "--intents", repoRoot.appendingPathComponent("Intents").path,
                                  "--database", scratchDatabase(), "--host", "0.0.0.0", "--port", "0"])
        #expect(run.status == 1)
        #expect(run.err.contains("channel json: listening on 0.0.0.0 needs its webhook secret; set HOTLINE_JSON_SECRET"), "\(run.err)")
    }

    /// What a request carries cannot forge a log line or put a whole number in the log.
    @Test func logLinesCannotBeForgedAndNumbersAreMasked() async throws {
        let server = try await ServerProcess(database: scratchDatabase())
        for body in [
            #"{"id":"f1","from":"1\n2026-12-01 error hotline: FORGED","to":"10690001","text":"x"}"#,
            #"{"id":"f2","from":"+8613700000001x","to":"10690001","text":"x"}"#,
            #"{"id":"f3","from":"+8613700000001","to":"10690001","text":"停水了\u0000三天\n2026-12-01 error hotline: FORGED"}"#,
        ] {
            let (status, answer) = try await server.post("/webhooks/json", body)
            #expect(status == 200 || status == 400, "\(answer)")
            #expect(!answer.contains("13700000001"), "\(answer)")
        }
        #expect(await server.terminate() == 0)
        let log = server.log
        #expect(!log.split(separator: "\n").contains { $0.hasPrefix("2026-12-01 error hotline: FORGED") }, "\(log)")
        #expect(!log.contains("13700000001"), "\(log)")
        #expect(log.contains("inbound stored"))
    }

    /// `--log-format json`: every line is one JSON object, numbers masked in every field.
    @Test func jsonLogLines() async throws {
        let server = try await ServerProcess(database: scratchDatabase(), extraArguments: ["--log-format", "json"])
        let (status, _) = try await server.post("/webhooks/json", #"{"id":"j1","from":"+8613700000001","to":"10690001","text":"停水了\n2026-12-01 error hotline: FORGED"}"#)
        #expect(status == 200)
        #expect(await server.terminate() == 0)
        let lines = server.log.split(separator: "\n").filter { !$0.isEmpty && !$0.hasPrefix("listening on") }
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] != nil && object?["message"] != nil && object?["ts"] != nil, "\(line)")
        }
        let stored = try #require(lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .first { $0["message"] as? String == "inbound stored" })
        #expect(stored["from"] as? String == "+86137****0001" && stored["channel"] as? String == "json", "\(stored)")
        #expect(!server.log.contains("13700000001"))
    }

    @Test func eventLoopsMustBePositive() async throws {
        let run = try await runHotline(["serve", "--database", scratchDatabase(), "--port", "0", "--event-loops", "0"])
        #expect(run.status == 64)
        #expect(run.err.contains("--event-loops must be at least 1 (given 0)"), "\(run.err)")
    }

    @Test func badConfigStopsStartUpNamingFileAndLine() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-badcfg-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("config"), to: dir)
        let file = dir.appendingPathComponent("studios/xujiawan.yaml")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "Asia/Shanghai", with: "Asia/Atlantis")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let run = try await runHotline(["serve", "--config", dir.path, "--intents", repoRoot.appendingPathComponent("Intents").path,
                                  "--database", scratchDatabase(), "--port", "0"])
        #expect(run.status == 1)
        #expect(run.err.contains("studios/xujiawan.yaml:5: unknown time zone 'Asia/Atlantis'"), "\(run.err)")
    }
}
