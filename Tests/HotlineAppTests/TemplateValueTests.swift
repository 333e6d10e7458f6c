import Foundation
import HotlineChannels
import HotlineCore
@testable import HotlineStorage
import Testing
@testable import HotlineApp

/// Every text keeps the reply template it was made from and its values, through the outbox to
/// the channel: what a channel that sends only approved templates (template SMS) builds its
/// parameters from. A resident's values are masked like the text.
@Suite struct TemplateValueTests {
    @Test func textsCarryTheirTemplateAndValuesToTheChannel() async throws {
        let phones = Phones(try makeHotline())
        try await phones.text(resident, "小区停水三天了")
        try await phones.text(m3, "接1")
        try await phones.text(m3, "回复1 已联系自来水公司,有事打13800000003或13700000001")
        let items = try await phones.hotline.database.claimDueOutbox(now: thursday.addingTimeInterval(60), limit: 50)
        let toResident = items.filter { $0.to == resident }
        #expect(toResident.map(\.template) == ["ack.complaint", "resident.accepted", "resident.reply"])
        let ack = try #require(toResident.first)
        #expect(ack.values["case"] == "1" && ack.values["studio"] == "徐家湾委员工作室" && ack.values["assignee"] == "王委员", "\(ack.values)")
        // The member's number is masked in the value as in the text; the resident's own is not.
        let reply = try #require(toResident.last)
        #expect(reply.values["text"] == "已联系自来水公司,有事打+86138****0003或13700000001", "\(reply.values)")
        #expect(reply.text.contains("138****0003") && !reply.text.contains("13800000003"))
        // The member's new-case text keeps its template too.
        #expect(items.first { $0.to == m3 }?.template == "member.notice")
        // And the sender hands the channel both.
        let transport = FakeTransport([(200, "ok")])
        _ = await HTTPGatewaySender(TemplateEcho(), transport: transport).send(ack)
        #expect(transport.seen.map(\.url) == ["http://provider/send?template=ack.complaint&case=1"])
    }
}

/// A channel that puts the template and the case value in its request, for the test to see.
struct TemplateEcho: SendingChannel {
    static let kind = ChannelKind("template-echo")
    static let webhookSecret = WebhookSecretUse.unused
    init(_ setup: ChannelSetup) {}
    init() {}
    var webhooks: [WebhookRoute] { [] }
    func sendRequest(_ t: OutgoingText) -> OutboundHTTPRequest {
        OutboundHTTPRequest(method: "POST", url: "http://provider/send?template=\(t.template ?? "")&case=\(t.values["case"] ?? "")")
    }
    func sendOutcome(status: Int, body: String) -> SendOutcome { .accepted(providerID: nil) }
}

/// A notice's texts keep their template and values too, and a changed meeting's texts not sent
/// yet carry the new time and place in both.
@Suite struct NoticeTemplateValueTests {
    @Test func aMeetingNoticeCarriesItsFactsAsValues() async throws {
        let hotline = try makeHotline()
        let desk = NoticeService(hotline)
        let later = thursday.addingTimeInterval(2 * 3_600)
        let (notice, plan) = try await desk.create(studio: "xujiawan", NoticeTemplatesSupport.meeting(sendAt: later), by: "cli")
        #expect(plan.template == "notice.meeting" && plan.values["title"] == "龙湖停车协商会" && plan.values["place"] == "工作室")
        var items = try await hotline.database.claimDueOutbox(now: later, limit: 50)
        #expect(!items.isEmpty && items.allSatisfy { $0.template == "notice.meeting" && $0.values["place"] == "工作室" && $0.values["notice"] == String(notice.number) })
        // Put them back: the change is made while they wait.
        try await hotline.database.recordSent(items, now: later)
        let (other, _) = try await desk.create(studio: "xujiawan", NoticeTemplatesSupport.meeting("第二次协商会", sendAt: later), by: "cli")
        _ = try await desk.change(studio: "xujiawan", number: other.number, at: nil, place: "社区党群服务中心", reason: "场地调整")
        items = try await hotline.database.claimDueOutbox(now: later, limit: 50).filter { $0.values["title"] == "第二次协商会" }
        #expect(!items.isEmpty && items.allSatisfy { $0.values["place"] == "社区党群服务中心" && $0.text.contains("社区党群服务中心") }, "\(items.map(\.values))")
        // Calling the first off tells those it reached as notice.cancelled, with its reason.
        _ = try await desk.cancel(studio: "xujiawan", number: notice.number, reason: "下雨改期")
        let told = try await hotline.database.claimDueOutbox(now: later.addingTimeInterval(60), limit: 50)
        #expect(!told.isEmpty && told.allSatisfy { $0.template == "notice.cancelled" && $0.values["reason"] == "下雨改期" && $0.values["studio"] != nil },
                "\(told.map(\.values))")
    }
}

enum NoticeTemplatesSupport {
    static func meeting(_ title: String = "龙湖停车协商会", sendAt: Date? = nil) -> NoticeDraft {
        NoticeDraft(kind: .meeting, title: title, meeting: Meeting(at: thursday.addingTimeInterval(86_400 + 5 * 3_600), place: "工作室"),
                    audience: [.membersOfArea("龙湖社区")], sendAt: sendAt)
    }
}

extension AppDatabase {
    /// Marks claimed items sent (the test plays the dispatcher).
    func recordSent(_ items: [OutboxItem], now: Date) async throws {
        try await record(items.map { ($0, .sent(providerID: nil)) }, now: now)
    }
}
