import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

/// Members' texts that are no command go to the liaisons.
@Suite struct MemberFreeTextTests {
    @Test func freeTextIsPassedOnToTheLiaisonsMasked() async throws {
        let phones = Phones(try makeHotline())
        try await phones.text(m3, "今天下午开会吗")
        #expect(try await phones.inbox(m3) == ["您的留言已转给周联络员、吴联络员。命令请回复“帮助”。"])
        let l = try await phones.inbox(l1)
        #expect(l == ["【委员留言】王委员(+86138****0003):今天下午开会吗"])
        // A known verb with a bad argument keeps its own answer.
        try await phones.text(m3, "回复 1")
        #expect(try await phones.inbox(m3).first?.contains("缺少内容") == true)
        #expect(try await phones.inbox(l1).isEmpty)
        // A studio's only liaison has nobody to pass it to: the command list, as before.
        try await phones.text("+8613900000011", "你好", to: "10690002")
        #expect(try await phones.inbox("+8613900000011").first?.hasPrefix("没有这个命令") == true)
    }

    /// A text carrying one of our texts to the roster (an auto-reply quoting a forward, a liaison
    /// passing an alert on) is never passed on again; the sender is told why.
    @Test(arguments: ["自动回复:我在开会。您的短信:【委员留言】王委员(+86138****0003):今天下午开会吗",
                      "【超期】1(王委员)未在11月22日 10:00前受理,请督办。这个怎么办?"])
    func ourOwnTextsAreNeverPassedOnAgain(text: String) async throws {
        let phones = Phones(try makeHotline())
        try await phones.text(l1, text)
        #expect(try await phones.inbox(l1) == [ReplyTemplates().render("member.quoted", [:])])
        #expect(try await phones.inbox("+8613900000002").isEmpty)
    }

    @Test(arguments: ["请假 到 9999-12-31", "请假 到 02-30", "请假 到 2025-01-01"])
    func leaveDatesMustBeRealAndWithinAYear(text: String) async throws {
        let phones = Phones(try makeHotline())
        try await phones.text(m3, text)
        #expect(try await phones.inbox(m3).first?.contains("请假日期应是一年内的真实日期") == true)
        #expect(try await phones.hotline.database.casework(now: thursday) { try $0.onLeave(studio: "xujiawan") }.isEmpty)
    }
}
