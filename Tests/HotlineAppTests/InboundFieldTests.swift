import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

/// The studio's number however a provider writes it; senders checked on every channel; texts cleaned.
@Suite struct InboundFieldTests {
    @Test(arguments: ["10690001", "8610690001", "+8610690001", "+86 1069 0001", "0086 10690001", "010690001", "0 1069 0001"])
    func everyFormOfTheHotlineNumberFindsTheStudio(to: String) async throws {
        let phones = Phones(try makeHotline())
        try await phones.text("+8613700000031", "路灯坏了", to: to)
        #expect(try await phones.hotline.database.cases().first?.studioId == "xujiawan")
        let out = try await phones.hotline.database.messages().filter { $0.direction == .outbound }
        #expect(!out.isEmpty && out.allSatisfy { $0.fromNumber == "10690001" })
    }

    @Test func twilioE164HotlineNumberIsFound() async throws {
        let hotline = try makeHotline(withGateways)
        let fields = ["MessageSid": "SM9", "From": "+8613700000001", "To": "+8610690001", "Body": "路灯坏了"]
        var signed = HTTPFields()
        signed[HTTPFields.Element.Name(TwilioChannel.signatureHeader)!] = Gateways.twilioSigned(fields)
        let headers = signed
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: "/webhooks/twilio", method: .post, headers: headers,
                                     body: ByteBuffer(string: FormFields.encode(fields.map { ($0.key, $0.value) }))) { #expect($0.status == .ok) }
        }
        #expect(try await hotline.database.cases().count == 1)
    }

    @Test(arguments: [
        ("from=attacker&to=10690001&text=x&id=a1", "field 'from' is not a phone number"),
        ("from=evil%2B86138-0000-0001&to=10690001&text=x&id=a2", "field 'from' is not a phone number"),
        ("from=13700000001&to=abc10690001xyz&text=x&id=a3", "field 'to' is not a phone number"),
        ("from=13700000001&to=10690001&text=x&id=a%0Ab", "field 'id' contains control characters"),
    ])
    func kannelRefusesSendersThatAreNoNumbers(query: String, error: String) async throws {
        let hotline = try makeHotline(withGateways)
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: "/webhooks/kannel?secret=s3cret&" + query, method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains(error), "\(String(buffer: response.body))")
            }
        }
        #expect(try await hotline.database.messages().isEmpty)
    }

    @Test func androidRefusesASenderThatIsNoNumber() throws {
        let android = AndroidGatewayChannel(signingKey: "k", hotlineNumber: "10690001", apiURL: "http://a", username: "u", password: "p",
                                            defaultCountryCode: "86")
        let body = Array(#"{"event":"sms:received","id":"e1","payload":{"messageId":"m","message":"hi","phoneNumber":"hello"}}"#.utf8)
        let ts = "1764000000"
        let signature = Signature.hmacSHA256Hex(secret: "k", data: body + Array(ts.utf8))
        #expect(throws: WebhookError.malformed("field 'payload.phoneNumber' is not a phone number: 'h***o'")) {
            try android.event(body: body, signature: signature, timestamp: ts, now: Date(timeIntervalSince1970: 1764000000))
        }
    }

    @Test func controlCharactersAreRemovedFromTextsAndRefusedInNumbers() async throws {
        let hotline = try makeHotline()
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: "/webhooks/json", method: .post,
                                     body: ByteBuffer(string: body(id: "n1", from: "+8613700000001", text: "停水了\u{0}三天\u{7}了\n谁管"))) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/webhooks/json", method: .post,
                                     body: ByteBuffer(string: body(id: "n2", from: "1\n2026-12-01 error hotline: FORGED", text: "x"))) { response in
                #expect(response.status == .badRequest)
                #expect(!String(buffer: response.body).contains("\n2026"))
            }
        }
        let stored = try await hotline.database.messages().first { $0.direction == .inbound }
        #expect(stored?.text == "停水了三天了\n谁管")
        let notice = try await hotline.database.messages().first { $0.toNumber == m3 }
        #expect(notice?.text.hasSuffix("回复“接 1”受理。") == true)
    }

    @Test(arguments: [("\"7\"", "7"), ("2", "2"), ("1", "1"), ("0", "0"), ("1.0", "1"), ("1e2", "100"), ("-3", "-3")])
    func jsonIDsAreStringsOrIntegersInOneForm(raw: String, stored: String) async throws {
        let hotline = try makeHotline()
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            let b = #"{"id": \#(raw), "from": "+8613700000041", "to": "10690001", "text": "路灯坏了"}"#
            try await client.execute(uri: "/webhooks/json", method: .post, body: ByteBuffer(string: b)) { #expect($0.status == .ok) }
        }
        #expect(try await hotline.database.messages().first { $0.direction == .inbound }?.providerId == stored)
    }

    @Test(arguments: ["1.5", "true", "[1]"])
    func jsonIDsThatAreNoIntegerAreRefused(raw: String) async throws {
        let hotline = try makeHotline()
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            let b = #"{"id": \#(raw), "from": "+8613700000041", "to": "10690001", "text": "路灯坏了"}"#
            try await client.execute(uri: "/webhooks/json", method: .post, body: ByteBuffer(string: b)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("field 'id' must be a string or an integer"))
            }
        }
    }

    /// Kannel's post-url: a form body over 64 KiB (a long text, 9 bytes a character encoded) is
    /// stored cut like a long GET text, not refused (Kannel would retry a refusal, then drop it).
    @Test(arguments: [60_000, 7_000])
    func anOverlongKannelPostIsStoredCut(characters: Int) async throws {
        let hotline = try makeHotline(withGateways)
        let long = String(repeating: "水", count: characters)
        let body = "from=13700000001&to=10690001&id=P\(characters)&text=" + FormFields.encode(long)
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            var headers = HTTPFields()
            headers[.contentType] = "application/x-www-form-urlencoded"
            try await client.execute(uri: "/webhooks/kannel?secret=s3cret", method: .post, headers: headers, body: ByteBuffer(string: body)) {
                #expect($0.status == .ok, "\(String(buffer: $0.body))")
            }
        }
        let stored = try #require(try await hotline.database.messages().first { $0.direction == .inbound })
        #expect(stored.text.hasPrefix(String(repeating: "水", count: 1000)) && stored.text.contains("…(超长已截断"), "\(stored.text.suffix(30))")
    }

    /// A body past any real text (over 1 MiB) is no message: 400 naming the size, nothing stored.
    @Test func aKannelPostPastAnyRealTextIsRefused() async throws {
        let hotline = try makeHotline(withGateways)
        let body = "from=13700000001&to=10690001&id=BIG&text=" + String(repeating: "a", count: 1_100_000)
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: "/webhooks/kannel?secret=s3cret", method: .post, body: ByteBuffer(string: body)) {
                #expect($0.status == .badRequest && String(buffer: $0.body).contains("larger than 1048576 bytes"), "\(String(buffer: $0.body))")
            }
        }
        #expect(try await hotline.database.messages().isEmpty)
    }

    @Test func aBodyCutInsideACharacterKeepsWhatCameWhole() throws {
        let encoded = Array("id=1&text=\(FormFields.encode("水水"))".utf8)
        // Cut inside the second character's bytes, and inside an escape.
        #expect(try FormFields.parse(cut: encoded.dropLast(4)) == ["id": "1", "text": "水"])
        #expect(try FormFields.parse(cut: encoded.dropLast(2)) == ["id": "1", "text": "水"])
        #expect(try FormFields.parse(cut: encoded) == ["id": "1", "text": "水水"])
    }

    @Test func anOverlongGatewayTextIsStoredCutAtOnce() async throws {
        let hotline = try makeHotline(withGateways)
        let long = String(repeating: "水", count: 60_000)
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: "/webhooks/kannel?secret=s3cret&from=13700000001&to=10690001&id=L1&text=" + FormFields.encode(long),
                                     method: .get) { #expect($0.status == .ok) }
            // The JSON webhook refuses instead: its sender does not retry a 4xx.
            try await client.execute(uri: "/webhooks/json", method: .post, body: ByteBuffer(string: body(id: "L2", text: String(long.prefix(2000))))) {
                #expect($0.status == .badRequest)
            }
        }
        let stored = try #require(try await hotline.database.messages().first { $0.direction == .inbound })
        #expect(stored.text.hasPrefix(String(repeating: "水", count: 1000)) && stored.text.hasSuffix("…(超长已截断,原文60000字)"))
        let out = try await hotline.database.messages().filter { $0.direction == .outbound }
        #expect(out.allSatisfy { ($0.parts ?? 99) <= 5 })
    }

    @Test func providerTimeCountsForDeadlinesWhenBelievable() async throws {
        let hotline = try makeHotline()
        let sent = thursday.addingTimeInterval(-3_600)
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            for (id, at) in [("t1", Listings.isoString(sent)), ("t2", "2030-01-01T00:00:00Z")] {
                let b = #"{"id": "\#(id)", "from": "+861370000005\#(id.last!)", "to": "10690001", "text": "小区停水了", "received_at": "\#(at)"}"#
                try await client.execute(uri: "/webhooks/json", method: .post, body: ByteBuffer(string: b)) { #expect($0.status == .ok) }
            }
        }
        let cases = try await hotline.database.cases().sorted { $0.number < $1.number }
        // Water: accept within 4 h, counted from when the resident sent it; a time in the future is not believed.
        #expect(cases[0].acceptDue == sent.addingTimeInterval(4 * 3_600))
        #expect(cases[1].acceptDue == thursday.addingTimeInterval(4 * 3_600))
        let inbound = try await hotline.database.messages().filter { $0.direction == .inbound }.sorted { $0.id! < $1.id! }
        #expect(inbound[0].createdAt == thursday && inbound[0].sentAt == sent)
    }
}
