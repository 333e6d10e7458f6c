import Foundation

/// The kinds of channel the service knows.
public enum ChannelKind: String, Sendable, Codable, CaseIterable {
    /// Signed JSON webhook in (`POST /webhooks/json`); cannot send.
    case json
    /// Sends nothing: marks outbound messages sent and logs them (demo, development).
    case dryrun
    /// Kannel: MO at `/webhooks/kannel`, delivery reports at `/webhooks/kannel/dlr`, sends through sendsms.
    case kannel
    /// Twilio-compatible: SMS at `/webhooks/twilio`, status at `/webhooks/twilio/status`, sends through the Messages API.
    case twilio
    /// An Android phone running capcom6's SMS Gateway: webhooks at `/webhooks/android`, sends through its API.
    case android
}

/// One configured channel: how messages come in and go out.
public struct ChannelSettings: Sendable, Equatable {
    public var id: String
    public var kind: ChannelKind
    /// Name of the environment variable holding the webhook secret (never the secret itself).
    public var secretEnv: String?
    /// Require the secret: start-up fails when the variable is unset.
    public var requireSecret: Bool
    /// Messages per second this channel may send (nil: unlimited).
    public var rateLimit: Double?
    /// Kind-specific settings (e.g. Kannel's `sendsms_url`, `username`, `password_env`, `public_url`).
    public var options: [String: String]
    /// Source addresses allowed to call this channel's webhooks (empty: any).
    public var allow: [String]
    /// Most SMS parts one outbound text may take; longer texts are cut to fit.
    public var maxParts: Int

    public init(id: String, kind: ChannelKind, secretEnv: String? = nil, requireSecret: Bool = false, rateLimit: Double? = nil,
                options: [String: String] = [:], allow: [String] = [], maxParts: Int = 5) {
        self.id = id
        self.kind = kind
        self.secretEnv = secretEnv
        self.requireSecret = requireSecret
        self.rateLimit = rateLimit
        self.options = options
        self.allow = allow
        self.maxParts = maxParts
    }

    /// Options each kind needs, and the environment variables among them (`*_env`).
    public static func requiredOptions(_ kind: ChannelKind) -> [String] {
        switch kind {
        case .json, .dryrun: []
        case .kannel: ["sendsms_url", "username", "password_env", "public_url"]
        case .twilio: ["account_sid", "auth_token_env", "public_url", "from"]
        case .android: ["api_url", "username", "password_env", "number"]
        }
    }

    /// Every option a channel may have.
    public static let knownOptions = ["sendsms_url", "username", "password_env", "public_url", "account_sid", "auth_token_env",
                                      "api_base_url", "from", "api_url", "number"]

    /// Whether this channel can carry outbound messages.
    public var canSend: Bool { kind != .json }
}

/// Follow-through settings for the deadline service: deadlines (shorter for urgent topics),
/// reminders, the satisfaction callback and quiet hours. A studio may override them.
public struct SLASettings: Sendable, Equatable {
    /// Deadlines for cases whose topic has none of its own.
    public var deadlines: CaseDeadlines
    /// Deadlines by topic set in the configuration; they win over the topic catalog's own
    /// (``TopicInfo/deadlines``: water and gas in the shipped catalog).
    public var topics: [Topic: CaseDeadlines]
    /// How long before a deadline the member is reminded (at most a quarter of the step's time).
    public var remindBeforeHours: Double
    /// How long the resident has to answer the satisfaction question before one reminder, and again after it.
    public var surveyHours: Double
    /// No reminders or follow-up texts in these hours of the studio's day (nil: none).
    public var quietHours: QuietHours?
    /// Members with this many open cases get no new ones (nil: no limit).
    public var maxOpenCases: Int?
    /// A meeting notice's reminder goes this long before the meeting (nil: no reminder unless the notice sets one).
    public var meetingReminderHours: Double?

    public init(deadlines: CaseDeadlines = .init(),
                topics: [Topic: CaseDeadlines] = [:],
                remindBeforeHours: Double = 4, surveyHours: Double = 48,
                quietHours: QuietHours? = QuietHours(startMinute: 21 * 60 + 30, endMinute: 8 * 60), maxOpenCases: Int? = nil,
                meetingReminderHours: Double? = 2) {
        self.meetingReminderHours = meetingReminderHours
        self.deadlines = deadlines
        self.topics = topics
        self.remindBeforeHours = remindBeforeHours
        self.surveyHours = surveyHours
        self.quietHours = quietHours
        self.maxOpenCases = maxOpenCases
    }

    /// The deadlines for a case of this topic: the configuration's for the topic, else the catalog's
    /// for an urgent topic, else the general ones.
    public func deadlines(for topic: Topic, catalog: TopicCatalog) -> CaseDeadlines {
        topics[topic] ?? catalog.deadlines(topic) ?? deadlines
    }
}

/// The whole service configuration, as loaded from `config/`.
public struct HotlineSettings: Sendable {
    public var deployment: Deployment
    public var channels: [ChannelSettings]
    public var retry: RetryPolicy
    public var sla: SLASettings
    /// Longest inbound text accepted, in characters.
    public var maxInboundLength: Int
    /// What one number can make the hotline send (floods, auto-responders).
    public var senders: SenderLimits

    public init(deployment: Deployment, channels: [ChannelSettings], retry: RetryPolicy = .init(),
                sla: SLASettings = .init(), maxInboundLength: Int = 1000, senders: SenderLimits = .init()) {
        self.senders = senders
        self.deployment = deployment
        self.channels = channels
        self.retry = retry
        self.sla = sla
        self.maxInboundLength = maxInboundLength
    }

    /// The channel with this id.
    public func channel(_ id: String) -> ChannelSettings? { channels.first { $0.id == id } }
}
