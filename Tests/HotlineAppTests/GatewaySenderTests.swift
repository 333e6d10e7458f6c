import Foundation
import HotlineChannels
import HotlineStorage
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
