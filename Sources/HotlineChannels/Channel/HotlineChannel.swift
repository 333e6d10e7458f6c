import Foundation
import HotlineCore

/// A kind of channel, all it declares in one place: its kind name, its config keys and secrets,
/// its webhook routes and how each request is verified and parsed, and its limits. A kind that
/// sends also conforms to ``SendingChannel``. Adapters do no I/O: the app reads requests, stores
/// what they carry and sends the HTTP requests they make.
///
/// A new kind is a folder here with one type conforming to this protocol, one line in
/// ``ChannelRegistry/kinds``, and its section in the README's configuration reference.
public protocol HotlineChannel: Sendable {
    /// The `kind:` of config/hotline.yaml; webhooks answer at `/webhooks/<kind>/<channel id>`.
    static var kind: ChannelKind { get }
    /// The config keys of this kind, beyond those every channel has (`id`, `kind`, `secret_env`,
    /// `require_secret`, `rate_limit`, `allow`, `max_parts`). `hotline check` refuses others.
    static var options: [ChannelOption] { get }
    /// What `secret_env` (the webhook's shared secret or signing key) is to this kind.
    static var webhookSecret: WebhookSecretUse { get }
    /// Within this many seconds, the same text from the same number is one message even under a
    /// new provider id (a gateway that gives a retried webhook a new id); nil: ids alone decide.
    static var sameTextWindow: TimeInterval? { get }
    /// Whether its channels map texts to templates approved at the provider (`templates:`,
    /// ``ProviderTemplates``, checked by `hotline check`): needed by a kind that sends nothing else
    /// (template SMS), possible for one that falls back to them (WeChat after 48 hours).
    static var templates: TemplateUse { get }

    /// The adapter for one configured channel.
    init(_ setup: ChannelSetup)
    /// The webhook routes, below the channel's path.
    var webhooks: [WebhookRoute] { get }
    /// The answer to a webhook request that failed: a refusal, a number no studio answers, or
    /// storage that could not take it. The default answers as the SMS gateways expect (401/400 as
    /// JSON naming the problem, 404/503 as a line of text).
    func reply(to failure: WebhookFailure) -> WebhookReply
}

/// A kind of channel that sends: how an outbound text becomes the provider's HTTP request, and
/// what the provider's answer means (sent, retry later, failed for good).
public protocol SendingChannel: HotlineChannel {
    /// The provider's request that sends `text`.
    func sendRequest(_ text: OutgoingText) -> OutboundHTTPRequest
    /// What the provider's answer to a send request means.
    func sendOutcome(status: Int, body: String) -> SendOutcome
}

extension HotlineChannel {
    public static var sameTextWindow: TimeInterval? { nil }
    public static var templates: TemplateUse { .none }
    public static var options: [ChannelOption] { [] }

    public func reply(to failure: WebhookFailure) -> WebhookReply {
        switch failure {
        case let .refused(error): .json(error.status, ["error": error.description])
        case let .notFound(why): .text(404, why)
        case let .notStored(what): .text(503, "\(what) not stored, try again")
        }
    }
}

/// An outbound text as a channel is asked to send it: our message id (for delivery reports),
/// the number it goes from and to, and the text as it will be sent.
public struct OutgoingText: Sendable, Equatable {
    public var messageID: Int64, from: String, to: String, text: String
    /// The reply template the text was made from, and its values: what a channel that sends
    /// only templates approved in advance makes its parameters from (nil: no template made it).
    public var template: String?, values: [String: String]

    public init(messageID: Int64, from: String, to: String, text: String, template: String? = nil, values: [String: String] = [:]) {
        (self.messageID, self.from, self.to, self.text, self.template, self.values) = (messageID, from, to, text, template, values)
    }
}

/// One config key a kind of channel takes.
public struct ChannelOption: Sendable, Equatable {
    /// What the value must be.
    public enum Form: Sendable, Equatable {
        /// Any single value.
        case text
        /// An http(s) URL.
        case url
        /// The name of an environment variable holding a secret (the key ends in `_env`).
        case environment
        /// One of these words.
        case choice([String])
    }

    public var name: String, required: Bool, form: Form

    public init(_ name: String, required: Bool = true, _ form: Form = .text) { (self.name, self.required, self.form) = (name, required, form) }
}

/// What `templates:` is to a kind of channel.
public enum TemplateUse: Sendable, Equatable {
    /// It takes none.
    case none
    /// It sends nothing else: the acknowledgements and `fallback` must be mapped.
    case required
    /// It may fall back to them; any may be mapped.
    case optional
}

/// What a channel's `secret_env` is for.
public enum WebhookSecretUse: Sendable, Equatable {
    /// Not used: requests are verified by other means (Twilio signs with the auth token).
    case unused
    /// Verifies requests when set; without it the webhook takes unsigned requests, so it may only
    /// listen on loopback.
    case optional
    /// Needed: the channel refuses every request without it. The words say what it is.
    case required(String)
}

/// What the app hands an adapter for one configured channel: its settings, its secrets from the
/// environment, and the deployment's defaults.
public struct ChannelSetup: Sendable {
    public var settings: ChannelSettings
    /// Secrets by option name without `_env` (`password` for `password_env`); the webhook secret
    /// (`secret_env`) under `secret`.
    public var secrets: [String: String]
    public var defaultCountryCode: String
    /// Longest inbound text stored whole.
    public var maxTextLength: Int

    /// The residents' case page, where the deployment has one (a provider's message may link to it).
    public var casePage: CasePage?

    public init(settings: ChannelSettings, secrets: [String: String], defaultCountryCode: String, maxTextLength: Int, casePage: CasePage? = nil) {
        (self.settings, self.secrets, self.defaultCountryCode, self.maxTextLength) = (settings, secrets, defaultCountryCode, maxTextLength)
        self.casePage = casePage
    }

    /// An option's value ("" when not set: the config check refuses a missing required one).
    public func option(_ name: String) -> String { settings.options[name] ?? "" }
    /// The secret named by option `<name>_env` ("" when not set).
    public func secret(_ name: String) -> String { secrets[name] ?? "" }
    /// The webhook secret (`secret_env`), nil when not set.
    public var webhookSecret: String? { secrets["secret"].flatMap { $0.isEmpty ? nil : $0 } }
    /// The channel's own webhook path, `/webhooks/<kind>/<id>`: what callback URLs name.
    public var webhookPath: String { "/webhooks/\(settings.kind.rawValue)/\(settings.id)" }
}
