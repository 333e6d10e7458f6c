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
