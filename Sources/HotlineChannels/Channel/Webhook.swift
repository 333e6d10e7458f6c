import Foundation
import HotlineCore

/// One webhook a channel answers, below its path (`/webhooks/<kind>/<channel id>` + `path`): which
/// methods, how the app reads the body, how the request is verified and parsed, and what is
/// answered once what it carried is stored.
public struct WebhookRoute: Sendable {
    public enum Method: String, Sendable { case get = "GET", post = "POST" }

    /// How the app reads a POST body.
    public enum Body: Sendable {
        /// Up to ``WebhookRequest/maxBody`` bytes; a larger body is refused (413).
        case whole
        /// A larger body read to its end (at most ``WebhookRequest/maxCutBody``) but kept cut at
        /// ``WebhookRequest/maxBody`` bytes: for a gateway that retries a refusal, so that a very
        /// long text is stored cut, as a long text in a query is.
        case cutOver
    }

    /// "" for the channel's path itself, else a suffix such as `/dlr`.
    public var path: String
    public var methods: [Method]
    public var body: Body
    /// Verifies and parses a request (no I/O).
    public var parse: @Sendable (WebhookRequest) throws(WebhookError) -> WebhookEvent
    /// The answer once an inbound text is stored (the provider's expected 2xx).
    public var stored: @Sendable (StoredInbound) -> WebhookReply
    /// The answer once delivery reports (or a batch of texts) are recorded.
    public var recorded: WebhookReply

    public init(_ path: String = "", methods: [Method] = [.post], body: Body = .whole,
                parse: @escaping @Sendable (WebhookRequest) throws(WebhookError) -> WebhookEvent,
                stored: @escaping @Sendable (StoredInbound) -> WebhookReply = { _ in .empty }, recorded: WebhookReply = .empty) {
        (self.path, self.methods, self.body, self.parse, self.stored, self.recorded) = (path, methods, body, parse, stored, recorded)
    }
}

/// A webhook request as the app read it.
public struct WebhookRequest: Sendable {
    /// Largest body read whole.
    public static let maxBody = 64 * 1024
    /// The most a gateway's body may carry when a longer text is stored cut: no text a gateway
    /// passes on comes near (255 parts of 67 characters, 9 bytes each encoded: 154 KB).
    public static let maxCutBody = 1024 * 1024

    public var method: WebhookRoute.Method
    /// The path and query as requested (what a signed URL covers).
    public var pathAndQuery: String
    /// The body (empty for GET); cut at ``maxBody`` when ``bodyWasCut``.
    public var body: [UInt8]
    public var bodyWasCut: Bool
    /// A header's value by name (case-insensitive).
    public var header: @Sendable (String) -> String?
    public var now: Date

    public init(method: WebhookRoute.Method, pathAndQuery: String, body: [UInt8] = [], bodyWasCut: Bool = false,
                header: @escaping @Sendable (String) -> String? = { _ in nil }, now: Date) {
        (self.method, self.pathAndQuery, self.body, self.bodyWasCut, self.header, self.now) = (method, pathAndQuery, body, bodyWasCut, header, now)
    }

    /// The query string's fields.
    public func queryFields() throws(WebhookError) -> [String: String] {
        guard let q = pathAndQuery.firstIndex(of: "?") else { return [:] }
        return try FormFields.parse(Array(pathAndQuery.utf8[pathAndQuery.utf8.index(after: q)...]))
    }

    /// A form body's fields (none for GET); the last field of a cut body is kept cut.
    public func formFields() throws(WebhookError) -> [String: String] {
        guard method == .post else { return [:] }
        return bodyWasCut ? try FormFields.parse(cut: body) : try FormFields.parse(body)
    }

    /// The query's fields and a form body's, the body's winning.
    public func allFields() throws(WebhookError) -> [String: String] {
        try queryFields().merging(try formFields()) { _, body in body }
    }
}

/// What a webhook request carried.
public enum WebhookEvent: Sendable {
    /// A resident's text: stored (once per provider id), then answered with `answer` if the
    /// channel gave one (a welcome to a new follower), else — when the channel can answer in the
    /// response and the reply is ready in time — with `passive`, else with the route's `stored`.
    case inbound(InboundText, answer: WebhookReply? = nil, passive: PassiveReply? = nil)
    /// Several texts in one request (a provider that batches them): each stored as `inbound`
    /// would be, then answered with the route's `recorded`.
    case inbounds([InboundText])
    /// A report on one of our outbound messages (status nil: nothing to act on, answered 200).
    case delivery(DeliveryReport)
    /// Several reports in one request (a provider that batches them), answered with the route's `recorded`.
    case deliveries([DeliveryReport])
    /// Followers' answers to the prompt for a kind of notice, recorded, then answered with the route's `recorded`.
    case consents([NoticeConsent])
    /// Answered as it is; nothing stored (a server-URL handshake).
    case reply(WebhookReply)
}

/// How a channel answers a text in its webhook's own response (WeChat's passive reply): the
/// first text back to the sender, if it is ready in time, becomes the response instead of going
/// out through the channel's API.
public struct PassiveReply: Sendable {
    /// How long the provider waits for the response. The texts back wait this long in the outbox;
    /// past it they go out through the API.
    public var window: TimeInterval
    /// The response that carries `text`.
    public var build: @Sendable (_ text: String) -> WebhookReply

    public init(window: TimeInterval, build: @escaping @Sendable (_ text: String) -> WebhookReply) { (self.window, self.build) = (window, build) }
}

/// An inbound text as stored, for the answer to its webhook.
public struct StoredInbound: Sendable, Equatable {
    public var messageID: Int64
    /// The provider id was seen before: nothing new was stored.
    public var duplicate: Bool
    /// The number of the case the text opened or joined, in its studio (nil: none).
    public var caseNumber: Int?

    public init(messageID: Int64, duplicate: Bool, caseNumber: Int?) {
        (self.messageID, self.duplicate, self.caseNumber) = (messageID, duplicate, caseNumber)
    }
}

/// Why a webhook request was not taken.
public enum WebhookFailure: Sendable, Equatable {
    /// Refused as malformed, unauthorised or too large.
    case refused(WebhookError)
    /// No such thing here: the hotline number texted is no studio's, the channel id no channel's (404: the explanation).
    case notFound(String)
    /// Storage failed (503, so that the provider retries); what was not stored: "message", "report".
    case notStored(String)
}

/// An HTTP answer to a webhook.
public struct WebhookReply: Sendable, Equatable {
    public var status: Int
    public var contentType: String?
    public var body: [UInt8]

    public init(status: Int, contentType: String? = nil, body: [UInt8] = []) {
        (self.status, self.contentType, self.body) = (status, contentType, body)
    }

    /// 200 with no body.
    public static let empty = WebhookReply(status: 200)

    /// A line of text.
    public static func text(_ status: Int, _ text: String) -> WebhookReply {
        WebhookReply(status: status, contentType: "text/plain; charset=utf-8", body: Array((text + "\n").utf8))
    }

    /// A JSON object, keys sorted; nil values are left out.
    public static func json(_ status: Int, _ object: [String: any Sendable]) -> WebhookReply {
        WebhookReply(status: status, contentType: "application/json; charset=utf-8", body: Array(JSONText.object(object).utf8))
    }
}
