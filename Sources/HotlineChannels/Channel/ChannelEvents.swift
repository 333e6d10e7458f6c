import Foundation

/// Why a webhook request was refused; controllers map these to HTTP statuses.
public enum WebhookError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request is malformed: 400 with this explanation.
    case malformed(String)
    /// The signature or secret is missing or wrong: 401 with this explanation.
    case unauthorized(String)
    /// The body is larger than the service reads: 413 with this explanation.
    case tooLarge(String)

    public var description: String {
        switch self {
        case let .malformed(m), let .unauthorized(m), let .tooLarge(m): m
        }
    }

    /// The HTTP status that answers it.
    public var status: Int {
        switch self {
        case .malformed: 400
        case .unauthorized: 401
        case .tooLarge: 413
        }
    }
}

/// An inbound text as an adapter parsed it, before the studio is known.
public struct InboundText: Sendable, Equatable {
    /// The provider's id for the message (the dedup key).
    public var providerID: String
    /// The resident's number, normalised.
    public var from: String
    /// The hotline number texted, normalised.
    public var to: String
    public var text: String
    /// When the provider received it, if it says.
    public var receivedAt: Date?
    /// The provider recognised the text as one of its keywords and answered it itself.
    public var keyword: ProviderKeyword?

    public init(providerID: String, from: String, to: String, text: String, receivedAt: Date? = nil, keyword: ProviderKeyword? = nil) {
        self.providerID = providerID
        self.from = from
        self.to = to
        self.text = text
        self.receivedAt = receivedAt
        self.keyword = keyword
    }
}

/// A keyword the provider handles itself (Twilio's Advanced Opt-Out marks such texts with
/// `OptOutType`): it has already answered the resident, and for STOP it blocks further texts.
/// Such a text is stored, opens no case and gets no reply from the hotline.
public enum ProviderKeyword: String, Sendable, Equatable, CaseIterable {
    /// STOP and its synonyms: the resident opted out; the provider refuses texts to them (21610).
    case optOut = "STOP"
    /// START, UNSTOP: the resident opted back in.
    case optIn = "START"
    /// HELP, INFO: the provider sent its help text.
    case help = "HELP"
}

/// What happened to one send, typed the way courier types send errors.
public enum SendOutcome: Sendable, Equatable {
    /// The provider took it; its id if it gave one.
    case accepted(providerID: String?)
    /// Worth trying again later (connection refused, 5xx, throttled).
    case retryable(String)
    /// Will never succeed as it is (bad number, bad credentials, 4xx).
    case permanent(String)
    /// The recipient opted out at the provider (Twilio 21610): never retried, and the resident is
    /// marked opted out as if the provider had reported it in a status callback.
    case optedOut(String)
}

/// What a provider says happened to a message it was given.
public enum DeliveryStatus: String, Sendable, Equatable {
    /// Accepted or queued by the network, not yet on the handset.
    case sent
    case delivered
    case failed
}

/// A delivery receipt for one of our outbound messages.
public struct DeliveryReport: Sendable, Equatable {
    /// Our outbound message id, where the callback URL carries it; nil: found by `providerID`.
    public var messageID: Int64?
    /// The provider's id for the message, where the report gives it (it must be the one the send returned).
    public var providerID: String?
    /// nil: a report the service does not act on (logged and answered 200).
    public var status: DeliveryStatus?
    /// The provider's words, kept for the record.
    public var detail: String
    /// The recipient has opted out (e.g. replied STOP): send them nothing more.
    public var optedOut: Bool

    public init(messageID: Int64?, providerID: String? = nil, status: DeliveryStatus?, detail: String, optedOut: Bool = false) {
        self.messageID = messageID
        self.providerID = providerID
        self.status = status
        self.detail = detail
        self.optedOut = optedOut
    }
}

/// A follower's answer to their channel's prompt to receive one kind of notice (WeChat's
/// subscribe button for a 订阅通知 template), or their turning it off later in WeChat's settings.
public struct NoticeConsent: Sendable, Equatable {
    /// The follower (`wx:<OpenID>`).
    public var address: String
    /// The provider's template id of the notice.
    public var template: String
    public var accepted: Bool

    public init(address: String, template: String, accepted: Bool) { (self.address, self.template, self.accepted) = (address, template, accepted) }
}

/// An HTTP request an adapter wants sent; the app sends it (adapters do no I/O).
public struct OutboundHTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: [UInt8]?

    public init(method: String, url: String, headers: [String: String] = [:], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}
