import Foundation
import Testing

/// Members' and liaisons' phones against a real server, each run bounded in time: phones that echo
/// or auto-reply to every text, and a member who floods the hotline, cost a small fixed number of
/// outbound texts; and whatever a member or a coordinator writes, no resident receives a roster
/// number in any spelling.
@Suite(.serialized) struct RosterLoopTests {
    static let l1 = "+8613900000001", l2 = "+8613900000002", m3 = "+8613800000003"
    static let resident = "+8613700000001"

    final class Phones: Texter {
        private var answered: Set<Int> = []
        init() async throws { try await super.init(idPrefix: "r") }

        /// Each phone in `bots` answers every new text the hotline sends it with what its function
        /// makes of it, until no new text has gone out for `quiet` seconds (true) or `limit`
        /// seconds have passed with the texts still going (false: the loop never ended).
        func answerEverything(quiet: TimeInterval = 5, limit: TimeInterval = 40, _ bots: [String: (String) -> String]) async throws -> Bool {
            let end = Date().addingTimeInterval(limit)
            var lastNew = Date()
            while Date() < end {
                for m in try await outbound() where !answered.contains(m.id) {
                    answered.insert(m.id)
                    lastNew = Date()
                    guard let bot = bots[m.to] else { continue }
                    try await text(m.to, bot(m.text))
                }
                if Date().timeIntervalSince(lastNew) > quiet { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return false
        }
    }

    /// Two liaisons' phones and a member's echo every text they get, started by one free text and
    /// one case, until the texts stop (at most 40 s): before, 1,390 texts went out in 15 s.
    @Test func echoingRosterPhonesCostABoundedNumberOfTexts() async throws {
        let phones = try await Phones()
        try await phones.text(Self.resident, "小区停水三天了")
        try await phones.text(Self.l1, "今天下午开会吗")
        let echo: (String) -> String = { $0 }
        let ended = try await phones.answerEverything([Self.l1: echo, Self.l2: echo, Self.m3: echo])
        let out = try await phones.outbound()
        let roster = out.filter { [Self.l1, Self.l2, Self.m3].contains($0.to) }
        // The case's notice, the forward and its receipt, and one alert per phone found echoing.
        #expect(roster.count <= 8, "\(roster.map { "\($0.to): \($0.text)" })")
        #expect(out.count <= 10)
        #expect(ended, "the loop was still going after 40 s")
        #expect(try await phoneNumbersSentToResidents(database: phones.server.database).isEmpty)
        #expect(await phones.server.finish() == 0)
    }

    /// Two liaisons whose phones answer every text with the same auto-reply, until the texts stop.
    @Test func twoAutoReplyingLiaisonsCannotLoop() async throws {
        let phones = try await Phones()
        try await phones.text(Self.l1, "今天下午开会吗")
        let busy: (String) -> String = { _ in "您好,我正在开会,稍后回复您。" }
        let ended = try await phones.answerEverything([Self.l1: busy, Self.l2: busy])
        let out = try await phones.outbound()
        #expect(out.count <= 16, "\(out.map { "\($0.to): \($0.text)" })")
        #expect(out.filter { $0.text.contains("【委员留言】") }.count <= 2 * 3)
        #expect(ended, "the loop was still going after 40 s")
        #expect(await phones.server.finish() == 0)
    }

    /// A member sends 60 different free texts as fast as they go: three are passed on, then one
    /// "please wait" and one alert; a command between them still works; 60 commands cost at most
    /// `roster_max_texts` replies in the window.
    @Test func aMembersFloodCostsABoundedNumberOfTexts() async throws {
        let phones = try await Phones()
        for i in 0..<15 { try await phones.text(Self.m3, "第\(i)条留言:明天的会议材料请准备") }
        try await phones.text(Self.m3, "待办")
        #expect(try await phones.outbound().last { $0.to == Self.m3 }?.text.contains("您目前没有待办案件") == true)
        for i in 15..<60 { try await phones.text(Self.m3, "第\(i)条留言:明天的会议材料请准备") }
        let out = try await phones.outbound()
        let forwards = out.filter { $0.text.contains("【委员留言】") }
        #expect(forwards.count == 3 * 2, "\(forwards.map(\.text))")
        #expect(out.filter { $0.to == Self.m3 }.count == 3 + 1 + 1 && out.last { $0.to == Self.m3 && $0.text.contains("已暂停转发") } != nil)
        // One alert about the phone, whatever else it is found to be.
        #expect(out.filter { $0.text.contains("【刷屏】") || $0.text.contains("【自动回复】") }.count == 1)
        #expect(out.count <= 12, "\(out.map { "\($0.to): \($0.text)" })")
        // Every text is kept.
        let inbound = jsonLines(try await runCLI(["messages", "--json", "--database", phones.server.database])).filter { $0["direction"] as? String == "in" }
        #expect(inbound.count == 61)
        #expect(await phones.server.finish() == 0)
    }

    /// A liaison's phone sends the same command 60 times: answered up to the roster's limit (and
    /// the same text again and again is a machine), then one "please wait" and one alert.
    @Test func repeatedCommandsCostABoundedNumberOfTexts() async throws {
        let phones = try await Phones()
        for _ in 0..<60 { try await phones.text(Self.l2, "帮助") }
        let out = try await phones.outbound()
        #expect(out.count <= 8, "\(out.map { "\($0.to): \($0.text)" })")
        #expect(await phones.server.finish() == 0)
    }

    /// A member's replies and a liaison's notice carry a member's number in every spelling residents
    /// have seen get through: none reaches a resident.
    @Test func noSpellingOfARosterNumberReachesAResident() async throws {
        let phones = try await Phones()
        try await phones.text(Self.resident, "小区停水三天了")
        try await phones.text(Self.m3, "接 1")
        let spellings = [
            "１３８０００００００６", "138００００0003", "+８６１３８０００００００３", "138.0000.0003", "138/0000/0003", "138  0000 0003",
            "一三八零零零零零零零三", "1\u{200B}3\u{200B}8\u{200B}0\u{200B}0\u{200B}0\u{200B}0\u{200B}0\u{200B}0\u{200B}0\u{200B}3",
            "１３８－００００－０００３", "(138)0000 0003", "𝟏𝟑𝟖𝟎𝟎𝟎𝟎𝟎𝟎𝟎𝟑",
        ]
        for (i, spelling) in spellings.enumerated() {
            try await phones.text(Self.m3, "回复 1 第\(i)次:有事请打王委员电话\(spelling)")
        }
        // A resident of 龙湖社区 for the notice, then the liaison's notice by text and its confirmation.
        try await phones.text("+8613700000066", "登记 龙湖")
        try await phones.text(Self.l1, "通知 龙湖社区居民 停水期间请联系王委员13800000003或１３８００００００06")
        let preview = try #require(try await phones.outbound().last { $0.to == Self.l1 })
        let number = try #require(preview.text.firstMatch(of: /确认 (\d+)/)?.output.1)
        try await phones.text(Self.l1, "确认 \(number)")
        try await Task.sleep(for: .milliseconds(500))
        let out = try await phones.outbound()
        let toResidents = out.filter { $0.to == Self.resident || $0.to == "+8613700000066" }
        #expect(toResidents.filter { $0.text.contains("第") }.count == spellings.count, "\(toResidents.map(\.text))")
        #expect(toResidents.contains { $0.text.contains("停水期间请联系王委员+86138****0003") })
        let revealing = try await phoneNumbersSentToResidents(database: phones.server.database)
        #expect(revealing.isEmpty, "\(revealing)")
        #expect(await phones.server.finish() == 0)
    }
}
