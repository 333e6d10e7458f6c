import Foundation

/// An outbound text as a channel is asked to send it: our message id (for delivery reports),
/// the number it goes from and to, and the text as it will be sent.
public struct OutgoingText: Sendable, Equatable {
    public var messageID: Int64, from: String, to: String, text: String

    public init(messageID: Int64, from: String, to: String, text: String) {
        (self.messageID, self.from, self.to, self.text) = (messageID, from, to, text)
    }
}

/// What a kind of gateway channel declares about sending, so that the app sends through any of
/// them the same way: how an outbound text becomes the provider's HTTP request, and what the
/// provider's answer means (sent, retry later, failed for good). The adapters do no I/O; the app's
/// transport carries the request.
///
/// Issue 23 grows this into the whole channel — config keys, webhook routes, limits — so that a
/// new kind is one folder and one registration line.
public protocol HotlineChannel: Sendable {
    /// The `kind:` of config/hotline.yaml, and the name used in logs and errors.
    static var kind: String { get }
    /// The provider's request that sends `text`.
    func sendRequest(_ text: OutgoingText) -> OutboundHTTPRequest
    /// What the provider's answer to a send request means.
    func sendOutcome(status: Int, body: String) -> SendOutcome
}

extension KannelChannel: HotlineChannel {
    public static let kind = "kannel"

    public func sendRequest(_ t: OutgoingText) -> OutboundHTTPRequest {
        sendRequest(messageID: t.messageID, from: t.from, to: t.to, text: t.text)
    }

    public func sendOutcome(status: Int, body: String) -> SendOutcome { Self.outcome(status: status, body: body) }
}

extension TwilioChannel: HotlineChannel {
    public static let kind = "twilio"

    public func sendRequest(_ t: OutgoingText) -> OutboundHTTPRequest {
        // The sender is the account's number or messaging service, not the hotline number texted.
        sendRequest(messageID: t.messageID, to: t.to, text: t.text)
    }

    public func sendOutcome(status: Int, body: String) -> SendOutcome { Self.outcome(status: status, body: body) }
}

extension AndroidGatewayChannel: HotlineChannel {
    public static let kind = "android"

    public func sendRequest(_ t: OutgoingText) -> OutboundHTTPRequest {
        // The phone sends from its own SIM; delivery reports come back by the phone's message id.
        sendRequest(to: t.to, text: t.text)
    }

    public func sendOutcome(status: Int, body: String) -> SendOutcome { Self.outcome(status: status, body: body) }
}
