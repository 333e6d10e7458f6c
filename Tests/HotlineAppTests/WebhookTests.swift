import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

@Suite struct JSONWebhookTests {
    /// The README's worked example: a housing complaint from a known resident goes to M3, with both texts queued.
    @Test func residentTextBecomesARoutedCase() async throws {
        let hotline = try makeHotline()
        let app = buildApplication(parts: hotline, senders: nil)
        try await app.test(.router) { client in
            try await client.execute(uri: "/webhooks/json", method: .post,
                                     body: ByteBuffer(string: body(id: "m1", from: "+8613700000001", text: "5号楼外墙皮脱落,物业不管"))) { response in
                #expect(response.status == .ok)
                let answer = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(answer?["case"] as? Int == 1)
                #expect(answer?["message_id"] as? Int == 1)
            }
        }
        let c = try #require(try await hotline.database.cases().first)
        #expect(c.intent == .complaint && c.topic == .housing && c.assigneeId == "M3" && c.area == "龙湖社区" && c.state == .assigned)
        #expect(c.routingReason == .linkedSectorFit)
        let sender = ScriptedSender()
        try await OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, sender)).drainOnce()
        #expect(Set(sender.sent.map(\.to)) == ["+8613700000001", "+8613800000003"])
        let outbound = try await hotline.database.messages().filter { $0.direction == .outbound }
        #expect(outbound.allSatisfy { $0.status == .sent && $0.fromNumber == "10690001" })
    }

    @Test func sameIDTwiceMakesOneCaseAndTheSameAnswer() async throws {
        let hotline = try makeHotline()
        let app = buildApplication(parts: hotline, senders: nil)
        try await app.test(.router) { client in
            var answers: [String] = []
            for _ in 0..<2 {
                try await client.execute(uri: "/webhooks/json", method: .post, body: ByteBuffer(string: body(id: "same", text: "停水了"))) { r in
                    #expect(r.status == .ok)
                    answers.append(String(buffer: r.body))
                }
            }
            #expect(answers[0].replacingOccurrences(of: "false", with: "X") == answers[1].replacingOccurrences(of: "true", with: "X"))
        }
        #expect(try await hotline.database.cases().count == 1)
        #expect(try await hotline.database.messages().count == 3)
    }

    /// Every channel also answers at /webhooks/<kind>/<its id>; a program gets JSON even when it
    /// names no channel, or sends more than the service reads.
    @Test func eachJSONChannelAnswersAtItsOwnPathAndStrangersGetJSON() async throws {
        let hotline = try makeHotline()
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: "/webhooks/json/json", method: .post, body: ByteBuffer(string: body(id: "own", text: "停水了"))) { r in
                #expect(r.status == .ok && String(buffer: r.body).contains(#""case":1"#))
            }
            let refusals: [(String, String, HTTPResponse.Status, String)] = [
                ("/webhooks/json/nope", body(id: "x", text: "停水了"), .notFound, "no json channel 'nope'"),
                ("/webhooks/json", String(repeating: "x", count: 70_000), .contentTooLarge, "body is larger than 65536 bytes"),
                ("/webhooks/json", body(id: "y", to: "10699999", text: "停水了"), .notFound, "no studio has the hotline number"),
            ]
            for (path, payload, status, error) in refusals {
                try await client.execute(uri: path, method: .post, body: ByteBuffer(string: payload)) { r in
                    #expect(r.status == status && r.headers[.contentType]?.hasPrefix("application/json") == true, "\(path)")
                    let answer = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: String]
                    #expect(answer?["error"]?.contains(error) == true, "\(path): \(String(buffer: r.body))")
                }
            }
        }
        #expect(try await hotline.database.messages().filter { $0.direction == .inbound }.map(\.providerId) == ["own"])
    }

    struct BadRow: Sendable, CustomStringConvertible {
        var name: String
        var body: [UInt8]
        var status: HTTPResponse.Status
        var error: String
        var description: String { name }
        init(_ name: String, _ body: String, _ status: HTTPResponse.Status, _ error: String) {
            self.init(name, Array(body.utf8), status, error)
        }
        init(_ name: String, _ body: [UInt8], _ status: HTTPResponse.Status, _ error: String) {
            self.name = name
            self.body = body
            self.status = status
            self.error = error
        }
    }

    static let badRows: [BadRow] = [
        BadRow("malformed JSON", "{\"id\": \"x\", ", .badRequest, "not valid JSON"),
        BadRow("not an object", "[1,2]", .badRequest, "must be a JSON object"),
        BadRow("empty body", "", .badRequest, "body is empty"),
        BadRow("missing id", #"{"from":"+8613700000009","to":"10690001","text":"hi"}"#, .badRequest, "field 'id' is missing"),
        BadRow("missing from", #"{"id":"1","to":"10690001","text":"hi"}"#, .badRequest, "field 'from' is missing"),
        BadRow("missing to", #"{"id":"1","from":"+8613700000009","text":"hi"}"#, .badRequest, "field 'to' is missing"),
        BadRow("missing text", #"{"id":"1","from":"+8613700000009","to":"10690001"}"#, .badRequest, "field 'text' is missing"),
        BadRow("empty text", #"{"id":"1","from":"+8613700000009","to":"10690001","text":"  "}"#, .badRequest, "field 'text' is empty"),
        BadRow("over-long text", body(id: "1", text: String(repeating: "水", count: 1001)), .badRequest, "longer than 1000 characters"),
        BadRow("text not a string", #"{"id":"1","from":"+8613700000009","to":"10690001","text":5}"#, .badRequest, "field 'text' must be a string"),
        BadRow("from not a phone", body(id: "1", from: "alice", text: "hi"), .badRequest, "field 'from' is not a phone number"),
        BadRow("bad received_at", #"{"id":"1","from":"+8613700000009","to":"10690001","text":"hi","received_at":"yesterday"}"#, .badRequest, "received_at"),
        BadRow("invalid UTF-8", Array(#"{"id":"1","from":"+8613700000009","to":"10690001","text":""#.utf8) + [0xC3, 0x28] + Array("\"}".utf8),
               .badRequest, "not valid UTF-8"),
        BadRow("unknown hotline number", body(id: "1", to: "10699999", text: "停水了"), .notFound, "no studio has the hotline number 10699999"),
    ]

    @Test(arguments: badRows)
    func badInputGetsA4xxNamingTheProblem(row: BadRow) async throws {
        let hotline = try makeHotline()
        let app = buildApplication(parts: hotline, senders: nil)
        try await app.test(.router) { client in
            try await client.execute(uri: "/webhooks/json", method: .post, body: ByteBuffer(bytes: row.body)) { response in
                #expect(response.status == row.status)
                let answer = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let error = answer?["error"] as? String ?? ""
                #expect(error.contains(row.error), "\(error)")
            }
        }
        #expect(try await hotline.database.messages().isEmpty)
    }

    @Test(arguments: [
        ("good signature", "good", HTTPResponse.Status.ok),
        ("missing header", "none", .unauthorized),
        ("wrong secret", "wrong", .unauthorized),
        ("tampered body", "tampered", .unauthorized),
    ])
    func signatureIsRequiredWhenASecretIsSet(name: String, variant: String, status: HTTPResponse.Status) async throws {
        let hotline = try makeHotline(secret: "s3cret")
        let app = buildApplication(parts: hotline, senders: nil)
        let payload = body(id: "sig", text: "停水了")
        var headers = HTTPFields()
        let name = HTTPFields.Element.Name("X-Hotline-Signature")!
        switch variant {
        case "good": headers[name] = "sha256=" + Signature.hmacSHA256Hex(secret: "s3cret", data: Array(payload.utf8))
        case "wrong": headers[name] = "sha256=" + Signature.hmacSHA256Hex(secret: "other", data: Array(payload.utf8))
        case "tampered": headers[name] = "sha256=" + Signature.hmacSHA256Hex(secret: "s3cret", data: Array((payload + " ").utf8))
        default: break
        }
        let sent = headers
        try await app.test(.router) { client in
            try await client.execute(uri: "/webhooks/json", method: .post, headers: sent, body: ByteBuffer(string: payload)) { response in
                #expect(response.status == status)
                if status == .unauthorized { #expect(String(buffer: response.body).contains("X-Hotline-Signature")) }
            }
        }
        #expect(try await hotline.database.cases().count == (status == .ok ? 1 : 0))
    }

    /// The HMAC matches an independent computation (Python's `hmac.new(key, data, sha256)`; the
    /// first is RFC 4231's case 1), each twice: the second time the key comes from the keyed cache,
    /// and a key between them must not leak into the other's code.
    @Test(arguments: [
        ("key", "The quick brown fox jumps over the lazy dog", "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"),
        (String(repeating: "\u{0b}", count: 20), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (String(repeating: "k", count: 100), "a key longer than the block is hashed first", "cc6c7dea4a0030eda33cf26e39af90ad8208faffa83cbd3b2f06412e4191cf56"),
        ("key", "", "5d5d139563c95b5967b9bd9a8c9b233a9dedb45072794cd232dc1b74832607d0"),
    ])
    func hmacMatchesKnownVectors(secret: String, data: String, expected: String) {
        #expect(Signature.hmacSHA256Hex(secret: secret, data: Array(data.utf8)) == expected)
        _ = Signature.hmacSHA256Hex(secret: secret + "x", data: Array(data.utf8))
        #expect(Signature.hmacSHA256Hex(secret: secret, data: Array(data.utf8)) == expected)
    }

    @Test func healthCheckAnswersWhenTheDatabaseDoes() async throws {
        let app = buildApplication(parts: try makeHotline(), senders: nil)
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
    }
}
