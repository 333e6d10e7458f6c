import Foundation
import HotlineChannels
import HotlineCore
@testable import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

/// The Android gateway through the app's webhook.
@Suite struct AndroidWebhookTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    static func received(id: String) -> [UInt8] {
        Array(#"{"deviceId":"d1","event":"sms:received","id":"\#(id)","payload":{"messageId":"m-1","message":"路灯坏了","phoneNumber":"+8613700000001","simNumber":1,"receivedAt":"2026-11-21T10:00:00.000+08:00"},"webhookId":"w1"}"#.utf8)
    }

    static func sign(_ body: [UInt8], _ timestamp: String) -> String {
        Signature.hmacSHA256Hex(secret: "k3y", data: body + Array(timestamp.utf8))
    }

    /// Through the app: the same text from the same number twice (new event ids) is one message.
    @Test func sameTextWithinTheWindowIsOneMessage() async throws {
        var (settings, table) = try HotlineSetup.load(HotlinePaths(
            config: repoRoot.appendingPathComponent("config").path, intents: repoRoot.appendingPathComponent("Intents").path))
        settings.channels.append(ChannelSettings(id: "android", kind: .android, secretEnv: "A", options: [
            "api_url": "http://192.0.2.1:8080", "username": "sms", "password_env": "P", "number": "10690001",
        ]))
        let clock = StepClock(Self.now)
        let hotline = try HotlineParts(settings: settings, rules: table, database: .inMemory(), clock: clock.wall,
                                  secrets: ["android": "k3y", "android.password": "pw"])
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            for (id, advance) in [("evt-1", 0.0), ("evt-2", 30.0), ("evt-3", 600.0)] {
                clock.advance(advance)
                let ts = String(Int(clock.wall.now().timeIntervalSince1970))
                let body = Self.received(id: id)
                var headers = HTTPFields()
                headers[HTTPFields.Element.Name("X-Signature")!] = Self.sign(body, ts)
                headers[HTTPFields.Element.Name("X-Timestamp")!] = ts
                try await client.execute(uri: "/webhooks/android", method: .post, headers: headers, body: ByteBuffer(bytes: body)) {
                    #expect($0.status == .ok)
                }
            }
        }
        // evt-2 came 30 s after evt-1 with the same text: the same message. evt-3, ten minutes on: a new
        // message, added to the resident's open case.
        #expect(try await hotline.database.messages().filter { $0.direction == .inbound }.count == 2)
        #expect(try await hotline.database.cases().count == 1)
    }
}
