import Foundation
import HotlineChannels
import HotlineCore
@testable import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

/// The Twilio webhooks through Hummingbird's test client.
@Suite struct TwilioWebhookTests {
    func hotline() throws -> HotlineParts {
        var (settings, table) = try HotlineSetup.load(HotlinePaths(
            config: repoRoot.appendingPathComponent("config").path, intents: repoRoot.appendingPathComponent("Intents").path))
        settings.channels.append(ChannelSettings(id: "twilio", kind: .twilio, options: [
            "account_sid": "AC123", "auth_token_env": "T", "public_url": "https://hotline.example.org", "from": "10690001",
        ]))
        return try HotlineParts(settings: settings, rules: table, database: .inMemory(), clock: .fixed(thursday),
                           secrets: ["twilio.auth_token": "tok-en"])
    }

    @Test func signedSMSBecomesACaseAndOptOutIsRemembered() async throws {
        let hotline = try hotline()
        let fields = ["MessageSid": "SM42", "From": "+8613700000001", "To": "10690001", "Body": "路灯坏了", "FromCity": ""]
        let body = FormFields.encode(fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            var headers = HTTPFields()
            headers[HTTPFields.Element.Name(TwilioChannel.signatureHeader)!] = Gateways.twilioSigned(fields)
            try await client.execute(uri: "/webhooks/twilio", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "<Response/>")
            }
            try await client.execute(uri: "/webhooks/twilio", method: .post, body: ByteBuffer(string: body)) { #expect($0.status == .unauthorized) }
            // The acknowledgement (message 2) bounces: the resident had replied STOP.
            let status = ["MessageSid": "SM2", "MessageStatus": "failed", "ErrorCode": "21610"]
            var statusHeaders = HTTPFields()
            statusHeaders[HTTPFields.Element.Name(TwilioChannel.signatureHeader)!] = Gateways.twilioSigned(status, path: "/webhooks/twilio/status?message=2")
            try await client.execute(uri: "/webhooks/twilio/status?message=2", method: .post, headers: statusHeaders,
                                     body: ByteBuffer(string: FormFields.encode(status.map { ($0.key, $0.value) }))) { #expect($0.status == .ok) }
        }
        let c = try #require(try await hotline.database.cases().first)
        #expect(c.topic == .roads && c.residentPhone == "+8613700000001")
        #expect(try await hotline.database.isOptedOut(studio: "xujiawan", phone: "+8613700000001"))
        #expect(try await hotline.database.messages().first { $0.id == 2 }?.status == .failed)
    }

    /// Posts a signed inbound SMS, with `OptOutType` when given, and expects `<Response/>`.
    static func post(_ client: some TestClientProtocol, from resident: String, sid: String, body: String, optOutType: String?) async throws {
        var fields = ["MessageSid": sid, "From": resident, "To": "10690001", "Body": body]
        fields["OptOutType"] = optOutType
        var headers = HTTPFields()
        headers[HTTPFields.Element.Name(TwilioChannel.signatureHeader)!] = Gateways.twilioSigned(fields)
        try await client.execute(uri: "/webhooks/twilio", method: .post, headers: headers,
                                 body: ByteBuffer(string: FormFields.encode(fields.map { ($0.key, $0.value) }))) { response in
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "<Response/>")
        }
    }

    @Test func providerKeywordsOpenNoCaseAndSetTheOptOut() async throws {
        let hotline = try hotline()
        let resident = "+8613700000002"
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            try await Self.post(client, from: resident, sid: "SM1", body: "STOP", optOutType: "STOP")
            #expect(try await hotline.database.isOptedOut(studio: "xujiawan", phone: resident))
            try await Self.post(client, from: resident, sid: "SM2", body: "HELP", optOutType: "HELP")
            #expect(try await hotline.database.isOptedOut(studio: "xujiawan", phone: resident))
            try await Self.post(client, from: resident, sid: "SM3", body: "START", optOutType: "START")
            #expect(try await !hotline.database.isOptedOut(studio: "xujiawan", phone: resident))
            // The provider answered all three: no case, nothing queued, each text kept.
            #expect(try await hotline.database.cases().isEmpty)
            let messages = try await hotline.database.messages()
            #expect(messages.sorted { $0.id! < $1.id! }.map(\.text) == ["STOP", "HELP", "START"])
            #expect(messages.allSatisfy { $0.direction == .inbound })
            try await Self.post(client, from: resident, sid: "SM4", body: "路灯坏了", optOutType: nil)
        }
        #expect(try await hotline.database.cases().count == 1)
    }
}
