import Foundation

/// A sending channel whose API takes an access token fetched with the account's credentials
/// first (WeChat's `access_token`). The app keeps the token until shortly before it expires, fetches
/// one at a time however many sends wait for it, and fetches a new one at once when a send's answer
/// says the token is no longer valid, then sends again.
public protocol TokenSendingChannel: SendingChannel {
    /// The request for a token; `renew`: the last one was refused, ask for a new one.
    func tokenRequest(renew: Bool) -> OutboundHTTPRequest
    /// What the answer to a token request means.
    func readToken(status: Int, body: String) -> AccessTokenAnswer
    /// The provider's request that sends `text` with `token`.
    func sendRequest(_ text: OutgoingText, token: String) -> OutboundHTTPRequest
    /// The answer to a send says the token is invalid or expired.
    func tokenRefused(status: Int, body: String) -> Bool
    /// Another way to send `text` when the provider refused the first (WeChat's template message
    /// once the 48 hours for customer-service messages have passed); nil: none.
    func fallbackRequest(_ text: OutgoingText, token: String, status: Int, body: String) -> OutboundHTTPRequest?
}

extension TokenSendingChannel {
    public func fallbackRequest(_ text: OutgoingText, token: String, status: Int, body: String) -> OutboundHTTPRequest? { nil }
}

/// A token channel whose web pages are signed with a second credential fetched with the token
/// (WeChat's JS-SDK `jsapi_ticket`, which lets the case page offer WeChat's subscribe button).
public protocol PageSigningChannel: TokenSendingChannel {
    /// The request for a ticket, made with a good token.
    func ticketRequest(token: String) -> OutboundHTTPRequest
    /// What the answer to a ticket request means.
    func readTicket(status: Int, body: String) -> AccessTokenAnswer
    /// The account's id, named in a page's configuration.
    var appID: String { get }
    /// The notices a follower may subscribe to on the case page (template ids); none: no button.
    var subscriptionTemplates: [String] { get }
    /// The signature of page `url` with `ticket`.
    static func pageSignature(ticket: String, nonce: String, timestamp: Int, url: String) -> String
}

/// The answer to a token request.
public enum AccessTokenAnswer: Sendable, Equatable {
    /// A token, good for this many seconds.
    case token(String, validFor: TimeInterval)
    /// No token: what that means for the sends that wait for it.
    case failed(SendOutcome)
}
