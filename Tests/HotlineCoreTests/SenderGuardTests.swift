import Foundation
import HotlineCore
import Testing

/// The sender guard's verdicts, table-driven.
@Suite struct SenderGuardTests {
    static let now = Date(timeIntervalSince1970: 1_764_000_000)
    static let limits = SenderLimits(maxTexts: 5, window: 600, minReplySeconds: 3, machineReplies: 4, muteHours: 24)
    static let defaults = SenderLimits()
    static let ack = "【徐家湾委员工作室】已收到您的诉求,编号1。由王委员负责办理,我们会尽快答复。"

    struct Row: Sendable, CustomStringConvertible {
        var name: String
        var text: String
        var activity: SenderActivity
        var action: SenderVerdict.Action
        var streak: Int
        var mute: MuteReason?
        var description: String { name }
    }

    static let rows: [Row] = [
        Row(name: "a first text", text: "小区停水三天了", activity: SenderActivity(recentTexts: 1), action: .answer, streak: 0),
        Row(name: "a reply after a minute", text: "谢谢",
            activity: SenderActivity(recentTexts: 2, sentToThem: [(now - 60, ack)]), action: .answer, streak: 0),
        Row(name: "our acknowledgement coming back", text: ack,
            activity: SenderActivity(recentTexts: 2, sentToThem: [(now - 60, ack)]), action: .stopAutoResponder, streak: 1, mute: .autoResponder),
        Row(name: "another studio's text", text: "【新绛县有事好商量平台】已收到", activity: SenderActivity(recentTexts: 1),
            action: .stopAutoResponder, streak: 1, mute: .autoResponder),
        Row(name: "a fast reply, first of a streak", text: "收到",
            activity: SenderActivity(recentTexts: 2, sentToThem: [(now - 1, ack)]), action: .answer, streak: 1),
        Row(name: "the fourth machine-like text in a row", text: "收到",
            activity: SenderActivity(recentTexts: 4, sameTexts: 3, sentToThem: [(now - 1, ack)], machineStreak: 3),
            action: .stopAutoResponder, streak: 4, mute: .autoResponder),
        Row(name: "a slow text breaks the streak", text: "还是没水",
            activity: SenderActivity(recentTexts: 3, sentToThem: [(now - 120, ack)], machineStreak: 2), action: .answer, streak: 0),
        Row(name: "muted auto-responder stays silent", text: "你好",
            activity: SenderActivity(recentTexts: 1, mutedUntil: now + 60, muteReason: .autoResponder), action: .silent, streak: 0,
            mute: .autoResponder),
        Row(name: "the fifth text is still answered", text: "第5条", activity: SenderActivity(recentTexts: 5), action: .answer, streak: 0),
        Row(name: "the sixth starts a flood", text: "第6条", activity: SenderActivity(recentTexts: 6), action: .holdFlood, streak: 0, mute: .flood),
        Row(name: "the flood goes on", text: "第7条", activity: SenderActivity(recentTexts: 7, mutedUntil: now + 300, muteReason: .flood),
            action: .silent, streak: 0, mute: .flood),
        Row(name: "a flood mute that ran out, texts few again", text: "你好",
            activity: SenderActivity(recentTexts: 1, mutedUntil: now - 1, muteReason: .flood), action: .answer, streak: 0),
    ]

    /// With the shipped limits a fast flood is a flood: the sixth fast text gets the one "please wait".
    @Test func aFastFloodIsAFloodWithTheDefaults() {
        let a = SenderActivity(recentTexts: 6, sentToThem: [(Self.now - 0.5, "【徐家湾委员工作室】您的补充已转给编号1的办理人")], machineStreak: 4)
        let v = SenderGuard.assess("第6条:停水", activity: a, limits: Self.defaults, ownNames: ["徐家湾委员工作室"], now: Self.now)
        #expect(v.action == .holdFlood && v.muteReason == .flood && v.machineStreak == 5)
    }

    @Test(arguments: rows)
    func verdicts(row: Row) {
        let v = SenderGuard.assess(row.text, activity: row.activity, limits: Self.limits, ownNames: ["徐家湾委员工作室", "新绛县有事好商量平台"], now: Self.now)
        #expect(v.action == row.action)
        #expect(v.machineStreak == row.streak)
        #expect(v.muteReason == row.mute)
        if row.mute == .autoResponder { #expect(v.mutedUntil == Self.now + 24 * 3600) }
        if row.mute == .flood { #expect(v.mutedUntil == Self.now + 600) }
    }
}

/// The roster's guard: members' and liaisons' commands are carried out, their free texts passed on
/// a few times a window, and an echo or one of our forwards coming back never passed on again.
@Suite struct RosterGuardTests {
    static let now = SenderGuardTests.now
    static let limits = SenderLimits(maxTexts: 5, window: 600, minReplySeconds: 3, machineReplies: 4, muteHours: 24, rosterMaxTexts: 20,
                                     rosterMaxForwards: 3)
    static let markers = ReplyTemplates().rosterMarkers
    static let notice = "【新诉求 1】供水|龙湖社区|来自+86137****0001:小区停水三天了 回复“接 1”受理。"
    static let forward = "【委员留言】周联络员(+86139****0001):今天下午开会吗"

    struct Row: Sendable, CustomStringConvertible {
        var name: String
        var text: String
        var command: Bool
        var activity: SenderActivity
        var action: SenderVerdict.Action
        var mute: MuteReason?
        var description: String { name }
    }

    static let rows: [Row] = [
        Row(name: "a command", text: "接 1", command: true, activity: SenderActivity(recentTexts: 1, sentToThem: [(now - 1, notice)]), action: .answer),
        Row(name: "a free text", text: "今天下午开会吗", command: false, activity: SenderActivity(recentTexts: 1), action: .answer),
        Row(name: "the fourth free text of the window", text: "还有一件事", command: false, activity: SenderActivity(recentTexts: 4, forwards: 3),
            action: .holdFlood, mute: .flood),
        Row(name: "a free text after twenty passed on today, one a window", text: "我在开会,稍后回复", command: false,
            activity: SenderActivity(recentTexts: 1, forwards: 1, forwardsToday: 20), action: .holdFlood, mute: .flood),
        Row(name: "a free text after nineteen passed on today", text: "我在开会,稍后回复", command: false,
            activity: SenderActivity(recentTexts: 1, forwards: 1, forwardsToday: 19), action: .answer),
        Row(name: "a command after twenty free texts passed on today", text: "接 1", command: true,
            activity: SenderActivity(recentTexts: 1, forwards: 1, forwardsToday: 20), action: .answer),
        Row(name: "a command while free texts are held", text: "接 1", command: true,
            activity: SenderActivity(recentTexts: 6, mutedUntil: now + 300, muteReason: .flood, forwards: 3), action: .answer, mute: .flood),
        Row(name: "more free texts while held", text: "再说一件", command: false,
            activity: SenderActivity(recentTexts: 7, mutedUntil: now + 300, muteReason: .flood, forwards: 3), action: .silent, mute: .flood),
        Row(name: "our notice echoed", text: notice, command: false, activity: SenderActivity(recentTexts: 1, sentToThem: [(now - 1, notice)]),
            action: .stopAutoResponder, mute: .autoResponder),
        Row(name: "one of our forwards, quoted by an auto-reply: answered (never passed on), machine-like", text: "自动回复:我在开会。您的短信:" + forward,
            command: false, activity: SenderActivity(recentTexts: 1), action: .answer),
        Row(name: "quoted again and again", text: "自动回复:我在开会。您的短信:" + forward, command: false,
            activity: SenderActivity(recentTexts: 5, machineStreak: 3), action: .stopAutoResponder, mute: .autoResponder),
        Row(name: "an echo while muted", text: forward, command: false,
            activity: SenderActivity(recentTexts: 2, mutedUntil: now + 60, muteReason: .autoResponder), action: .silent, mute: .autoResponder),
        Row(name: "a person's command while the phone is muted", text: "接 1", command: true,
            activity: SenderActivity(recentTexts: 2, mutedUntil: now + 60, muteReason: .autoResponder), action: .answer, mute: .autoResponder),
        Row(name: "a free text while the phone is muted", text: "我在开会", command: false,
            activity: SenderActivity(recentTexts: 2, mutedUntil: now + 60, muteReason: .autoResponder), action: .silent, mute: .autoResponder),
        Row(name: "the same auto-reply the fourth time", text: "我在开车,稍后回复", command: false,
            activity: SenderActivity(recentTexts: 4, sameTexts: 4, sentToThem: [(now - 1, "您的留言已转给吴联络员。")], machineStreak: 3),
            action: .stopAutoResponder, mute: .autoResponder),
        Row(name: "found machine-like while held for a flood: no second alert", text: "再说一件", command: false,
            activity: SenderActivity(recentTexts: 8, sameTexts: 1, sentToThem: [(now - 1, "您的留言较多")], machineStreak: 5, mutedUntil: now + 300,
                                     muteReason: .flood, forwards: 3),
            action: .silent, mute: .autoResponder),
        Row(name: "the twenty-first text of the window, a command", text: "列表", command: true, activity: SenderActivity(recentTexts: 21),
            action: .holdFlood, mute: .flood),
    ]

    @Test(arguments: rows)
    func verdicts(row: Row) {
        let v = SenderGuard.assessRoster(row.text, isCommand: row.command, activity: row.activity, limits: Self.limits,
                                         ownNames: ["徐家湾委员工作室"], ownMarkers: Self.markers, now: Self.now)
        #expect(v.action == row.action)
        #expect(v.muteReason == row.mute)
    }

    /// Commands answered at once (tests, busy days) are no machine; free texts answered at once are.
    @Test func fastCommandsAreNoMachine() {
        let a = SenderActivity(recentTexts: 2, sentToThem: [(Self.now - 0.5, "已受理1。")], machineStreak: 3)
        let command = SenderGuard.assessRoster("回复 1 明天去看", isCommand: true, activity: a, limits: Self.limits, ownNames: [], ownMarkers: [], now: Self.now)
        #expect(command.action == .answer && command.machineStreak == 0)
        let free = SenderGuard.assessRoster("好的", isCommand: false, activity: a, limits: Self.limits, ownNames: [], ownMarkers: [], now: Self.now)
        #expect(free.action == .stopAutoResponder)
    }

    @Test func theMarkersAreTheOpeningsOfOurRosterTexts() {
        #expect(Self.markers.contains("【委员留言】") && Self.markers.contains("【刷屏】") && Self.markers.contains("【超期】"))
        #expect(!Self.markers.contains { $0.contains("{") })
    }
}
