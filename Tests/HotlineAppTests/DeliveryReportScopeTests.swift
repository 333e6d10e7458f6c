import Foundation
import HotlineChannels
import HotlineCore
@testable import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

/// Delivery reports move only their own channel's messages; 21610 never opts out staff.
@Suite struct DeliveryReportScopeTests {
    @Test func aReportForAnotherChannelsMessageMovesNothing() async throws {
        let hotline = try makeHotline(withGateways)
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            // A JSON-webhook case: its texts go out on the dry-run channel.
            try await client.execute(uri: "/webhooks/json", method: .post, body: ByteBuffer(string: body(id: "j1", text: "停水了"))) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/webhooks/kannel/dlr?secret=s3cret&message=2&type=1", method: .get) { #expect($0.status == .ok) }
            // A member's notice (to M4's number) reported as opted out through Twilio.
            let status = ["MessageSid": "SMx", "MessageStatus": "failed", "ErrorCode": "21610"]
            var headers = HTTPFields()
            headers[HTTPFields.Element.Name(TwilioChannel.signatureHeader)!] = Gateways.twilioSigned(status, path: "/webhooks/twilio/status?message=3")
            try await client.execute(uri: "/webhooks/twilio/status?message=3", method: .post, headers: headers,
                                     body: ByteBuffer(string: FormFields.encode(status.map { ($0.key, $0.value) }))) { #expect($0.status == .ok) }
        }
        let out = try await hotline.database.messages().filter { $0.direction == .outbound }
        #expect(out.allSatisfy { $0.status == .queued })
    }

    @Test func optOutNeverMarksAMember() async throws {
        let hotline = try makeHotline(withGateways)
        let phones = Phones(hotline)
        try await phones.text("+8613800000004", "待办")   // M4 has a residents row too, as every sender does
        let reply = try #require(try await hotline.database.messages().first { $0.toNumber == "+8613800000004" })
        try await hotline.database.writer.write { db in try db.execute(sql: "UPDATE messages SET channel = 'twilio' WHERE id = ?", arguments: [reply.id]) }
        let roster = Set(hotline.settings.deployment.studios.flatMap { $0.roster.map(\.phone) })
        try await hotline.database.recordOptOut(messageID: reply.id!, channel: "twilio", sparing: roster, now: thursday)
        #expect(try await !hotline.database.isOptedOut(studio: "xujiawan", phone: "+8613800000004"))
        // A resident's number is opted out as before.
        try await phones.text(resident, "小区停水三天了")
        let ack = try #require(try await hotline.database.messages().first { $0.toNumber == resident })
        try await hotline.database.writer.write { db in try db.execute(sql: "UPDATE messages SET channel = 'twilio' WHERE id = ?", arguments: [ack.id]) }
        try await hotline.database.recordOptOut(messageID: ack.id!, channel: "twilio", sparing: roster, now: thursday)
        #expect(try await hotline.database.isOptedOut(studio: "xujiawan", phone: resident))
    }
}
