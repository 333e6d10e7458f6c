import Foundation
import HotlineChannels
import HotlineCore
import Testing

/// The Android gateway's adapter (SMS Gateway for Android): signed events in, delivery events,
/// the send request and its answers.
@Suite struct AndroidAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)
    static let android = AndroidGatewayChannel(signingKey: "k3y", hotlineNumber: "10690001", apiURL: "http://192.0.2.1:8080/",
                                               username: "sms", password: "pw", defaultCountryCode: "86")

    static func received(id: String = "evt-1", text: String = "路灯坏了") -> [UInt8] {
        Array(#"{"deviceId":"d1","event":"sms:received","id":"\#(id)","payload":{"messageId":"m-1","message":"\#(text)","phoneNumber":"+8613700000001","simNumber":1,"receivedAt":"2026-11-21T10:00:00.000+08:00"},"webhookId":"w1"}"#.utf8)
    }

    static func sign(_ body: [UInt8], _ timestamp: String, key: String = "k3y") -> String {
        Signature.hmacSHA256Hex(secret: key, data: body + Array(timestamp.utf8))
    }

    struct Row: Sendable, CustomStringConvertible {
        var name: String
        var signature: String?
        var timestamp: String?
        var error: WebhookError?
        var description: String { name }
    }

    static let ts = "1795000000"
    static let rows: [Row] = [
        Row(name: "valid", signature: sign(received(), ts), timestamp: ts),
        Row(name: "wrong key", signature: sign(received(), ts, key: "other"), timestamp: ts, error: .unauthorized("X-Signature does not match")),
        Row(name: "signature of another timestamp", signature: sign(received(), "1795000001"), timestamp: ts,
            error: .unauthorized("X-Signature does not match")),
        Row(name: "missing headers", signature: nil, timestamp: nil, error: .unauthorized("missing X-Signature or X-Timestamp header")),
        Row(name: "replayed an hour later", signature: sign(received(), "1794996400"), timestamp: "1794996400",
            error: .unauthorized("X-Timestamp is outside the 300 s window (a replay, or a clock off)")),
    ]

    @Test(arguments: rows)
    func receivedEvents(row: Row) {
        do throws(WebhookError) {
            let event = try Self.android.event(body: Self.received(), signature: row.signature, timestamp: row.timestamp, now: Self.now)
            #expect(row.error == nil)
            // receivedAt, 10:00 in Shanghai, is the app's time of receipt.
            #expect(event == .received(InboundText(providerID: "evt-1", from: "+8613700000001", to: "10690001", text: "路灯坏了",
                                                   receivedAt: ISO8601DateFormatter().date(from: "2026-11-21T02:00:00Z"))))
        } catch {
            #expect(error == row.error)
        }
    }

    @Test(arguments: [("sms:delivered", DeliveryStatus?.some(.delivered)), ("sms:failed", .failed), ("sms:sent", .sent)])
    func deliveryEvents(event: String, status: DeliveryStatus?) throws {
        let body = Array(#"{"event":"\#(event)","id":"e2","payload":{"messageId":"gw-9"}}"#.utf8)
        let parsed = try Self.android.event(body: body, signature: Self.sign(body, Self.ts), timestamp: Self.ts, now: Self.now)
        guard case let .status(providerID, s, _) = parsed else {
            Issue.record("expected a status")
            return
        }
        #expect(providerID == "gw-9" && s == status)
    }

    @Test func sendRequestAndAnswers() throws {
        let r = Self.android.sendRequest(to: "+8613700000001", text: "已收到")
        #expect(r.method == "POST" && r.url == "http://192.0.2.1:8080/3rdparty/v1/messages")
        #expect(r.headers["Authorization"] == "Basic " + Data("sms:pw".utf8).base64EncodedString())
        let body = try #require(try JSONSerialization.jsonObject(with: Data(r.body ?? [])) as? [String: Any])
        #expect((body["textMessage"] as? [String: String])?["text"] == "已收到")
        #expect(body["phoneNumbers"] as? [String] == ["+8613700000001"])
        #expect(AndroidGatewayChannel.outcome(status: 202, body: #"{"id":"gw-1","state":"Pending"}"#) == .accepted(providerID: "gw-1"))
        #expect(AndroidGatewayChannel.outcome(status: 503, body: "down") == .retryable("android 503: down"))
        #expect(AndroidGatewayChannel.outcome(status: 401, body: #"{"message":"unauthorized"}"#) == .permanent("android 401: unauthorized"))
    }
}
