import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Synchronization
import Testing
@testable import HotlineApp

/// One sender for every gateway channel: it sends the request the channel builds, reads the answer
/// as the channel reads it, and names the channel's kind when no answer came.
@Suite struct GatewaySenderTests {
    static let item = OutboxItem(outboxID: 1, messageID: 9, channel: "c", from: "10690001", to: "+8613700000001", text: "已收到", attempt: 1)
    static let text = OutgoingText(messageID: 9, from: "10690001", to: "+8613700000001", text: "已收到")

    static let channels: [any SendingChannel] = [
        Gateways.kannel,
        TwilioChannel(accountSID: "AC1", authToken: "tok-en", apiBaseURL: "http://127.0.0.1:9", publicURL: "https://hotline.example.org",
                      sender: "+15005550006", defaultCountryCode: "86"),
        AndroidGatewayChannel(signingKey: "k", hotlineNumber: "+8613900000000", apiURL: "http://127.0.0.1:9", username: "u",
                              password: "p", defaultCountryCode: "86"),
    ]

    @Test(arguments: [(0, "kannel"), (1, "twilio"), (2, "android")])
    func sendsTheChannelsRequestAndReadsItsAnswer(index: Int, kind: String) async {
        let channel = Self.channels[index]
        #expect(type(of: channel).kind.rawValue == kind)
        let answers: [(Int, String)] = [(202, #"{"sid":"SM1","id":"a1"}"#), (400, #"{"code":21211,"message":"bad number"}"#), (503, "busy")]
        let transport = FakeTransport(answers + [nil])
        let sender = HTTPGatewaySender(channel, transport: transport)
        for (status, body) in answers {
            #expect(await sender.send(Self.item) == channel.sendOutcome(status: status, body: body), "\(kind) \(status)")
        }
        #expect(transport.seen == Array(repeating: channel.sendRequest(Self.text), count: 3))
        guard case let .retryable(reason) = await sender.send(Self.item) else { Issue.record("\(kind): no answer should be retried"); return }
        #expect(reason.hasPrefix("\(kind) unreachable"), "\(reason)")
    }
}

/// A provider that sends with an access token (as WeChat does), and its API: tokens `t1`, `t2`, …
/// each valid until the next is issued or it is expired by hand; a send with any other token is
/// refused with the provider's "invalid token" code.
struct TokenGateway: TokenSendingChannel {
    static let kind = ChannelKind("token-test")
    static let webhookSecret = WebhookSecretUse.unused
    init(_ setup: ChannelSetup) {}
    init() {}
    var webhooks: [WebhookRoute] { [] }

    func tokenRequest(renew: Bool) -> OutboundHTTPRequest { OutboundHTTPRequest(method: "POST", url: "http://api/token?renew=\(renew)") }
    func readToken(status: Int, body: String) -> AccessTokenAnswer {
        status == 200 ? .token(body, validFor: 7200) : .failed(status >= 500 ? .retryable("token \(status)") : .permanent("token \(status): \(body)"))
    }
    func sendRequest(_ t: OutgoingText, token: String) -> OutboundHTTPRequest {
        OutboundHTTPRequest(method: "POST", url: "http://api/send?token=\(token)", body: Array(t.text.utf8))
    }
    func sendRequest(_ t: OutgoingText) -> OutboundHTTPRequest { sendRequest(t, token: "") }
    func tokenRefused(status: Int, body: String) -> Bool { body == "40001" }
    func sendOutcome(status: Int, body: String) -> SendOutcome { body == "ok" ? .accepted(providerID: nil) : .permanent(body) }
}

final class TokenProvider: HTTPTransport {
    private let state = Mutex((issued: 0, valid: "", tokenRequests: [String](), sends: [String](), tokenAnswer: (200, "")))
    var tokenRequests: [String] { state.withLock { $0.tokenRequests } }
    var sends: [String] { state.withLock { $0.sends } }
    /// The token in force is refused from now on (it expired at the provider, or another node renewed it).
    func expire() { state.withLock { $0.valid = "" } }
    func answerTokenRequests(_ status: Int, _ body: String) { state.withLock { $0.tokenAnswer = (status, body) } }

    func send(_ request: OutboundHTTPRequest) async throws -> (status: Int, body: String) {
        if request.url.contains("/token") {
            // Slow enough for every waiting send to pile up behind one fetch.
            try await Task.sleep(for: .milliseconds(50))
            return state.withLock { s in
                s.tokenRequests.append(request.url)
                guard s.tokenAnswer.0 == 200 else { return s.tokenAnswer }
                s.issued += 1
                s.valid = "t\(s.issued)"
                return (200, s.valid)
            }
        }
        let token = String(request.url.split(separator: "=").last ?? "")
        return state.withLock { s in
            s.sends.append(token)
            return token == s.valid ? (200, "ok") : (200, "40001")
        }
    }
}

@Suite struct AccessTokenTests {
    static let item = OutboxItem(outboxID: 1, messageID: 9, channel: "c", from: "10690001", to: "wx:o1", text: "已收到", attempt: 1)

    /// Twenty sends at once wait for one token; when it is refused, one renewal serves them all.
    @Test func oneFetchServesEverySendAndOneRenewalFollowsARefusal() async {
        let provider = TokenProvider()
        let sender = HTTPGatewaySender(TokenGateway(), transport: provider)
        func sendTwenty() async -> [SendOutcome] {
            await withTaskGroup(of: SendOutcome.self) { group in
                for _ in 0..<20 { group.addTask { await sender.send(Self.item) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(await sendTwenty() == Array(repeating: .accepted(providerID: nil), count: 20))
        #expect(provider.tokenRequests == ["http://api/token?renew=false"] && provider.sends == Array(repeating: "t1", count: 20))

        provider.expire()
        #expect(await sendTwenty() == Array(repeating: .accepted(providerID: nil), count: 20))
        #expect(provider.tokenRequests == ["http://api/token?renew=false", "http://api/token?renew=true"], "one renewal for twenty refusals")
        #expect(provider.sends.filter { $0 == "t2" }.count == 20, "each text sent once with the new token")
    }

    /// No token, no send: the fetch's failure is the send's outcome (retried when the provider is
    /// busy, failed for good when the account's credentials are wrong).
    @Test(arguments: [(503, "busy", SendOutcome.retryable("token 503")), (200, "", .accepted(providerID: nil))])
    func aFailedFetchIsTheSendsOutcome(status: Int, body: String, outcome: SendOutcome) async {
        let provider = TokenProvider()
        if status != 200 { provider.answerTokenRequests(status, body) }
        let sender = HTTPGatewaySender(TokenGateway(), transport: provider)
        #expect(await sender.send(Self.item) == outcome)
        #expect(provider.sends.count == (status == 200 ? 1 : 0))
        provider.answerTokenRequests(401, "invalid appsecret")
        if status != 200 { #expect(await sender.send(Self.item) == .permanent("token 401: invalid appsecret")) }
    }
}
