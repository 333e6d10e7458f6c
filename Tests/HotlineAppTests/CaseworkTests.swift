import Foundation
import HotlineChannels
import HotlineCore
@testable import HotlineStorage
import Testing
@testable import HotlineApp

/// Phones around a hotline: each text goes through `Hotline.receive` (SQLite, the shipped config
/// and rules); `inbox` returns what the service queued for a phone since the last look.
final class Phones {
    let hotline: HotlineParts
    private var next = 0
    private var seen: [String: Int64] = [:]

    init(_ hotline: HotlineParts) { self.hotline = hotline }

    @discardableResult
    func text(_ from: String, _ text: String, to: String = "10690001") async throws -> IntakeReceipt {
        next += 1
        return try await hotline.receive(InboundText(providerID: "t\(next)", from: from, to: to, text: text),
                                         channel: ChannelSettings(id: "json", kind: .json))
    }

    func inbox(_ phone: String) async throws -> [String] {
        let new = try await hotline.database.messages().filter { $0.direction == .outbound && $0.toNumber == phone && $0.id! > seen[phone, default: 0] }
            .sorted { $0.id! < $1.id! }
        if let last = new.last { seen[phone] = last.id! }
        return new.map(\.text)
    }

    func `case`(_ number: Int, studio: String = "xujiawan") async throws -> CaseRecord {
        try #require(try await hotline.database.case(studio: studio, number: number))
    }
}

let resident = "+8613700000001"  // 龙湖社区: water → M3
let m3 = "+8613800000003"
let m6 = "+8613800000006"
let l1 = "+8613900000001"

@Suite struct MemberCommandReplyTests {
    /// Opens case 1 (water, 龙湖社区, M3) and clears the inboxes.
    static func openCase(clock: StepClock = StepClock(thursday)) async throws -> Phones {
        let phones = Phones(try makeHotline(clock: clock.wall))
        try await phones.text(resident, "小区停水三天了")
        _ = try await phones.inbox(resident)
        _ = try await phones.inbox(m3)
        return phones
    }

    @Test(arguments: [
        // who, text, a piece of the one reply they get
        (m3, "你好", "您的留言已转给周联络员、吴联络员"),
        (m3, "接", "缺少案件编号。格式:接 编号"),
        (m3, "回复 1", "缺少内容。格式:回复 编号 内容"),
        (m3, "接 99", "没有编号99的案件"),
        (m6, "接 1", "1不是您的案件(由王委员办理)"),
        (m6, "回复 1 我来看看", "1不是您的案件"),
        (m3, "步骤 1 劝", "1不是邻里纠纷"),
        (m3, "步骤 1 打", "调解步骤应为听、辨、劝、借、让、和之一"),
        (m3, "请假 到 下周", "日期看不懂"),
        (m3, "接 nowhere-1", "没有叫nowhere的工作室"),
        (m3, "帮助", "命令:接N 回复N内容"),
    ])
    func rejectionsGetAReplySayingWhatWasWrong(phone: String, text: String, reply: String) async throws {
        let phones = try await Self.openCase()
        try await phones.text(phone, text)
        let got = try await phones.inbox(phone)
        #expect(got.count == 1 && got[0].contains(reply), "\(got)")
        // The resident hears nothing of it, and nothing changed.
        #expect(try await phones.inbox(resident).isEmpty)
        #expect(try await phones.case(1).state == .assigned)
    }

    @Test func refusedCommandsOnACaseAreInItsAuditTrail() async throws {
        let phones = try await Self.openCase()
        try await phones.text(m6, "接 1")
        try await phones.text(m3, "接 1")
        try await phones.text(m3, "接 1")
        #expect(try await phones.inbox(m3).last?.contains("1已经受理过了") == true)
        let c = try await phones.case(1)
        let events = try await phones.hotline.database.events(caseID: c.id!).map { "\($0.actor) \($0.kind)" }
        #expect(events == ["resident opened", "system assigned", "M6 refused", "M3 accepted", "M3 refused"])
    }

    @Test func liaisonMayActOnAnyCaseAndReassignByText() async throws {
        let phones = try await Self.openCase()
        try await phones.text(l1, "转 1 M6")
        #expect(try await phones.case(1).assigneeId == "M6")
        #expect(try await phones.inbox(l1) == ["1已转给陈委员。"])
        #expect(try await phones.inbox(m6).first?.contains("回复“接 1”受理") == true)
        #expect(try await phones.inbox(m3) == ["1已由周联络员改派给陈委员。"])
        #expect(try await phones.inbox(resident).first?.contains("改由陈委员办理") == true)
        // Open-case counts follow the move.
        let load = try await phones.hotline.database.casework(now: thursday) { try $0.openCaseCounts(studio: "xujiawan") }
        #expect(load["M3"] == 0 && load["M6"] == 1)
    }

    @Test func transferToADepartmentKeepsTheCaseOpenAndTellsTheResident() async throws {
        let phones = try await Self.openCase()
        try await phones.text(m3, "转 1 区水务局")
        let c = try await phones.case(1)
        #expect(c.state == .withDepartment && c.outcome == nil && c.department == "区水务局" && c.transferredAt == thursday)
        let texts = try await phones.inbox(resident)
        #expect(texts.count == 1 && texts[0].contains("已转交区水务局办理"))
    }

    @Test(arguments: [("提案 1 建议改造老旧管网", CaseOutcome.proposal), ("社情 1", .socialReport)])
    func escalationsAreOutcomes(text: String, outcome: CaseOutcome) async throws {
        let phones = try await Self.openCase()
        try await phones.text(m3, text)
        #expect(try await phones.case(1).outcome == outcome)
        #expect(try await phones.inbox(resident).first?.contains(outcome.label) == true)
    }

    @Test func queueShowAndMediation() async throws {
        let phones = try await Self.openCase()
        try await phones.text("+8613700000009", "龙湖小区邻居家装修天天砸墙,和邻居吵起来了")
        let dispute = try await phones.case(2)
        #expect(dispute.topic == .neighbour)
        let member = try #require(phones.hotline.settings.deployment.studio(id: "xujiawan")?.person(dispute.assigneeId!))
        _ = try await phones.inbox(member.phone)
        try await phones.text(member.phone, "步骤 2 听 上门听取双方意见")
        try await phones.text(member.phone, "步骤 2 劝")
        #expect(try await phones.inbox(member.phone).last == "2调解步骤已记:听✓辨·劝✓借·让·和·")
        try await phones.text(m3, "待办")
        let queue = try await phones.inbox(m3)
        #expect(queue.count == 1 && queue[0].hasPrefix("待办") && queue[0].contains("1 供水 受理"))
        try await phones.text(m3, "回复 1 明天上午来修")
        _ = try await phones.inbox(m3)
        try await phones.text(m3, "查 1")
        let shown = try await phones.inbox(m3)
        #expect(shown.count == 1 && shown[0].contains("答复:明天上午来修"), "\(shown)")
        #expect(!shown[0].contains("13700000001"))
    }

    @Test func awayMembersGetNoNewCasesUntilBack() async throws {
        let phones = try await Self.openCase()
        try await phones.text(m3, "请假 到 11-30")
        #expect(try await phones.inbox(m3).first?.contains("已请假到11月30日") == true)
        try await phones.text("+8613700000008", "龙湖小区停水了")
        #expect(try await phones.case(2).assigneeId == "M6")
        try await phones.text(m3, "销假")
        try await phones.text("+8613700000007", "龙湖小区电梯坏了")
        #expect(try await phones.case(3).assigneeId == "M3")
    }

    /// An auto-responder that answers each of our texts four minutes later, each time in other
    /// words (no echo, slower than a machine, fewer than a flood), at each point of a case: a
    /// bounded number of texts, and the loop ends (it ran 200 rounds in 13 hours before).
    @Test(arguments: [
        // before the bot's first answer, the texts it has had
        ("a new case", [String](), ["已收到您的诉求,编号1", "您的补充已转给编号1"]),
        ("a member's reply", ["回复 1 明天来修"], ["已收到您的诉求,编号1", "编号1:明天来修", "您的补充已转给编号1"]),
        ("a closed case's survey", ["接 1", "办结 1 已修好"],
         ["已收到您的诉求,编号1", "已由王委员受理", "已办结", "请您评价编号1", "已收到您的来信,编号2", "您的补充已转给编号2"]),
    ])
    func aSlowAutoResponderGetsOneReceiptForItsAdditions(point: String, member: [String], expected: [String]) async throws {
        let clock = StepClock(thursday)
        let phones = Phones(try makeHotline(clock: clock.wall))
        try await phones.text(resident, "小区停水三天了")
        for command in member { try await phones.text(m3, command) }
        var got: [String] = []
        for i in 0..<20 {
            let new = try await phones.inbox(resident)
            guard !new.isEmpty else { break }
            got += new
            clock.advance(240)
            try await phones.text(resident, "您好,我现在有事不方便,稍后回复您。(\(i))")
        }
        #expect(got.count == expected.count && zip(got, expected).allSatisfy { $0.contains($1) }, "\(point): \(got)")
        // Each of its texts still reaches the member.
        #expect(try await phones.inbox(m3).filter { $0.contains("补充】") }.count == (point == "a closed case's survey" ? 0 : 2))
    }

    /// Roster phones' auto-responders that answer each of our texts four minutes later in other
    /// words — a member's answering the receipts of its forwarded texts, or two liaisons' answering
    /// each other's forwarded texts — stay under every window's limit; the day's limit
    /// (`roster_max_forwards_per_day`, 20) stops them with one "please wait" each (before, 100
    /// rounds ran and went on).
    @Test(arguments: [("a member's", [m3]), ("two liaisons'", [l1, "+8613900000002"])])
    func slowAutoRespondersOnRosterPhonesStopWithinADay(whose: String, bots: [String]) async throws {
        let clock = StepClock(thursday)
        let phones = Phones(try makeHotline(clock: clock.wall))
        try await phones.text(resident, "小区停水三天了")
        if bots != [m3] { try await phones.text(m3, "这个案子请联络员跟进一下") }
        var got: [String: [String]] = [:]
        var rounds = 0
        while rounds < 100 {
            var any = false
            for bot in bots {
                let new = try await phones.inbox(bot)
                guard !new.isEmpty else { continue }
                any = true
                got[bot, default: []] += new
                clock.advance(240)
                try await phones.text(bot, "您好,我正在开会,稍后回复。(\(rounds))")
            }
            guard any else { break }
            rounds += 1
        }
        #expect(rounds < 30, "\(whose): still going after \(rounds) rounds")
        // Twenty receipts for twenty texts passed on, then one "please wait", in all.
        let all = got.values.flatMap { $0 }
        #expect(all.filter { $0.contains("已转给") }.count == 20 && all.filter { $0.hasPrefix("您的留言较多") }.count == 1, "\(whose)")
        for bot in bots {
            let texts = got[bot] ?? []
            #expect(texts.count <= 23, "\(whose): \(texts)")
        }
    }

    @Test func residentFollowUpStatusAndNewMatter() async throws {
        let phones = try await Self.openCase()
        try await phones.text(resident, "今天还是没水,老人没法做饭")
        #expect(try await phones.case(1).state == .assigned)
        let added = try await phones.inbox(m3)
        #expect(added == ["【1补充】来自+86137****0001:今天还是没水,老人没法做饭"], "\(added)")
        #expect(try await phones.inbox(resident).first?.contains("补充已转给编号1") == true)
        try await phones.text(resident, "查询 1")
        let status = try await phones.inbox(resident)
        #expect(status.count == 1 && status[0].contains("编号1:已分配,待受理") && status[0].contains("王委员"))
        // Someone else's case number is answered like an unknown one.
        try await phones.text("+8613700000005", "STATUS 1")
        #expect(try await phones.inbox("+8613700000005").first?.contains("没有找到您的编号1") == true)
        // A different topic is a new case.
        try await phones.text(resident, "孩子上学的学校太远了,校车也没有")
        #expect(try await phones.hotline.database.cases().count == 2)
    }
}

@Suite struct ManyStudiosTests {
    /// 王委员 also serves 新绛 (as X1): the number texted decides the studio, `xinjiang-1` names it from elsewhere.
    @Test func memberOnTwoRostersNamesTheStudio() async throws {
        var (settings, table) = try HotlineSetup.load(HotlinePaths(
            config: repoRoot.appendingPathComponent("config").path, intents: repoRoot.appendingPathComponent("Intents").path))
        let i = try #require(settings.deployment.studios.firstIndex { $0.id == "xinjiang" })
        let j = try #require(settings.deployment.studios[i].roster.firstIndex { $0.id == "X1" })
        settings.deployment.studios[i].roster[j].phone = m3
        let phones = Phones(try HotlineParts(settings: settings, rules: table, database: .inMemory(), clock: .fixed(thursday)))
        try await phones.text("+8613700000055", "王守村吃水难,井里抽不出水", to: "10690002")
        let c = try await phones.case(1, studio: "xinjiang")
        #expect(c.assigneeId == "X1")
        #expect(try await phones.inbox(m3).first?.contains("回复“接 1”受理") == true)
        // "接 1" to the xujiawan number means xujiawan's case 1, which does not exist.
        try await phones.text(m3, "接 1")
        #expect(try await phones.inbox(m3) == ["没有编号1的案件。"])
        try await phones.text(m3, "接 xinjiang-1")
        #expect(try await phones.inbox(m3).first?.hasPrefix("已受理xinjiang-1") == true)
        #expect(try await phones.case(1, studio: "xinjiang").state == .accepted)
        // Replying to the number the notice came from needs no studio.
        try await phones.text(m3, "回复 1 明天去看", to: "10690002")
        #expect(try await phones.inbox("+8613700000055").last == "【新绛县有事好商量平台】编号1:明天去看")
    }

    @Test func membersAtTheirMaximumGetNoNewCases() async throws {
        var (settings, table) = try HotlineSetup.load(HotlinePaths(
            config: repoRoot.appendingPathComponent("config").path, intents: repoRoot.appendingPathComponent("Intents").path))
        let i = try #require(settings.deployment.studios.firstIndex { $0.id == "xujiawan" })
        settings.deployment.studios[i].sla.maxOpenCases = 1
        let phones = Phones(try HotlineParts(settings: settings, rules: table, database: .inMemory(), clock: .fixed(thursday)))
        try await phones.text("+8613700000011", "龙湖小区电梯坏了")
        try await phones.text("+8613700000012", "龙湖小区电梯又坏了,物业不管")
        try await phones.text("+8613700000013", "龙湖小区楼道漏水,物业不修")
        let assignees = try await [1, 2, 3].asyncMap { try await phones.case($0).assigneeId }
        // M3 (housing) first, then the other linked member, then nobody linked is free: duty or a liaison.
        #expect(assignees[0] == "M3" && assignees[1] == "M6" && assignees[2] == "L1")
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for e in self { out.append(try await transform(e)) }
        return out
    }
}

/// The deadline service, with the clock moved by hand.
@Suite struct DeadlineServiceTests {
    @Test func reminderEscalationThenReassignment() async throws {
        let clock = StepClock(thursday)  // 10:00 in Shanghai
        let phones = try await MemberCommandReplyTests.openCase(clock: clock)  // water: accept within 4 h
        #expect(try await phones.hotline.followUp() == 0)
        clock.advance(3.25 * 3600)  // 13:15, 45 minutes before the deadline
        #expect(try await phones.hotline.followUp() == 1)
        #expect(try await phones.inbox(m3) == ["【提醒】1请在11月26日 14:00前受理。"])
        #expect(try await phones.hotline.followUp() == 0)  // once
        clock.advance(3600)  // 14:15: missed
        #expect(try await phones.hotline.followUp() == 1)
        #expect(try await phones.inbox(l1) == ["【超期】1(王委员)未在11月26日 14:00前受理,请督办。"])
        #expect(try await phones.inbox("+8613900000002").count == 1)
        #expect(try await phones.case(1).missedDeadlines == 1)
        clock.advance(4.5 * 3600)  // 18:45: missed again
        #expect(try await phones.hotline.followUp() == 1)
        let c = try await phones.case(1)
        #expect(c.assigneeId == "M6" && c.state == .assigned && c.missedDeadlines == 0)
        #expect(try await phones.inbox(m3) == ["【改派】1两次超期未受理,已改派给陈委员。"])
        #expect(try await phones.inbox(m6).first?.contains("回复“接 1”受理") == true)
        let events = try await phones.hotline.database.events(caseID: c.id!).map(\.kind)
        #expect(events.suffix(3) == ["reminded", "overdue", "reassigned"])
    }

    @Test func quietHoursHoldRemindersUntilMorning() async throws {
        let clock = StepClock(thursday + 9 * 3600)  // 19:00 in Shanghai; water: accept by 23:00
        let phones = try await MemberCommandReplyTests.openCase(clock: clock)
        clock.advance(3.5 * 3600)  // 22:30: the reminder's time, but quiet
        #expect(try await phones.hotline.followUp() == 0)
        clock.advance(9 * 3600)  // 07:30, still quiet, deadline passed
        #expect(try await phones.hotline.followUp() == 0)
        #expect(try await phones.inbox(m3).isEmpty)
        clock.advance(3600)  // 08:30
        #expect(try await phones.hotline.followUp() == 1)
        #expect(try await phones.inbox(l1).first?.hasPrefix("【超期】") == true)
    }

    @Test func surveyReminderThenNoAnswer() async throws {
        let clock = StepClock(thursday)
        let phones = try await MemberCommandReplyTests.openCase(clock: clock)
        try await phones.text(m3, "办结 1 已修复")
        _ = try await phones.inbox(resident)
        clock.advance(49 * 3600)
        #expect(try await phones.hotline.followUp() == 1)
        #expect(try await phones.inbox(resident).first?.hasPrefix("【徐家湾委员工作室】提醒:请评价编号1") == true)
        clock.advance(48 * 3600)
        #expect(try await phones.hotline.followUp() == 1)
        let c = try await phones.case(1)
        #expect(c.state == .surveyed && c.satisfaction == .noAnswer)
        #expect(try await phones.inbox(resident).isEmpty)
    }
}
