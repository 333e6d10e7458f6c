import Foundation
import HotlineChannels
import HotlineCore
@testable import HotlineStorage
import Testing
@testable import HotlineApp

/// Notices through the app over a SQLite database, with an injected clock: fan-out, answers,
/// reminders, schedules and quiet hours, cancellation, opt-outs.
@Suite struct NoticeTests {
    static let studio = "xujiawan"

    /// A meeting of 龙湖社区's members the next day at 15:00 Shanghai (thursday is 10:00 there).
    static func meeting(_ title: String = "龙湖停车协商会", audience: [AudiencePart] = [.membersOfArea("龙湖社区")], sendAt: Date? = nil) -> NoticeDraft {
        NoticeDraft(kind: .meeting, title: title, meeting: Meeting(at: thursday.addingTimeInterval(86_400 + 5 * 3_600), place: "工作室"),
                    audience: audience, sendAt: sendAt)
    }

    /// Sends what is due through a recording sender; returns who got what.
    static func drain(_ hotline: HotlineParts, _ sender: ScriptedSender = ScriptedSender()) async throws -> [(to: String, text: String)] {
        let before = sender.sent.count
        let dispatcher = OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, sender))
        while try await dispatcher.drainOnce() > 0 {}
        return sender.sent.dropFirst(before).map { ($0.to, $0.text) }
    }

    @Test func aMeetingOfAnAreasMembersIsAnsweredTalliedAndReminded() async throws {
        let clock = StepClock(thursday)
        let phones = Phones(try makeHotline(clock: clock.wall))
        let desk = NoticeService(phones.hotline)
        let (notice, plan) = try await desk.create(studio: Self.studio, Self.meeting(audience: [.membersOfArea("龙湖社区"), .numbers([l1])]), by: "cli")
        #expect(plan.recipients.map(\.phone) == [m3, m6, l1])
        let sent = try await Self.drain(phones.hotline)
        #expect(Set(sent.map(\.to)) == [m3, m6, l1] && sent.allSatisfy { $0.text.contains("龙湖停车协商会") })

        try await phones.text(m3, "参加")
        try await phones.text(m6, "请假 出差")
        #expect(try await phones.inbox(m3).last?.contains("已登记您参加龙湖停车协商会") == true)
        #expect(try await phones.inbox(m6).last?.contains("已登记您不参加龙湖停车协商会。原因:出差") == true)
        // M6 was not put on leave, and no case was opened.
        #expect(try await phones.hotline.database.cases().isEmpty)
        #expect(try await phones.hotline.followUp() == 0)
        // Saying it again is recorded once and confirmed once.
        try await phones.text(m3, "参加")
        #expect(try await phones.inbox(m3).isEmpty)
        let tally = try await phones.hotline.database.noticeTally(noticeID: notice.id!)
        #expect(tally.rows == [NoticeTally.Row(role: "委员", coming: 1, declined: 1, noAnswer: 0),
                               NoticeTally.Row(role: "联络员", coming: 0, declined: 0, noAnswer: 1)])

        // Two hours before the meeting: the reminder goes to those coming and those who have not answered.
        clock.advance(86_400 + 3 * 3_600)
        #expect(try await phones.hotline.followUp() == 2)
        let reminded = try await Self.drain(phones.hotline).filter { $0.text.contains("会议提醒") }
        #expect(Set(reminded.map(\.to)) == [m3, l1])
        #expect(try await phones.hotline.followUp() == 0)
    }

    @Test func aMembersLeaveWithADateIsStillLeaveWhileANoticeIsOpen() async throws {
        let phones = Phones(try makeHotline())
        _ = try await NoticeService(phones.hotline).create(studio: Self.studio, Self.meeting(), by: "cli")
        try await phones.text(m6, "请假 到 12-10")
        #expect(try await phones.inbox(m6).last?.contains("已请假到12月10日") == true)
        let tally = try await phones.hotline.database.noticeTally(noticeID: 1)
        #expect(tally.declined == 0)
    }

    /// Two open notices to one number: a bare answer is for the latest, `回执 N` names the other.
    @Test func twoOpenNoticesToOneNumber() async throws {
        let clock = StepClock(thursday)
        let phones = Phones(try makeHotline(clock: clock.wall))
        let desk = NoticeService(phones.hotline)
        _ = try await desk.create(studio: Self.studio, Self.meeting("停车协商会"), by: "cli")
        clock.advance(60)
        _ = try await desk.create(studio: Self.studio, Self.meeting("加装电梯议事会"), by: "cli")
        try await phones.text(m3, "参加")
        try await phones.text(m3, "回执 1 请假")
        #expect(try await phones.hotline.database.noticeTally(noticeID: 2).coming == 1)
        #expect(try await phones.hotline.database.noticeTally(noticeID: 1).declined == 1)
        try await phones.text(m3, "回执 9 参加")
        #expect(try await phones.inbox(m3).last?.contains("没有找到回执9") == true)
    }

    /// A resident with a satisfaction question and a notice both waiting: `1` answers the later one.
    @Test func aResidentsOneAnswersWhicheverWasAskedLast() async throws {
        let clock = StepClock(thursday)
        let phones = Phones(try makeHotline(clock: clock.wall))
        try await phones.text(resident, "小区停水三天了")
        try await phones.text(m3, "接 1")
        try await phones.text(m3, "办结 1 已修好")      // the survey question goes to the resident
        clock.advance(60)
        _ = try await NoticeService(phones.hotline).create(studio: Self.studio, Self.meeting(audience: [.residentsOfCases([1])]), by: "cli")
        try await phones.text(resident, "1")
        #expect(try await phones.hotline.database.noticeTally(noticeID: 1).coming == 1)
        #expect(try await phones.case(1).satisfaction == nil)
        try await phones.text(resident, "满意")
        #expect(try await phones.case(1).satisfaction == .satisfied)
    }

    @Test func aSurveyAskedAfterTheNoticeTakesTheOne() async throws {
        let clock = StepClock(thursday)
        let phones = Phones(try makeHotline(clock: clock.wall))
        try await phones.text(resident, "小区停水三天了")
        _ = try await NoticeService(phones.hotline).create(studio: Self.studio, Self.meeting(audience: [.residentsOfCases([1])]), by: "cli")
        clock.advance(60)
        try await phones.text(m3, "接 1")
        try await phones.text(m3, "办结 1 已修好")
        try await phones.text(resident, "1")
        #expect(try await phones.case(1).satisfaction == .satisfied)
        #expect(try await phones.hotline.database.noticeTally(noticeID: 1).coming == 0)
        try await phones.text(resident, "参加")
        #expect(try await phones.hotline.database.noticeTally(noticeID: 1).coming == 1)
        #expect(try await phones.hotline.database.cases().count == 1)
    }

    /// Opted out before: skipped and told nothing. Opted out after planning: the text is withdrawn when it falls due.
    @Test func optedOutResidentsGetNoNotice() async throws {
        let clock = StepClock(thursday)
        let phones = Phones(try makeHotline(clock: clock.wall))
        let a = "+8613700000071", b = "+8613700000072"
        try await phones.text(a, "退订")
        _ = try await phones.inbox(a)
        let desk = NoticeService(phones.hotline)
        let draft = NoticeDraft(kind: .general, title: "停水通知", body: "明天9点到12点停水", audience: [.numbers([a, b])],
                                sendAt: thursday.addingTimeInterval(3_600))
        let (_, plan) = try await desk.create(studio: Self.studio, draft, by: "cli")
        #expect(plan.recipients.map(\.phone) == [b] && plan.skipped.map(\.reason) == [.optedOut])
        try await phones.text(b, "TD")
        clock.advance(3_600)
        let sent = try await Self.drain(phones.hotline)
        #expect(!sent.contains { $0.text.contains("停水通知") }, "\(sent)")
        #expect(try await phones.hotline.database.outboxCounts()["cancelled"] == 1)
    }

    /// Quiet hours 21:30-08:00: a notice for 23:00 goes at 08:00; nothing goes before its time.
    @Test func aScheduledNoticeGoesAtItsTimeAndOneDueAtNightWaitsForTheMorning() async throws {
        let clock = StepClock(thursday)
        let phones = Phones(try makeHotline(clock: clock.wall))
        let desk = NoticeService(phones.hotline)
        let night = thursday.addingTimeInterval(13 * 3_600)           // 23:00 Shanghai
        let (_, plan) = try await desk.create(studio: Self.studio, NoticeDraft(kind: .general, title: "明早停电", audience: [.liaisons], sendAt: night), by: "cli")
        #expect(plan.sendAt == thursday.addingTimeInterval(22 * 3_600))  // 08:00 Shanghai next day
        #expect(try await Self.drain(phones.hotline).isEmpty)
        clock.advance(13 * 3_600)
        #expect(try await Self.drain(phones.hotline).isEmpty)
        clock.advance(9 * 3_600)
        #expect(Set(try await Self.drain(phones.hotline).map(\.to)) == [l1, "+8613900000002"])
    }

    @Test func aCancellationReachesTheSamePeopleAndWithdrawsWhatWasNotSent() async throws {
        let clock = StepClock(thursday)
        let phones = Phones(try makeHotline(clock: clock.wall))
        let desk = NoticeService(phones.hotline)
        _ = try await desk.create(studio: Self.studio, Self.meeting(), by: "cli")
        _ = try await Self.drain(phones.hotline)
        let later = NoticeDraft(kind: .general, title: "下周停水", audience: [.liaisons], sendAt: thursday.addingTimeInterval(3_600))
        _ = try await desk.create(studio: Self.studio, later, by: "cli")
        #expect(try await desk.cancel(studio: Self.studio, number: 1, reason: "改到下周") == (withdrawn: 0, told: 2))
        let told = try await Self.drain(phones.hotline)
        #expect(Set(told.map(\.to)) == [m3, m6] && told.allSatisfy { $0.text.contains("会议取消") && $0.text.contains("改到下周") })
        #expect(try await desk.cancel(studio: Self.studio, number: 2, reason: "") == (withdrawn: 2, told: 0))
        clock.advance(3_600)
        #expect(try await Self.drain(phones.hotline).isEmpty)
        // An answer to a cancelled meeting is not counted.
        try await phones.text(m3, "参加")
        #expect(try await phones.hotline.database.noticeTally(noticeID: 1).coming == 0)
        await #expect(throws: NoticeService.Problem.notice(.notOpen(1, .cancelled))) { try await desk.cancel(studio: Self.studio, number: 1, reason: "") }
    }

    /// Case replies go ahead of a notice's texts in the outbox.
    @Test func caseTrafficGoesBeforeBroadcasts() async throws {
        let phones = Phones(try makeHotline())
        _ = try await NoticeService(phones.hotline).create(studio: Self.studio, Self.meeting(audience: [.members]), by: "cli")
        try await phones.text(resident, "小区停水三天了")
        let items = try await phones.hotline.database.claimDueOutbox(now: thursday, limit: 3)
        #expect(items.count == 3 && items.prefix(2).allSatisfy { !$0.text.contains("会议通知") } && items[2].text.contains("会议通知"))
    }

    @Test func problemsAreNamed() async throws {
        let desk = NoticeService(try makeHotline())
        await #expect(throws: NoticeService.Problem.notice(.unknownRoll("龙湖议事会", known: []))) {
            try await desk.preview(studio: Self.studio, NoticeDraft(kind: .general, title: "x", audience: [.roll("龙湖议事会")]))
        }
        await #expect(throws: NoticeService.Problem.notice(.unknownCases([5]))) {
            try await desk.preview(studio: Self.studio, NoticeDraft(kind: .general, title: "x", audience: [.residentsOfCases([5])]))
        }
        await #expect(throws: NoticeService.Problem.inThePast("the meeting time")) {
            var d = Self.meeting()
            d.meeting?.at = thursday.addingTimeInterval(-60)
            return try await desk.create(studio: Self.studio, d, by: "cli")
        }
        await #expect(throws: NoticeService.Problem.notice(.emptyAudience)) {
            try await desk.create(studio: Self.studio, NoticeDraft(kind: .general, title: "x", audience: [.numbers(["hello"])]), by: "cli")
        }
        await #expect(throws: NoticeService.Problem.unknownStudio("nowhere")) {
            try await desk.create(studio: "nowhere", Self.meeting(), by: "cli")
        }
    }
}

@Suite struct NoticeChangeTests {
    /// A meeting moved after it went out: the same people are told and asked again, the reminder follows the new time.
    @Test func aChangeReachesTheSamePeopleAndAsksAgain() async throws {
        let clock = StepClock(thursday)
        let phones = Phones(try makeHotline(clock: clock.wall))
        let desk = NoticeService(phones.hotline)
        _ = try await desk.create(studio: "xujiawan", NoticeTests.meeting(), by: "cli")
        _ = try await NoticeTests.drain(phones.hotline)
        try await phones.text(m3, "参加")
        _ = try await NoticeTests.drain(phones.hotline)
        let later = thursday.addingTimeInterval(2 * 86_400 + 5 * 3_600)   // Saturday 15:00 Shanghai
        #expect(try await desk.change(studio: "xujiawan", number: 1, at: later, place: "社区议事厅", reason: "") == 2)
        let told = try await NoticeTests.drain(phones.hotline)
        #expect(Set(told.map(\.to)) == [m3, m6] && told.allSatisfy { $0.text.contains("会议变更") && $0.text.contains("11月28日(周六)15:00在社区议事厅") })
        #expect(try await phones.hotline.database.noticeTally(noticeID: 1).coming == 0)
        let notice = try #require(try await phones.hotline.database.notice(studio: "xujiawan", number: 1))
        #expect(notice.remindAt == later.addingTimeInterval(-7_200) && notice.rsvpUntil == later && notice.text.contains("社区议事厅"))
        // The old reminder time passes quietly; the new one reminds.
        clock.advance(86_400 + 3 * 3_600)
        #expect(try await phones.hotline.followUp() == 0)
        clock.advance(86_400)
        #expect(try await phones.hotline.followUp() == 2)
    }
}

/// A notice to the WeChat account's followers goes to each on the channel they wrote on; those who
/// unfollowed are left out; a number typed in that looks like a follower is no follower.
@Suite struct FollowerNoticeTests {
    let account = ChannelSettings(id: "account", kind: ChannelKind("contacts-only", reach: .ownContacts))

    @Test func followersAreReachedOnTheirChannel() async throws {
        let hotline = try makeHotline { $0.channels.append(account) }
        func say(_ from: String, _ text: String, keyword: ProviderKeyword? = nil, on channel: ChannelSettings? = nil) async throws {
            _ = try await hotline.receive(InboundText(providerID: UUID().uuidString, from: from, to: "10690001", text: text, keyword: keyword),
                                          channel: channel ?? account)
        }
        try await say("wx:oWrote", "小区路灯坏了")
        try await say("wx:oFollowed", "[关注公众号]", keyword: .optIn)
        try await say("wx:oLeft", "垃圾没人清运")
        try await say("wx:oLeft", "[取消关注]", keyword: .optOut)
        try await say("+8613700000009", "路灯坏了", on: ChannelSettings(id: "json", kind: .json))
        let draft = NoticeDraft(kind: .general, title: "停水通知", body: "明天9点到12点停水", audience: [.followers, .numbers(["wx:oTyped"])])
        let (_, plan) = try await NoticeService(hotline).create(studio: "xujiawan", draft, by: "cli")
        #expect(Set(plan.recipients.map(\.phone)) == ["wx:oWrote", "wx:oFollowed"])
        #expect(plan.recipients.allSatisfy { $0.role == NoticePlanner.followerSeat })
        #expect(Set(plan.skipped.map { "\($0.recipient.phone) \($0.reason.rawValue)" }) == ["wx:oLeft opted-out", "wx:oTyped invalid-number"])
        let texts = try await hotline.database.messages().filter { $0.kind == .broadcast }
        #expect(texts.count == 2 && texts.allSatisfy { $0.channel == "account" }, "\(texts.map(\.channel))")
        // The word in a liaison's text names them too.
        let studio = try #require(hotline.settings.deployment.studio(id: "xujiawan"))
        #expect(NoticeByText.audience(in: "关注者 明天停水", studio: studio)?.part == .followers)
        #expect(NoticeByText.audience(in: "公众号关注者 明天停水", studio: studio)?.part == .followers)
    }
}
