import Foundation
import Testing

/// A coordinator's notice through the CLI and a real `hotline serve`: who gets it, answers by
/// text, the tally, an opted-out resident, a cancellation.
@Suite(.serialized) struct NoticeEndToEndTests {
    static let m3 = "+8613800000003", m6 = "+8613800000006"
    /// The shipped config without quiet hours: a notice made at any hour of the run goes at once
    /// (with them, a run between 21:30 and 08:00 Shanghai time waited for the morning and failed).
    let config: URL

    init() throws { config = try Self.configWithoutQuietHours() }

    /// `hotline notices …` on the server's database (and the test's config, for the commands that read it).
    func notices(_ server: ServerProcess, _ arguments: [String]) async throws -> [[String: Any]] {
        let config = ["create", "preview", "cancel"].contains(arguments.first ?? "")
            ? ["--config", self.config.path, "--intents", repoRoot.appendingPathComponent("Intents").path] : []
        return jsonLines(try await runCLI(["notices"] + arguments + ["--database", server.database] + config))
    }

    /// Outbound texts per phone that the server has sent (dry run), waiting up to 10 s for `until`.
    func sent(_ server: ServerProcess, until: ([String: [String]]) -> Bool) async throws -> [String: [String]] {
        var boxes: [String: [String]] = [:]
        for _ in 0..<100 {
            boxes = [:]
            for m in jsonLines(try await runCLI(["messages", "--json", "--database", server.database]))
                .filter({ $0["direction"] as? String == "out" && $0["status"] as? String == "sent" })
                .sorted(by: { ($0["id"] as! Int) < ($1["id"] as! Int) }) {
                boxes[m["to"] as! String, default: []].append(m["text"] as! String)
            }
            if until(boxes) { return boxes }
            try await Task.sleep(for: .milliseconds(100))
        }
        return boxes
    }

    func text(_ server: ServerProcess, _ id: String, from: String, _ text: String) async throws {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["id": id, "from": from, "to": "10690001", "text": text]), as: UTF8.self)
        let (status, answer) = try await server.post("/webhooks/json", body)
        #expect(status == 200, "\(answer)")
    }

    @Test func aMeetingOfLonghusMembersAnsweredTalliedAndCancelled() async throws {
        let server = try await ServerProcess(database: scratchDatabase(), configDir: config.path)
        // A running server is ready: its database takes writes and its dispatcher beats.
        let (ready, body) = try await server.get("/readyz")
        #expect(ready == 200 && body.contains("ready"), "\(body)")
        let at = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3 * 86_400))
        let made = try await notices(server, ["create", "--studio", "xujiawan", "--title", "龙湖停车协商会", "--at", at, "--place", "工作室",
                                        "--to", "members:area=龙湖社区", "--json"])
        #expect(made.first?["recipients"] as? Int == 2, "\(made)")
        var boxes = try await sent(server) { $0[Self.m3] != nil && $0[Self.m6] != nil }
        #expect(Set(boxes.keys) == [Self.m3, Self.m6], "\(boxes.keys)")
        #expect(boxes[Self.m3]?.first?.contains("龙湖停车协商会") == true)

        try await text(server, "r1", from: Self.m3, "参加")
        try await text(server, "r2", from: Self.m6, "请假 出差")
        let tally = try await notices(server, ["tally", "--studio", "xujiawan", "1", "--json"])
        #expect(tally.last?["coming"] as? Int == 1 && tally.last?["declined"] as? Int == 1 && tally.last?["no_answer"] as? Int == 0, "\(tally)")
        let shown = try await notices(server, ["show", "--studio", "xujiawan", "1", "--json"]).dropFirst()
        #expect(shown.first { $0["phone"] as? String == Self.m6 }?["note"] as? String == "出差")
        #expect(jsonLines(try await runCLI(["cases", "--json", "--database", server.database])).isEmpty)

        _ = try await notices(server, ["cancel", "--studio", "xujiawan", "1", "--reason", "改到下周"])
        boxes = try await sent(server) { ($0[Self.m3]?.count ?? 0) >= 3 && ($0[Self.m6]?.count ?? 0) >= 3 }
        #expect(boxes[Self.m3]?.last?.contains("会议取消") == true && boxes[Self.m6]?.last?.contains("会议取消") == true, "\(boxes)")
        #expect(Set(boxes.keys) == [Self.m3, Self.m6])
        #expect(await server.finish() == 0)
    }

    @Test func anOptedOutResidentIsSkippedAndToldNothing() async throws {
        let server = try await ServerProcess(database: scratchDatabase(), configDir: config.path)
        let out = "+8613700000081", other = "+8613700000082"
        try await text(server, "o1", from: out, "退订")
        _ = try await sent(server) { $0[out] != nil }
        let made = try await notices(server, ["create", "--studio", "xujiawan", "--kind", "general", "--title", "停水通知", "--body", "明天9点到12点停水",
                                        "--to", "numbers:\(out),\(other)", "--json"])
        #expect(made.first?["recipients"] as? Int == 1 && (made.first?["skipped"] as? [String: Int]) == ["opted-out": 1], "\(made)")
        let boxes = try await sent(server) { $0[other] != nil }
        #expect(boxes[other]?.first?.contains("停水通知") == true)
        #expect(boxes[out]?.count == 1 && boxes[out]?.first?.contains("已退订") == true, "\(boxes[out] ?? [])")
        #expect(await server.finish() == 0)
    }

    /// A liaison's `通知 …` is previewed to them and goes to the members only after `确认 N`.
    @Test func aLiaisonsNoticeByTextGoesOnlyAfterConfirmation() async throws {
        let server = try await ServerProcess(database: scratchDatabase(), configDir: config.path)
        let liaison = "+8613900000001"
        try await text(server, "n1", from: liaison, "通知 龙湖社区委员 周三下午3点在工作室开协商会")
        var boxes = try await sent(server) { $0[liaison] != nil }
        #expect(boxes[liaison]?.first == "将发给2人,共2条短信。回复“确认 1”发送。", "\(boxes)")
        try await Task.sleep(for: .milliseconds(1500))
        boxes = try await sent(server) { _ in true }
        #expect(boxes[Self.m3] == nil && boxes[Self.m6] == nil)
        // A member cannot send one.
        try await text(server, "n2", from: Self.m3, "确认 1")
        boxes = try await sent(server) { $0[Self.m3] != nil }
        #expect(boxes[Self.m3] == ["只有联络员和负责人可以发通知。"])
        try await text(server, "n3", from: liaison, "确认 1")
        boxes = try await sent(server) { $0[Self.m6] != nil && ($0[liaison]?.count ?? 0) >= 2 }
        #expect(boxes[Self.m6] == ["【徐家湾委员工作室】通知:周三下午3点在工作室开协商会。"])
        #expect(boxes[Self.m3]?.last == "【徐家湾委员工作室】通知:周三下午3点在工作室开协商会。")
        #expect(boxes[liaison]?.last == "通知1已发出,共2人。")
        #expect(Set(boxes.keys) == [liaison, Self.m3, Self.m6])
        // Confirming again sends nothing more.
        try await text(server, "n4", from: liaison, "确认 1")
        boxes = try await sent(server) { ($0[liaison]?.count ?? 0) >= 3 }
        #expect(boxes[liaison]?.last?.contains("没有通知1,或已发出") == true)
        #expect(boxes[Self.m6]?.count == 1)
        #expect(await server.finish() == 0)
    }

    /// The shipped config without quiet hours, so that a test run at any hour sends at once.
    static func configWithoutQuietHours() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-config-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("config"), to: dir)
        let main = dir.appendingPathComponent("hotline.yaml")
        let yaml = try String(contentsOf: main, encoding: .utf8)
        let quiet = try #require(yaml.split(separator: "\n").first { $0.contains("quiet_hours:") })
        try yaml.replacingOccurrences(of: String(quiet), with: "  quiet_hours: none").write(to: main, atomically: true, encoding: .utf8)
        return dir
    }

    /// In real time: a notice scheduled a few seconds ahead goes then and not before; its reminder
    /// goes to those coming and those who have not answered, not to those who declined.
    @Test func aScheduledNoticeAndItsReminderThroughTheRealServer() async throws {
        let server = try await ServerProcess(database: scratchDatabase(), configDir: config.path, extraArguments: ["--follow-up-seconds", "1"])
        let iso = ISO8601DateFormatter()
        let sendAt = Date().addingTimeInterval(5)
        _ = try await runCLI(["notices", "create", "--studio", "xujiawan", "--title", "龙湖停车协商会", "--at", iso.string(from: Date().addingTimeInterval(86_400)),
                        "--place", "工作室", "--to", "members:area=龙湖社区", "--to", "liaisons", "--send-at", iso.string(from: sendAt),
                        // The answers below must be stored before the reminder falls due, even on a loaded machine
                        // (at 6 s a full parallel run once reminded the member who had declined).
                        "--remind-at", iso.string(from: sendAt.addingTimeInterval(12)),
                        "--database", server.database, "--config", config.path, "--intents", repoRoot.appendingPathComponent("Intents").path])
        // Nothing before its time. Only a look that ended before it says so: on a machine busy with
        // the whole suite the command above, or the look itself, can take seconds (a look read at
        // 1.9 s before the time once ended after it).
        if sendAt.timeIntervalSinceNow > 2 {
            try await Task.sleep(for: .seconds(1))
            let early = try await sent(server) { _ in true }
            if Date() < sendAt { #expect(early.isEmpty, "\(early)") }
        }
        var boxes = try await sent(server) { $0.count == 4 }
        #expect(Date() >= sendAt.addingTimeInterval(-1))
        #expect(Set(boxes.keys) == [Self.m3, Self.m6, "+8613900000001", "+8613900000002"], "\(boxes.keys)")
        try await text(server, "a1", from: Self.m3, "参加")
        try await text(server, "a2", from: Self.m6, "请假 出差")
        boxes = try await sent(server) { $0.values.contains { $0.contains { $0.contains("会议提醒") } } && $0.values.filter { $0.contains { $0.contains("会议提醒") } }.count >= 3 }
        let reminded = Set(boxes.filter { $0.value.contains { $0.contains("会议提醒") } }.keys)
        #expect(reminded == [Self.m3, "+8613900000001", "+8613900000002"], "\(boxes)")
        #expect(await server.finish() == 0)
    }
}
