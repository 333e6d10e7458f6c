import Foundation
import HotlineChannels
import HotlineCore
@testable import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

/// 退订 / 订阅 by text, on every channel kind; opt-outs reported by a provider's send API.
@Suite struct OptOutTests {
    static let resident = "+8613700000061"

    /// Sends `text` from `from` through the channel `kind` of an app built over `hotline`.
    static func post(_ client: some TestClientProtocol, kind: ChannelKind, id: String, from: String, text: String) async throws {
        switch kind {
        case .json:
            try await client.execute(uri: "/webhooks/json", method: .post, body: ByteBuffer(string: body(id: id, from: from, text: text))) {
                #expect($0.status == .ok, "\(String(buffer: $0.body))")
            }
        case .kannel:
            let query = FormFields.encode([("secret", "s3cret"), ("from", from), ("to", "10690001"), ("id", id), ("text", text)])
            try await client.execute(uri: "/webhooks/kannel?" + query, method: .get) { #expect($0.status == .ok) }
        case .twilio:
            let fields = ["MessageSid": id, "From": from, "To": "+8610690001", "Body": text]
            var headers = HTTPFields()
            headers[HTTPFields.Element.Name(TwilioChannel.signatureHeader)!] = Gateways.twilioSigned(fields)
            try await client.execute(uri: "/webhooks/twilio", method: .post, headers: headers,
                                     body: ByteBuffer(string: FormFields.encode(fields.map { ($0.key, $0.value) }))) { #expect($0.status == .ok) }
        case .android:
            let payload: [String: Any] = ["messageId": id, "message": text, "phoneNumber": from]
            let event: [String: Any] = ["event": "sms:received", "id": id, "payload": payload]
            let bytes = Array(try JSONSerialization.data(withJSONObject: event))
            let ts = String(Int(thursday.timeIntervalSince1970))
            var headers = HTTPFields()
            headers[HTTPFields.Element.Name("X-Signature")!] = AndroidWebhookTests.sign(bytes, ts)
            headers[HTTPFields.Element.Name("X-Timestamp")!] = ts
            try await client.execute(uri: "/webhooks/android", method: .post, headers: headers, body: ByteBuffer(bytes: bytes)) {
                #expect($0.status == .ok, "\(String(buffer: $0.body))")
            }
        default:
            Issue.record("no inbound webhook for \(kind)")
        }
    }

    static func hotlineWithEveryChannel() throws -> HotlineParts {
        var (settings, table) = try HotlineSetup.load(HotlinePaths(
            config: repoRoot.appendingPathComponent("config").path, intents: repoRoot.appendingPathComponent("Intents").path))
        withGateways(&settings)
        settings.channels.append(ChannelSettings(id: "android", kind: .android, secretEnv: "A", options: [
            "api_url": "http://192.0.2.1:8080", "username": "sms", "password_env": "P", "number": "10690001",
        ]))
        return try HotlineParts(settings: settings, rules: table, database: .inMemory(), clock: .fixed(thursday),
                           secrets: ["kannel": "s3cret", "kannel.password": "pw", "twilio.auth_token": "tok-en",
                                     "android": "k3y", "android.password": "pw"])
    }

    @Test(arguments: [ChannelKind.json, .kannel, .twilio, .android])
    func optOutAndBackByTextOnEveryChannel(kind: ChannelKind) async throws {
        let hotline = try Self.hotlineWithEveryChannel()
        let db = hotline.database
        @Sendable func toResident() async throws -> [String] {
            try await db.messages().filter { $0.direction == .outbound && $0.toNumber == Self.resident }.sorted { $0.id! < $1.id! }.map(\.text)
        }
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            try await Self.post(client, kind: kind, id: "o1", from: Self.resident, text: "退订")
            #expect(try await db.isOptedOut(studio: "xujiawan", phone: Self.resident))
            var got = try await toResident()
            #expect(got.count == 1 && got[0].contains("您已退订") && got[0].contains("订阅"), "\(got)")
            // A repeat, in another form, changes nothing and is not answered.
            try await Self.post(client, kind: kind, id: "o2", from: Self.resident, text: " ｔｄ。")
            #expect(try await toResident().count == 1)
            try await Self.post(client, kind: kind, id: "o3", from: Self.resident, text: "訂閱")
            #expect(try await !db.isOptedOut(studio: "xujiawan", phone: Self.resident))
            got = try await toResident()
            #expect(got.count == 2 && got[1].contains("已恢复接收"), "\(got)")
        }
        #expect(try await db.cases().isEmpty)
    }

    @Test func aMemberCannotOptOutOfTheirStudiosNotices() async throws {
        let phones = Phones(try makeHotline())
        try await phones.text(m3, "退订")
        #expect(try await phones.inbox(m3).first?.contains("不能退订") == true)
        #expect(try await !phones.hotline.database.isOptedOut(studio: "xujiawan", phone: m3))
        // Nothing went to the liaisons as a member's message.
        #expect(try await phones.hotline.database.messages().filter { $0.direction == .outbound }.count == 1)
    }

    /// Opting out is about broadcasts: a resident who opted out and then writes in gets their case's texts.
    @Test func caseRepliesStillReachAnOptedOutResident() async throws {
        let phones = Phones(try makeHotline())
        try await phones.text(Self.resident, "退订")
        _ = try await phones.inbox(Self.resident)
        try await phones.text(Self.resident, "燕村的路灯坏了")
        #expect(try await phones.inbox(Self.resident).first?.contains("已收到您的诉求,编号1") == true)
        let sender = ScriptedSender()
        try await OutboxDispatcher(phones.hotline, senders: .all(phones.hotline.settings.channels, sender)).drainOnce()
        #expect(sender.sent.contains { $0.to == Self.resident && $0.text.contains("编号1") })
        #expect(try await phones.hotline.database.isOptedOut(studio: "xujiawan", phone: Self.resident))
    }

    @Test func anOptOutInsideATextIsNoOptOut() async throws {
        let phones = Phones(try makeHotline())
        try await phones.text(Self.resident, "小区停水了,我不想退订")
        #expect(try await !phones.hotline.database.isOptedOut(studio: "xujiawan", phone: Self.resident))
        #expect(try await phones.hotline.database.cases().count == 1)
    }

    /// Twilio's send API answers 21610 for a number that texted STOP to Twilio: the resident is
    /// marked opted out, the send is not retried; a member's number never is.
    @Test func anOptOutReportedByTheSendAPIIsRemembered() async throws {
        let hotline = try makeHotline()
        _ = try await hotline.receive(InboundText(providerID: "1", from: Self.resident, to: "10690001", text: "物业不管"),
                                      channel: .init(id: "json", kind: .json))
        // The acknowledgement to the resident, then the notice to the member.
        let sender = ScriptedSender([.optedOut("twilio 21610: recipient opted out"), .optedOut("twilio 21610: recipient opted out")])
        try await OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, sender)).drainOnce()
        #expect(sender.sent.count == 2)
        #expect(try await hotline.database.outboxCounts() == ["failed": 2])
        #expect(try await hotline.database.isOptedOut(studio: "xujiawan", phone: Self.resident))
        let member = try #require(sender.sent.first { $0.to != Self.resident })
        #expect(try await !hotline.database.isOptedOut(studio: "xujiawan", phone: member.to))
    }

    /// 退订 at one studio stops every studio's notices by default (`opt_out: deployment`), and
    /// only that studio's with `opt_out: studio`; 订阅 undoes it where it applied.
    @Test(arguments: [OptOutScope.deployment, .studio])
    func anOptOutCoversTheDeploymentOrTheStudio(scope: OptOutScope) async throws {
        var (settings, table) = try HotlineSetup.load(HotlinePaths(
            config: repoRoot.appendingPathComponent("config").path, intents: repoRoot.appendingPathComponent("Intents").path))
        settings.deployment.optOutScope = scope
        let phones = Phones(try HotlineParts(settings: settings, rules: table, database: .inMemory(), clock: .fixed(thursday)))
        let desk = NoticeService(phones.hotline)
        let draft = NoticeDraft(kind: .general, title: "停水通知", audience: [.numbers([Self.resident])])
        try await phones.text(Self.resident, "退订")
        let here = try await desk.preview(studio: "xujiawan", draft)
        let there = try await desk.preview(studio: "xinjiang", draft)
        #expect(here.recipients.isEmpty && here.skipped.first?.reason == .optedOut)
        if scope == .deployment {
            #expect(there.recipients.isEmpty && there.skipped.first?.reason == .optedOut)
        } else {
            #expect(there.recipients.map(\.phone) == [Self.resident])
        }
        try await phones.text(Self.resident, "订阅")
        #expect(try await desk.preview(studio: "xinjiang", draft).recipients.map(\.phone) == [Self.resident])
    }
}

/// A liaison's draft by text is sent by its author (or the coordinator) only.
@Suite struct NoticeDraftAuthorTests {
    @Test func anotherLiaisonCannotConfirmADraft() async throws {
        let phones = Phones(try makeHotline())
        let l2 = "+8613900000002"
        try await phones.text(l1, "通知 龙湖社区委员 周三下午3点开会")
        #expect(try await phones.inbox(l1).first?.contains("回复“确认 1”发送") == true)
        try await phones.text(l2, "确认 1")
        #expect(try await phones.inbox(l2) == ["通知1是周联络员起草的,只能由起草人或负责人确认发送。"])
        #expect(try await phones.inbox(m3).isEmpty)
        try await phones.text(l1, "确认 1")
        #expect(try await phones.inbox(l1) == ["通知1已发出,共2人。"])
        #expect(try await phones.inbox(m3).count == 1)
    }
}
