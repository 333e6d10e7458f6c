import Foundation

/// A kind of channel: the `kind:` of config/hotline.yaml. Each kind is declared beside its adapter
/// in HotlineChannels (`extension ChannelKind { static let kannel = … }`), so that adding a kind
/// touches only its folder and the registration list there.
public struct ChannelKind: Hashable, Sendable, CustomStringConvertible {
    /// Whom a kind of channel can send to.
    public enum Reach: Sendable {
        /// Nobody: it only takes messages in (the JSON webhook).
        case nobody
        /// Any phone number (the SMS gateways).
        case phones
        /// Only those who wrote to it through it, by the address it gave them (a WeChat follower's
        /// OpenID): it can answer residents, never text a member's phone.
        case ownContacts
    }

    /// The name in config files, webhook paths (`/webhooks/<kind>`) and logs.
    public let rawValue: String
    public let reach: Reach

    public init(_ name: String, reach: Reach = .phones) { (rawValue, self.reach) = (name, reach) }

    /// Whether a channel of this kind can carry outbound messages.
    public var sends: Bool { reach != .nobody }
    public var description: String { rawValue }
    public static func == (a: ChannelKind, b: ChannelKind) -> Bool { a.rawValue == b.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
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
    /// Kind-specific settings, as the kind declares them (e.g. Kannel's `sendsms_url`, `username`,
    /// `password_env`, `public_url`); a `*_env` option names the environment variable of a secret.
    public var options: [String: String]
    /// Source addresses allowed to call this channel's webhooks (empty: any).
    public var allow: [String]
    /// Most SMS parts one outbound text may take; longer texts are cut to fit.
    public var maxParts: Int
    /// For a channel that sends only templates approved at its provider: the provider's template
    /// for each reply template name (and `fallback` for the rest).
    public var templates: [String: ProviderTemplate]

    public init(id: String, kind: ChannelKind, secretEnv: String? = nil, requireSecret: Bool = false, rateLimit: Double? = nil,
                options: [String: String] = [:], allow: [String] = [], maxParts: Int = 5, templates: [String: ProviderTemplate] = [:]) {
        self.templates = templates
        self.id = id
        self.kind = kind
        self.secretEnv = secretEnv
        self.requireSecret = requireSecret
        self.rateLimit = rateLimit
        self.options = options
        self.allow = allow
        self.maxParts = maxParts
    }

    /// Whether this channel can carry outbound messages.
    public var canSend: Bool { kind.sends }
}

/// A template approved at a provider (Tencent Cloud SMS, Aliyun SMS) for one kind of text: its id
/// there, and the names of the values that fill its parameters, in order.
public struct ProviderTemplate: Sendable, Equatable {
    public var id: String
    public var params: [String]

    public init(id: String, params: [String]) { (self.id, self.params) = (id, params) }
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

/// The backups `hotline serve` makes on its own (`backup:` in hotline.yaml).
public struct BackupSettings: Sendable, Equatable {
    /// The folder the backups go to (relative to the working directory, like the database's path).
    public var directory: String
    /// Hours between backups.
    public var everyHours: Double
    /// Backups kept: the oldest beyond this many are removed once a new one has passed its check.
    public var keep: Int

    public init(directory: String, everyHours: Double = 24, keep: Int = 7) {
        (self.directory, self.everyHours, self.keep) = (directory, everyHours, keep)
    }
}

/// How long residents' personal data is kept (`retention:` in hotline.yaml; China's PIPL: no
/// longer than its purpose needs). Past it a purge removes texts and phone numbers and keeps what
/// the reports count.
public struct RetentionPolicy: Sendable, Equatable {
    /// Texts and numbers of cases closed (or answered) longer ago than this many days (nil: kept).
    public var closedCaseDays: Int?
    /// Texts and numbers of messages that belong to no case (notices, commands, registrations).
    public var unlinkedMessageDays: Int?

    public init(closedCaseDays: Int? = 730, unlinkedMessageDays: Int? = 180) {
        (self.closedCaseDays, self.unlinkedMessageDays) = (closedCaseDays, unlinkedMessageDays)
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
    /// Backups on a schedule (nil: none; `hotline backup` still makes one by hand).
    public var backup: BackupSettings?
    /// What is kept how long (the defaults when `retention:` is left out).
    public var retention: RetentionPolicy

    public init(deployment: Deployment, channels: [ChannelSettings], retry: RetryPolicy = .init(),
                sla: SLASettings = .init(), maxInboundLength: Int = 1000, senders: SenderLimits = .init(),
                backup: BackupSettings? = nil, retention: RetentionPolicy = .init()) {
        self.backup = backup
        self.retention = retention
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
