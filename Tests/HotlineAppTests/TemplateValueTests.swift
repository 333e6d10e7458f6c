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
