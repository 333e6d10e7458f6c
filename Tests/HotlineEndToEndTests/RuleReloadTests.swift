import Foundation
import HotlineTestSupport
import Testing

/// Hot reload of `Intents/` against a running server.
@Suite(.serialized) struct RuleReloadTests {
    /// A copy of the shipped rule table the test may edit.
    func scratchIntents() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-intents-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("Intents"), to: dir)
        return dir
    }

    /// Posts texts until the stored case's topic is `topic` (reload is asynchronous), up to ~10 s.
    func topicAfterReload(_ server: ServerProcess, text: String, topic: String, prefix: String) async throws -> String? {
        var last: String?
        for i in 0..<50 {
            let (status, answer) = try await server.post("/webhooks/json", #"{"id":"\#(prefix)-\#(i)","from":"+8613700000009","to":"10690001","text":"\#(text)"}"#)
            #expect(status == 200)
            let number = try #require(try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any])["case"] as? Int
            last = jsonLines(try await runCLI(["cases", "--json", "--database", server.database])).first { $0["number"] as? Int == number }?["topic"] as? String
            if last == topic { return last }
            try await Task.sleep(for: .milliseconds(200))
        }
        return last
    }

    @Test func editedRuleIsObeyedAndABrokenEditKeepsTheOldTable() async throws {
        let intents = try scratchIntents()
        let server = try await ServerProcess(database: scratchDatabase(), intents: intents.path)
        let text = "村口的石狮子被人挪走了"
        #expect(try await topicAfterReload(server, text: text, topic: "other", prefix: "before") == "other")

        // A coordinator adds a rule: the file watcher picks it up.
        try "rules:\n  - { id: trees, topic: environment, any: [石狮子], weight: 3 }\n"
            .write(to: intents.appendingPathComponent("zz-local.yaml"), atomically: true, encoding: .utf8)
        #expect(try await topicAfterReload(server, text: text, topic: "environment", prefix: "edited") == "environment")

        // A broken edit (unknown topic) plus SIGHUP: the old table stays in service and the log names file:line.
        try "rules:\n  - { id: trees, topic: forestry, any: [石狮子], weight: 3 }\n"
            .write(to: intents.appendingPathComponent("zz-local.yaml"), atomically: true, encoding: .utf8)
        server.signal(SIGHUP)
        try await Task.sleep(for: .seconds(2))
        #expect(try await topicAfterReload(server, text: text, topic: "environment", prefix: "broken") == "environment")
        #expect(server.log.contains("rule table NOT reloaded"))
        #expect(server.log.contains("zz-local.yaml:2: unknown topic 'forestry'"), "\(server.log)")
        #expect(await server.finish() == 0)
    }
}

/// `hotline check` on a broken rule table: exit 1 with file:line.
@Suite struct CheckCommandTests {
    @Test(arguments: [
        ("rules:\n  - { id: a, topic: weather, any: [雨] }\n", "bad.yaml:2: unknown topic 'weather'"),
        ("rules:\n  - id: a\n    topic: water\n    any: [停水]\n    examples:\n      - { text: 你好, expect: roads }\n",
         "bad.yaml:6: example of rule a: \"你好\" expected roads, got unclassified/other"),
    ])
    func brokenRuleFileFailsWithFileAndLine(rules: String, error: String) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-check-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("Intents"), to: dir)
        try rules.write(to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let run = try await runHotline(["check", "--config", repoRoot.appendingPathComponent("config").path, "--intents", dir.path])
        #expect(run.status == 1)
        #expect(run.err.contains(error), "\(run.err)")
    }

    @Test func shippedTableChecksOK() async throws {
        let out = try await runCLI(["check", "--config", repoRoot.appendingPathComponent("config").path,
                              "--intents", repoRoot.appendingPathComponent("Intents").path])
        #expect(out.hasPrefix("ok:"))
    }
}

/// `hotline classify` with no text: one JSON object per stdin line.
@Suite struct ClassifyCommandTests {
    @Test func batchModeWritesOneJSONLinePerMessage() async throws {
        let process = Process()
        process.executableURL = try hotlineBinary()
        process.arguments = ["classify", "--intents", repoRoot.appendingPathComponent("Intents").path]
        let run = try await runToEnd(process, input: Data("小區停水兩天了,沒人處理\n請問醫保異地就醫怎麼報銷?\n你好\n".utf8))
        let lines = jsonLines(run.out)
        #expect(run.status == 0)
        #expect(lines.map { "\($0["intent"] as? String ?? "")/\($0["topic"] as? String ?? "")" }
            == ["complaint/water", "question/social", "unclassified/other"])
        #expect((lines[0]["score"] as? Double ?? 0) > 0)
        // The explanation as stored with a case: each rule that fired, its words and where it is written.
        let matches = lines[0]["matches"] as? [[String: Any]] ?? []
        let rules = matches.compactMap { $0["rule"] as? String }
        #expect(rules.contains("water") && rules.contains("complaint-neglect"))
        #expect(matches.allSatisfy { ($0["location"] as? String)?.contains(".yaml:") == true && $0["words"] is [String] })
    }
}
