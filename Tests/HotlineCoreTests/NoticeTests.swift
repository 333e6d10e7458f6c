import Foundation
import Testing
@testable import HotlineCore

@Suite struct RSVPTests {
    @Test(arguments: [
        ("参加", RSVPAnswer.coming, "", nil as Int?), ("参加!", .coming, "", nil), ("好", .coming, "", nil), ("收到", .coming, "", nil),
        ("1", .coming, "", nil), ("YES", .coming, "", nil), ("ｙｅｓ", .coming, "", nil), ("參加,準時到", .coming, "准时到", nil),
        ("请假 出差", .declined, "出差", nil), ("请假出差", .declined, "出差", nil), ("不参加", .declined, "", nil), ("2", .declined, "", nil),
        ("no", .declined, "", nil), ("參加不了 家裡有事", .declined, "家里有事", nil),
        ("回执 12 参加", .coming, "", 12), ("回执#3 请假 开会", .declined, "开会", 3), ("RSVP 4 no", .declined, "", 4),
    ])
    func answers(text: String, answer: RSVPAnswer, note: String, notice: Int?) throws {
        let reply = try #require(RSVP.parse(text))
        #expect(reply.answer == answer && reply.notice == notice)
        // Notes are kept as written (the Traditional one too), compared here in Simplified.
        #expect(TextNormalizer.normalize(reply.note) == TextNormalizer.normalize(note), "\(reply.note)")
    }

    @Test(arguments: ["12", "好几天没水了", "参加人员有哪些", "小区停水", "接 3", "回执 参加", "yesterday", "", "1号楼漏水"])
    func noAnswer(text: String) {
        #expect(RSVP.parse(text) == nil)
    }

    /// Members: an open notice makes `参加` and `请假 …` answers, but never a casework command or
    /// leave with a date; without one, `请假` is leave.
    @Test(arguments: [
        ("请假 出差", true, RSVPAnswer.declined as RSVPAnswer?), ("请假", true, .declined), ("请假", false, nil),
        ("请假 到 12-10", true, nil), ("请假 12月10日", true, nil), ("参加", true, .coming), ("参加", false, nil),
        ("回执 5 参加", false, .coming), ("接 3", true, nil), ("回复 3 好", true, nil), ("1", true, .coming), ("待办", true, nil),
    ])
    func memberPrecedence(text: String, open: Bool, answer: RSVPAnswer?) {
        #expect(RSVP.fromRoster(text, hasOpenNotice: open)?.answer == answer)
    }

    /// Residents with a notice and a satisfaction question both waiting: digits answer the later.
    @Test(arguments: [
        ("1", 100.0 as Double?, nil as Double?, RSVPAnswer.coming as RSVPAnswer?), ("1", nil, 100, nil), ("1", 100, 200, nil),
        ("1", 200, 100, .coming), ("2", 100, 200, nil), ("2", 200, 100, .declined), ("参加", 100, 200, .coming),
        ("请假", 100, 200, .declined), ("满意", 200, 100, nil), ("回执 7 1", nil, 100, .coming), ("参加", nil, nil, nil),
    ])
    func residentPrecedence(text: String, notice: Double?, survey: Double?, answer: RSVPAnswer?) {
        let t0 = Date(timeIntervalSince1970: 0)
        let reply = RSVP.fromResident(text, noticeSentAt: notice.map { t0.addingTimeInterval($0) }, surveyAskedAt: survey.map { t0.addingTimeInterval($0) })
        #expect(reply?.answer == answer)
    }
}

@Suite struct NoticePlannerTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    @Test(arguments: [
        ("members", AudiencePart.members), ("members:area=龙湖社区", .membersOfArea("龙湖社区")), ("members:sector=housing", .membersOfSector("housing")),
        ("liaisons", .liaisons), ("residents:area=燕村", .residentsOfArea("燕村")), ("residents:cases=3,#7", .residentsOfCases([3, 7])),
        ("roll:龙湖议事会", .roll("龙湖议事会")), ("numbers:+8613700000001, 13700000002", .numbers(["+8613700000001", "13700000002"])),
    ])
    func audienceParts(text: String, part: AudiencePart) throws {
        #expect(try AudiencePart.parse(text).get() == part)
        #expect(try AudiencePart.parse(part.description).get() == part)
    }

    @Test(arguments: ["everyone", "members:floor=3", "residents", "residents:cases=x", "roll:", "numbers:", "liaisons:all"])
    func badAudienceParts(text: String) {
        guard case let .failure(error) = AudiencePart.parse(text) else { Issue.record("accepted \(text)"); return }
        #expect(error.description.contains(text))
    }

    static func plan(_ draft: NoticeDraft, found: [(AudiencePart, [NoticeRecipient])], optedOut: OptOuts = [],
                     now: Date = thursday, studio: Studio = Demo.studio) -> NoticePlan {
        NoticePlanner.plan(draft, number: 1, studio: studio, found: found, optedOut: optedOut, hotlineKeys: ["10690001"],
                           countryCode: "86", reminderHours: 2, maxParts: 5, now: now)
    }

    @Test func membersOfAnAreaOnly() throws {
        let part = AudiencePart.membersOfArea("龙湖社区")
        let people = try #require(NoticePlanner.rosterRecipients(part, studio: Demo.studio))
        #expect(people.map(\.phone) == ["+8613800000003", "+8613800000006"])
        #expect(people.allSatisfy { $0.role == "委员" })
    }

    @Test func duplicatesOptedOutUnreachableAndHotlineNumbersAreSkippedWithTheReason() {
        let meeting = Meeting(at: thursday.addingTimeInterval(86_400), place: "工作室")
        let draft = NoticeDraft(kind: .meeting, title: "龙湖停车协商会", meeting: meeting, audience: [.membersOfArea("龙湖社区"), .numbers([])])
        let found: [(AudiencePart, [NoticeRecipient])] = [
            (.membersOfArea("龙湖社区"), NoticePlanner.rosterRecipients(.membersOfArea("龙湖社区"), studio: Demo.studio)!),
            (.numbers([]), ["13800000003", "13700000001", "+86 137-0000-0009", "hello", "10690001", "+8613800000006"].map {
                NoticeRecipient(phone: $0, role: "居民", via: "numbers")
            }),
        ]
        // M6 opted out once as a resident: members get their studio's notices regardless.
        let plan = Self.plan(draft, found: found, optedOut: ["+8613700000009", "+8613800000006"])
        #expect(plan.recipients.map(\.phone) == ["+8613800000003", "+8613800000006", "+8613700000001"])
        #expect(plan.skipped.map(\.reason) == [.duplicate, .optedOut, .invalidNumber, .hotlineNumber, .duplicate])
        #expect(plan.text.contains("龙湖停车协商会") && plan.text.contains("11月27日(周五)10:00") && plan.text.contains("回执1"))
        #expect(plan.totalParts == 3 * plan.partsEach && plan.partsEach >= 2)
        #expect(plan.rsvpUntil == meeting.at)
        #expect(plan.remindAt == meeting.at.addingTimeInterval(-7_200))
    }

    /// Quiet hours 22:00-07:30 (Shanghai): a notice due at 23:00 goes at 07:30; a reminder due at
    /// night goes before the quiet hours begin.
    @Test func aNoticeDueAtNightWaitsForTheMorning() {
        var studio = Demo.studio
        studio.sla.quietHours = QuietHours("22:00-07:30")
        let night = ISO8601DateFormatter().date(from: "2026-11-26T15:00:00Z")!        // 23:00 Shanghai
        let meeting = Meeting(at: ISO8601DateFormatter().date(from: "2026-11-27T00:30:00Z")!, place: "工作室")  // 08:30 next day
        let draft = NoticeDraft(kind: .meeting, title: "早会", meeting: meeting, audience: [.members], sendAt: night)
        let plan = Self.plan(draft, found: [], now: thursday, studio: studio)
        #expect(plan.sendAt == ISO8601DateFormatter().date(from: "2026-11-26T23:30:00Z")!)  // 07:30 Shanghai
        // Two hours before 08:30 is 06:30, inside the quiet hours, and before the texts go: no reminder.
        #expect(plan.remindAt == nil)
        let general = NoticeDraft(kind: .general, title: "停水", body: "明天9点到12点停水", audience: [.members], sendAt: thursday)
        #expect(Self.plan(general, found: [], studio: studio).sendAt == thursday)
        #expect(Self.plan(general, found: [], studio: studio).text == "【徐家湾委员工作室】通知:停水。明天9点到12点停水")
    }

    @Test(arguments: [
        ("22:00-07:30", "2026-11-26T15:00:00Z", "2026-11-26T23:30:00Z"), ("22:00-07:30", "2026-11-26T20:00:00Z", "2026-11-26T23:30:00Z"),
        ("22:00-07:30", "2026-11-26T02:00:00Z", "2026-11-26T02:00:00Z"), ("12:00-14:00", "2026-11-26T04:30:00Z", "2026-11-26T06:00:00Z"),
    ])
    func quietHoursEnd(quiet: String, at: String, opens: String) throws {
        let f = ISO8601DateFormatter()
        #expect(try #require(QuietHours(quiet)).nextOpen(after: f.date(from: at)!, in: Self.shanghai) == f.date(from: opens)!)
    }
}

@Suite struct NoticeByTextTests {
    @Test(arguments: [
        ("全体委员 周三下午3点在工作室开协商会", AudiencePart.members as AudiencePart?, "周三下午3点在工作室开协商会"),
        ("龙湖社区委员 明天开会", .membersOfArea("龙湖社区"), "明天开会"), ("龍湖委員:明天開會", .membersOfArea("龙湖社区"), "明天開會"),
        ("联络员 下午碰头", .liaisons, "下午碰头"), ("燕村居民 明天停水", .residentsOfArea("燕村"), "明天停水"),
        ("委员 开会", .members, "开会"), ("大家 开会", nil, ""),
    ])
    func audienceWords(text: String, part: AudiencePart?, body: String) {
        let found = NoticeByText.audience(in: text, studio: Demo.studio)
        #expect(found?.part == part)
        if part != nil { #expect(found?.body == body) }
    }

    @Test func theVerbs() throws {
        #expect(try MemberCommandParser.parse("通知 全体委员 开会").get() == .notice(text: "全体委员 开会"))
        #expect(try MemberCommandParser.parse("确认12").get() == .confirm(12))
        #expect(try MemberCommandParser.parse("確認 #3").get() == .confirm(3))
        #expect(MemberCommandParser.parse("通知") == .failure(.missingText(usage: "通知 全体委员/某社区委员/联络员 内容")))
        #expect(MemberCommandParser.parse("确认") == .failure(.missingCase(usage: "确认 通知编号")))
    }
}

/// A resident who wrote through WeChat is `wx:<OpenID>`: digits hide in it, and no SMS notice may
/// go to them.
@Suite struct FollowerAddressTests {
    @Test(arguments: [("wx:o6_bmjrPTlm6_2sgVt7hMZOPfL2M", false), ("wx:o13700000001", false), ("+86 137-0000-0001", true),
                      ("１３７００００００01", true), ("（010）6900-0001", true), ("", false), ("13700000001\u{200B}", false)])
    func onlyNumbersAreDialable(address: String, dialable: Bool) {
        #expect(PhoneNumber.isDialable(address) == dialable)
    }

    /// A follower found in the database is reached as the follower (on their channel), never read
    /// as the digits in their address; one typed in as a number is no number.
    @Test func aFollowersAddressIsNeverReadAsDigits() {
        let draft = NoticeDraft(kind: .general, title: "停水通知", meeting: nil, audience: [.numbers([])])
        let found: [(AudiencePart, [NoticeRecipient])] = [
            (.followers, ["wx:o13700000001", "13700000002"].map { NoticeRecipient(phone: $0, role: "居民", via: "residents:area=龙湖社区") }),
            (.numbers(["wx:o13700000003"]), [NoticeRecipient(phone: "wx:o13700000003", role: "居民", via: "numbers:wx:o13700000003")]),
        ]
        let plan = NoticePlanner.plan(draft, number: 1, studio: Demo.studio, found: found, optedOut: [], hotlineKeys: [], countryCode: "86",
                                      reminderHours: nil, maxParts: 5, now: thursday)
        #expect(plan.recipients.map(\.phone) == ["wx:o13700000001", "+8613700000002"])
        #expect(plan.skipped.map(\.recipient.phone) == ["wx:o13700000003"] && plan.skipped.map(\.reason) == [.invalidNumber])
    }
}
