import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

/// The resident's page of their case: reached by the link in their acknowledgement, it shows the
/// case and the replies (no member's number, none of the members' texts), asks the survey as
/// buttons, and shows nothing for a wrong or expired token.
@Suite struct ResidentPageTests {
    static func hotline(_ clock: StepClock) throws -> HotlineParts {
        try makeHotline(clock: clock.wall) { $0.deployment.casePage = CasePage(publicURL: "https://hotline.example.org/", keepDays: 30) }
    }

    static func get(_ client: TestClientProtocol, _ path: String) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: path, method: .get) { ($0.status, String(buffer: $0.body)) }
    }

    @Test func theLinkInTheAcknowledgementOpensTheCaseAndTakesTheSurvey() async throws {
        let clock = StepClock(thursday)
        let phones = Phones(try Self.hotline(clock))
        try await phones.text(resident, "小区停水三天了")
        let ack = try #require(try await phones.inbox(resident).first)
        let link = try #require(ack.firstMatch(of: /详情:https:\/\/hotline\.example\.org\/c\/([A-Za-z0-9_-]{22})/))
        let token = String(link.1)
        #expect(try await phones.case(1).residentToken == token)
        // A template channel's fallback can point to the page: the token goes with the text's values.
        let queued = try await phones.hotline.database.claimDueOutbox(now: thursday.addingTimeInterval(60), limit: 10)
        #expect(queued.first { $0.to == resident }?.values["token"] == token)

        try await phones.text(m3, "接1")
        try await phones.text(m3, "回复1 已联系自来水公司,今晚恢复供水。我的电话13800000003")
        let hotline = phones.hotline
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            var (status, page) = try await Self.get(client, "/c/\(token)")
            #expect(status == .ok)
            #expect(page.contains(#"<strong id="case-number">1</strong>"#) && page.contains("王委员") && page.contains("小区停水三天了"))
            #expect(page.contains("已联系自来水公司,今晚恢复供水"), "the member's reply")
            #expect(!page.contains("13800000003") && !page.contains("+8613800000003"), "no member's number anywhere")
            #expect(!page.contains("回复“接"), "none of the members' texts")
            #expect(!page.contains("survey-1"), "no survey before the case closes")

            _ = try await hotline.receive(InboundText(providerID: "close", from: m3, to: "10690001", text: "办结1 已恢复供水"),
                                          channel: ChannelSettings(id: "json", kind: .json))
            (status, page) = try await Self.get(client, "/c/\(token)")
            #expect(page.contains(#"id="survey-1""#) && page.contains(#"<dd id="case-outcome">已办结</dd>"#))
            try await client.execute(uri: "/c/\(token)/survey", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                     body: ByteBuffer(string: "answer=1")) { #expect($0.status == .seeOther) }
            // A second press is the same answer: nothing more is stored or sent.
            try await client.execute(uri: "/c/\(token)/survey", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                     body: ByteBuffer(string: "answer=3")) { #expect($0.status == .seeOther) }
            (status, page) = try await Self.get(client, "/c/\(token)")
            #expect(page.contains("感谢您的评价:满意") && !page.contains("survey-1"))
        }
        #expect(try await phones.case(1).satisfaction == .satisfied)
        #expect(try await phones.inbox(resident).contains { $0.contains("感谢") }, "thanked as if they had texted 1")
    }

    @Test func aWrongOrExpiredTokenShowsNothing() async throws {
        let clock = StepClock(thursday)
        let phones = Phones(try Self.hotline(clock))
        try await phones.text(resident, "小区停水三天了")
        let token = try #require(try await phones.case(1).residentToken)
        try await phones.text(m3, "接1")
        try await phones.text(m3, "办结1 已恢复供水")
        try await buildApplication(parts: phones.hotline, senders: nil).test(.router) { client in
            let forged = String(token.reversed())
            for path in ["/c/\(forged)", "/c/short", "/c/\(token)%27%20OR%201=1", "/c/" + String(repeating: "A", count: 5000)] {
                let (status, page) = try await Self.get(client, path)
                #expect(status == .notFound && page.contains("链接无效或已过期") && !page.contains("停水"), "\(path.prefix(40))")
            }
            #expect(try await Self.get(client, "/c/\(token)").0 == .ok)
            clock.advance(31 * 86_400)
            let (status, page) = try await Self.get(client, "/c/\(token)")
            #expect(status == .notFound && !page.contains("停水"), "closed more than keep_days ago")
            try await client.execute(uri: "/c/\(token)/survey", method: .post, body: ByteBuffer(string: "answer=1")) { #expect($0.status == .notFound) }
        }
    }

    @Test func withoutAPublicAddressThereAreNoLinks() async throws {
        let phones = Phones(try makeHotline())
        try await phones.text(resident, "小区停水三天了")
        #expect(try await phones.case(1).residentToken == nil)
        let ack = try #require(try await phones.inbox(resident).first)
        #expect(!ack.contains("详情") && !ack.contains("{link}"), "\(ack)")
    }
}
