import Foundation
import HotlineChannels
import HotlineCore
@testable import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import HotlineApp

/// A fake at the outbound HTTP seam: answers from a script, remembers what was asked.
final class FakeTransport: HTTPTransport {
    struct Refused: Error {}
    private let state: Mutex<(answers: [(Int, String)?], seen: [OutboundHTTPRequest])>
    init(_ answers: [(Int, String)?]) { state = Mutex((answers, [])) }
    var seen: [OutboundHTTPRequest] { state.withLock { $0.seen } }

    func send(_ request: OutboundHTTPRequest) async throws -> (status: Int, body: String) {
        let answer = state.withLock { s -> (Int, String)? in
            s.seen.append(request)
            return s.answers.isEmpty ? (202, "0: Accepted for delivery") : s.answers.removeFirst()
        }
        guard let answer else { throw Refused() }
        return answer
    }
}

@Suite struct KannelSenderTests {
    static let item = OutboxItem(outboxID: 1, messageID: 9, channel: "kannel", from: "10690001", to: "+8613700000001", text: "已收到", attempt: 1)

    @Test func connectionErrorIsRetryableAndNamesNoSecret() async {
        let sender = HTTPGatewaySender(Gateways.kannel, transport: FakeTransport([nil]))
        let outcome = await sender.send(Self.item)
        guard case let .retryable(reason) = outcome else {
            Issue.record("expected retryable, got \(outcome)")
            return
        }
        #expect(!reason.contains("pa ss") && !reason.contains("s3cret") && !reason.contains("sendsms?"))
    }

    @Test func answersMapToOutcomes() async {
        let transport = FakeTransport([(202, "3: Queued for later delivery"), (403, "Authorization failed")])
        let sender = HTTPGatewaySender(Gateways.kannel, transport: transport)
        #expect(await sender.send(Self.item) == .accepted(providerID: nil))
        #expect(await sender.send(Self.item) == .permanent("kannel 403: Authorization failed"))
        #expect(transport.seen.count == 2)
    }
}

/// The Kannel webhooks through Hummingbird's test client.
@Suite struct KannelWebhookTests {
    func hotline(allow: [String] = []) throws -> HotlineParts {
        var (settings, table) = try HotlineSetup.load(HotlinePaths(
            config: repoRoot.appendingPathComponent("config").path, intents: repoRoot.appendingPathComponent("Intents").path))
        settings.channels.append(ChannelSettings(id: "kannel", kind: .kannel, secretEnv: "X", options: [
            "sendsms_url": "http://127.0.0.1:1/cgi-bin/sendsms", "username": "u", "password_env": "P", "public_url": "http://127.0.0.1:2",
        ], allow: allow))
        return try HotlineParts(settings: settings, rules: table, database: .inMemory(), clock: .fixed(thursday),
                           secrets: ["kannel": "s3cret", "kannel.password": "pw"])
    }

    static let mo = "/webhooks/kannel?secret=s3cret&from=8613700000001&to=10690001&text=%E5%81%9C%E6%B0%B4&id=k-1"

    @Test func moIsStoredOnceAndAnsweredWithAnEmpty200() async throws {
        let hotline = try hotline()
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            for _ in 0..<2 {  // Kannel retries with the same %I
                try await client.execute(uri: Self.mo, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.body.readableBytes == 0)
                }
            }
            // post-url: the same fields as a form body.
            try await client.execute(uri: "/webhooks/kannel", method: .post,
                                     body: ByteBuffer(string: "secret=s3cret&from=8613700000002&to=10690001&text=hi+there&id=k-2")) {
                #expect($0.status == .ok)
            }
        }
        let inbound = try await hotline.database.messages().filter { $0.direction == .inbound }
        #expect(inbound.map(\.text).sorted() == ["hi there", "停水"])
        #expect(inbound.allSatisfy { $0.channel == "kannel" })
    }

    @Test(arguments: [
        ("/webhooks/kannel?secret=nope&from=8613700000001&to=10690001&text=x&id=1", HTTPResponse.Status.unauthorized),
        ("/webhooks/kannel?secret=s3cret&to=10690001&text=x&id=1", .badRequest),
        ("/webhooks/kannel?secret=s3cret&from=8613700000001&to=10699999&text=x&id=1", .notFound),
        ("/webhooks/kannel/dlr?secret=s3cret&message=999&type=1", .ok),       // unknown message: logged, 200
        ("/webhooks/kannel/dlr?secret=s3cret&message=1&type=64", .ok),        // unknown type: ignored, 200
        ("/webhooks/kannel/dlr?secret=bad&message=1&type=1", .unauthorized),
    ])
    func refusalsAndIgnoredReports(uri: String, status: HTTPResponse.Status) async throws {
        let hotline = try hotline()
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: uri, method: .get) { #expect($0.status == status) }
        }
        #expect(try await hotline.database.cases().isEmpty)
    }

    /// A second Kannel channel (a second box, another studio) answers at its own path, and its
    /// delivery reports come back to that path.
    @Test func eachChannelHasItsOwnPath() async throws {
        var (settings, table) = try HotlineSetup.load(HotlinePaths(
            config: repoRoot.appendingPathComponent("config").path, intents: repoRoot.appendingPathComponent("Intents").path))
        let options = ["sendsms_url": "http://127.0.0.1:1/cgi-bin/sendsms", "username": "u", "password_env": "P", "public_url": "http://h:2"]
        settings.channels += [ChannelSettings(id: "box1", kind: .kannel, options: options), ChannelSettings(id: "box2", kind: .kannel, options: options)]
        let hotline = try HotlineParts(settings: settings, rules: table, database: .inMemory(), clock: .fixed(thursday),
                                  secrets: ["box1.password": "pw", "box2.password": "pw"])
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            for (path, id) in [("/webhooks/kannel", "a"), ("/webhooks/kannel/box1", "b"), ("/webhooks/kannel/box2", "c")] {
                try await client.execute(uri: "\(path)?from=8613700000001&to=10690002&text=x&id=\(id)", method: .get) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/webhooks/kannel/box3?from=1&to=2&text=x&id=d", method: .get) { #expect($0.status == .notFound) }
        }
        let channels = try await hotline.database.messages().filter { $0.direction == .inbound }.map(\.channel).sorted()
        #expect(channels == ["box1", "box1", "box2"])
        let dlr = hotline.channels.adapter(for: settings.channel("box2")!, as: KannelChannel.self)!.sendRequest(messageID: 5, from: "1", to: "2", text: "x").url
        #expect(dlr.contains(FormFields.encode("http://h:2/webhooks/kannel/box2/dlr?message=5")))
    }

    @Test func sourceOutsideTheAllowListIsForbidden() async throws {
        let hotline = try hotline(allow: ["10.9.9.9"])
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: Self.mo, method: .get) { #expect($0.status == .forbidden) }
        }
        #expect(try await hotline.database.messages().isEmpty)
    }

    @Test func deliveryReportsMoveStatusForwardOnly() async throws {
        let hotline = try hotline()
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: Self.mo, method: .get) { #expect($0.status == .ok) }
            // The acknowledgement is message 2: delivered, then a late "accepted by SMSC" must not move it back.
            for type in ["8", "1", "8"] {
                try await client.execute(uri: "/webhooks/kannel/dlr?secret=s3cret&message=2&type=\(type)", method: .get) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/webhooks/kannel/dlr?secret=s3cret&message=3&type=16", method: .get) { #expect($0.status == .ok) }
        }
        let out = try await hotline.database.messages().filter { $0.direction == .outbound }.sorted { $0.id! < $1.id! }
        #expect(out.map(\.status) == [.delivered, .failed])
    }
}
