import Foundation
import HotlineCore
import Testing

/// A whole case through a real `hotline serve` and its JSON webhook: every text each phone gets.
@Suite(.serialized) struct ConversationTests {
    /// The phones of a conversation and the texts the server sent each of them.
    final class Script {
        let server: ServerProcess
        private var next = 0
        private var seen: Set<Int> = []

        init() async throws { server = try await ServerProcess(database: scratchDatabase()) }

        func text(_ from: String, _ text: String) async throws {
            next += 1
            let body = String(decoding: try JSONSerialization.data(withJSONObject: [
                "id": "c\(next)", "from": from, "to": "10690001", "text": text,
            ]), as: UTF8.self)
            let (status, answer) = try await server.post("/webhooks/json", body)
            #expect(status == 200, "\(answer)")
        }

        /// New outbound texts per phone since the last look, oldest first.
        func inboxes() async throws -> [String: [String]] {
            let out = jsonLines(try await runCLI(["messages", "--json", "--database", server.database]))
                .filter { $0["direction"] as? String == "out" && !seen.contains($0["id"] as! Int) }
                .sorted { ($0["id"] as! Int) < ($1["id"] as! Int) }
            var boxes: [String: [String]] = [:]
            for m in out {
                seen.insert(m["id"] as! Int)
                boxes[m["to"] as! String, default: []].append(m["text"] as! String)
            }
            return boxes
        }

        func caseJSON(_ ref: String) async throws -> [String: Any] {
            jsonLines(try await runCLI(["case", ref, "--json", "--database", server.database]))[0]
        }
    }

    static let resident = "+8613700000001"
    static let member = "+8613800000003"
    static let liaison = "+8613900000001"

    struct Wording: Sendable {
        var accept, reply, done, doneAgain, replyAgain: String
        var studio: String
        /// Phrases the resident's texts carry, in the script they wrote in.
        var received, accepted, closed, survey, reopened, thanks: String
    }

    static let simplified = Wording(
        accept: "接 1", reply: "回复 1 明天上午派人来修", done: "办结 1 水管已修好", doneAgain: "办结 1 已更换总阀",
        replyAgain: "回复1:下午再派人看", studio: "【徐家湾委员工作室】",
        received: "已收到您的诉求,编号1", accepted: "已由王委员受理", closed: "已办结:水管已修好",
        survey: "满意请回复1,基本满意回复2,不满意回复3", reopened: "已重新办理", thanks: "感谢您的评价")
    static let english = Wording(
        accept: "ACCEPT #1", reply: "REPLY 1 明天上午派人来修", done: "DONE 1 水管已修好", doneAgain: "done 1 已更换总阀",
        replyAgain: "reply 1 下午再派人看", studio: simplified.studio, received: simplified.received, accepted: simplified.accepted,
        closed: simplified.closed, survey: simplified.survey, reopened: simplified.reopened, thanks: simplified.thanks)

    @Test(arguments: [("小区停水三天了", simplified), ("小區停水三天了", simplified), ("小区停水三天了", english)])
    func complaintAcceptedRepliedClosedReopenedAndSurveyed(complaint: String, w: Wording) async throws {
        let s = try await Script()
        let traditional = complaint.contains("區")
        // What the resident reads: in Traditional script when they wrote it.
        func r(_ phrase: String) -> String {
            traditional ? TextNormalizer.toTraditional(phrase) : phrase
        }
        func expectOnly(_ boxes: [String: [String]], _ phones: Set<String>) {
            #expect(Set(boxes.keys) == phones, "\(boxes)")
        }

        try await s.text(Self.resident, complaint)
        var boxes = try await s.inboxes()
        expectOnly(boxes, [Self.resident, Self.member])
        #expect(boxes[Self.resident]?.count == 1 && boxes[Self.resident]![0].contains(r(w.received)))
        // Written in Traditional, answered in Traditional (收到您的訴求, 編號).
        #expect(TextNormalizer.looksTraditional(boxes[Self.resident]![0]) == traditional)
        #expect(boxes[Self.member]?.count == 1 && boxes[Self.member]![0].contains("回复“接 1”受理"))
        #expect(boxes[Self.member]![0].contains("137****0001") && !boxes[Self.member]![0].contains("13700000001"))

        try await s.text(Self.member, w.accept)
        boxes = try await s.inboxes()
        expectOnly(boxes, [Self.resident, Self.member])
        #expect(boxes[Self.member] == [boxes[Self.member]![0]] && boxes[Self.member]![0].hasPrefix("已受理1"))
        #expect(boxes[Self.resident]?.count == 1 && boxes[Self.resident]![0].contains(r(w.accepted)))

        try await s.text(Self.member, w.reply)
        boxes = try await s.inboxes()
        #expect(boxes[Self.resident] == [r(w.studio + "编号1:明天上午派人来修")])
        #expect(boxes[Self.member]?.first?.hasPrefix("已将答复发给1") == true)
        #expect(!boxes[Self.resident]![0].contains("13800000003"))

        try await s.text(Self.member, w.done)
        boxes = try await s.inboxes()
        #expect(boxes[Self.resident]?.count == 2 && boxes[Self.resident]![0].contains(r(w.closed)) && boxes[Self.resident]![1].contains(r(w.survey)))
        #expect(boxes[Self.member]?.first?.contains("已办结") == true)

        try await s.text(Self.resident, "3")
        boxes = try await s.inboxes()
        expectOnly(boxes, [Self.resident, Self.member, Self.liaison])
        #expect(boxes[Self.resident]?.count == 1 && boxes[Self.resident]![0].contains(r(w.reopened)))
        #expect(boxes[Self.member]?.first?.hasPrefix("【1重办】") == true)
        #expect(boxes[Self.liaison]?.first?.hasPrefix("【不满意】1") == true)
        #expect(try await s.caseJSON("1")["state"] as? String == "reopened")

        try await s.text(Self.member, w.replyAgain)
        try await s.text(Self.member, w.doneAgain)
        boxes = try await s.inboxes()
        #expect(boxes[Self.resident]?.count == 3)
        #expect(boxes[Self.resident]![0] == r(w.studio + "编号1:下午再派人看"))
        #expect(boxes[Self.resident]![1].contains(r("已办结:已更换总阀")) && boxes[Self.resident]![2].contains(r(w.survey)))

        try await s.text(Self.resident, "1")
        boxes = try await s.inboxes()
        expectOnly(boxes, [Self.resident])
        #expect(boxes[Self.resident]?.first?.contains(r(w.thanks)) == true)

        let c = try await s.caseJSON("xujiawan-1")
        #expect(c["state"] as? String == "surveyed" && c["satisfaction"] as? String == "satisfied" && c["outcome"] as? String == "resolved")
        #expect(c["reopened"] as? Int == 1)
        // The audit trail, as `hotline case` prints it.
        let trail = jsonLines(try await runCLI(["case", "1", "--json", "--database", s.server.database])).dropFirst().map { "\($0["actor"]!) \($0["kind"]!)" }
        #expect(trail == ["resident opened", "system assigned", "M3 accepted", "M3 replied", "M3 closed", "resident surveyed",
                          "M3 replied", "M3 closed", "resident surveyed"])
        let listing = try await runCLI(["cases", "--database", s.server.database])
        #expect(listing.contains("surveyed\tresolved\t-\tsatisfied"), "\(listing)")
        #expect(try await phoneNumbersSentToResidents(database: s.server.database).isEmpty)
        #expect(await s.server.terminate() == 0)
    }

    /// 转 to a department: a typo is refused with the closest name, a known one keeps the case open
    /// "with the department" until the member records its answer; the resident is told each step.
    @Test func aTransferToADepartmentThroughTheRealServer() async throws {
        let s = try await Script()
        try await s.text(Self.resident, "小区停水三天了")
        try await s.text(Self.member, "接 1")
        _ = try await s.inboxes()
        try await s.text(Self.member, "转 1 城管菊")
        var boxes = try await s.inboxes()
        #expect(boxes[Self.member]?.first?.contains("您是不是要转:区城管局") == true, "\(boxes)")
        #expect(boxes[Self.resident] == nil)
        #expect(try await s.caseJSON("1")["state"] as? String == "accepted")

        try await s.text(Self.member, "转 1 水务局")
        boxes = try await s.inboxes()
        let told = boxes[Self.resident] ?? []
        #expect(told.count == 1 && told[0].contains("已转交区水务局办理") && !told[0].contains("满意"), "\(told)")
        var c = try await s.caseJSON("1")
        #expect(c["state"] as? String == "with-department" && c["department"] as? String == "区水务局", "\(c)")

        try await s.text(Self.member, "办结 1 已更换水表")
        boxes = try await s.inboxes()
        let closed = boxes[Self.resident] ?? []
        #expect(closed.contains { $0.contains("已由区水务局办结:已更换水表") } && closed.contains { $0.contains("满意请回复1") }, "\(closed)")
        c = try await s.caseJSON("1")
        #expect(c["state"] as? String == "closed" && c["outcome"] as? String == "transferred", "\(c)")
        #expect(c["department_hours"] is Double, "\(c)")
        #expect(try await phoneNumbersSentToResidents(database: s.server.database).isEmpty)
        #expect(await s.server.terminate() == 0)
    }

    @Test func rejectionsThroughTheRealServer() async throws {
        let s = try await Script()
        try await s.text(Self.resident, "小区停水三天了")
        _ = try await s.inboxes()
        for (phone, text, reply) in [
            (Self.member, "你好", "您的留言已转给"), (Self.member, "接", "缺少案件编号"), (Self.member, "回复 1", "缺少内容"),
            (Self.member, "接 9", "没有编号9的案件"), ("+8613800000006", "接 1", "1不是您的案件"),
            (Self.member, "转 1 13800000003", "没有叫“13800000003”的委员或部门"),
            (Self.member, "回复 1 有事打我电话13800000003或138-0000-0006", "已将答复发给1"),
            (Self.member, "办结 1 好了", "1已办结"), (Self.member, "接 1", "1已办结,不能再办理"),
        ] {
            try await s.text(phone, text)
            let got = try await s.inboxes()[phone] ?? []
            #expect(got.first?.contains(reply) == true, "\(text): \(got)")
        }
        // Whatever a member writes, no member's number reaches the resident.
        #expect(try await phoneNumbersSentToResidents(database: s.server.database).isEmpty)
        #expect(await s.server.terminate() == 0)
    }
}
