import Foundation
import HotlineChannels
import HotlineConfig
import HotlineCore
import HotlineStorage
import Logging
import Synchronization

/// Why intake refused a message that was well-formed.
public enum IntakeError: Error, Sendable, CustomStringConvertible {
    /// No studio has this hotline number.
    case unknownNumber(String)

    public var description: String {
        switch self {
        case let .unknownNumber(n): "no studio has the hotline number \(n)"
        }
    }
}

/// The running service's shared state and its intake path: settings, database, compiled rule
/// tables, and the signal that wakes the outbox dispatcher.
public final class Hotline: Sendable {
    public let settings: HotlineSettings
    public let database: AppDatabase
    public let clock: WallClock
    public let logger: Logger
    /// Secrets by channel id, read from the environment at start-up.
    public let secrets: [String: String]
    /// Wakes the dispatcher: the database's, raised by every commit that queues texts.
    public var outboxSignal: OutboxSignal { database.outboxCommits }
    /// The dispatcher's sign of life, for `/readyz`.
    public let dispatcherHeartbeat = Heartbeat()
    private let rules: Mutex<CompiledRules>
    private let areaFinders: [String: AreaFinder]
    /// Every studio's hotline numbers by national key (``PhoneNumber/nationalKey(_:countryCode:)``): the
    /// studio and the number as configured, however a provider writes it (`+8610690001`, `8610690001`).
    private let hotlines: [String: (studio: Studio, number: String)]

    /// The rule table and one classifier per studio, swapped whole on reload.
    struct CompiledRules: Sendable {
        var table: RuleTable
        var classifiers: [String: Classifier]
    }

    public init(settings: HotlineSettings, rules table: RuleTable, database: AppDatabase, clock: WallClock = .system,
                secrets: [String: String] = [:], logger: Logger = Logger(label: "hotline")) throws {
        self.settings = settings
        self.database = database
        self.clock = clock
        self.logger = logger
        self.secrets = secrets
        TextNormalizer.prepare()
        self.rules = Mutex(try Self.compile(table, studios: settings.deployment.studios))
        self.areaFinders = Dictionary(uniqueKeysWithValues: settings.deployment.studios.map { ($0.id, AreaFinder(areas: $0.areas)) })
        var hotlines: [String: (studio: Studio, number: String)] = [:]
        let code = settings.deployment.defaultCountryCode
        for studio in settings.deployment.studios {
            for number in studio.hotlineNumbers where hotlines[PhoneNumber.nationalKey(number, countryCode: code)] == nil {
                hotlines[PhoneNumber.nationalKey(number, countryCode: code)] = (studio, number)
            }
        }
        self.hotlines = hotlines
    }

    /// The studios a provider's opt-out (a message's studio's) covers besides its own: every
    /// studio when `opt_out` is `deployment`.
    public var optOutStudios: [String] {
        settings.deployment.optOutScope == .deployment ? settings.deployment.studios.map(\.id) : []
    }

    /// Every member's and liaison's number, in any studio: never marked opted out by a provider.
    public var rosterPhones: Set<String> { Set(settings.deployment.studios.flatMap { $0.roster.map(\.phone) }) }

    /// The studio a number is a hotline of, and that number as configured (the form replies go out from).
    public func hotline(_ number: String) -> (studio: Studio, number: String)? {
        hotlines[PhoneNumber.nationalKey(number, countryCode: settings.deployment.defaultCountryCode)]
    }

    /// How far from the arrival a provider's own time of a message is believed: not in the future
    /// (beyond a minute of clock skew), not older than a day (gateways give up retrying well before).
    public static let providerTimeWindow: ClosedRange<TimeInterval> = -86_400...60

    /// The time deadlines count from: the provider's time when it gave a believable one, else the arrival.
    public static func caseTime(sentAt: Date?, arrival: Date) -> Date {
        guard let sentAt, providerTimeWindow.contains(sentAt.timeIntervalSince(arrival)) else { return arrival }
        return min(sentAt, arrival)
    }

    static func compile(_ table: RuleTable, studios: [Studio]) throws -> CompiledRules {
        var classifiers: [String: Classifier] = [:]
        for studio in studios { classifiers[studio.id] = try Classifier(table: table, studio: studio.id) }
        return CompiledRules(table: table, classifiers: classifiers)
    }

    /// Replaces the rule table; on error the old one stays in service.
    public func reloadRules(_ table: RuleTable) throws {
        let compiled = try Self.compile(table, studios: settings.deployment.studios)
        rules.withLock { $0 = compiled }
    }

    /// The rule table in force.
    public var ruleTable: RuleTable { rules.withLock { $0.table } }

    /// The topic catalog of the rule table in force: names, order and urgent deadlines of topics.
    public var topics: TopicCatalog { rules.withLock { $0.table.topics } }

    /// The classifier in force for a studio.
    public func classifier(studio: String) -> Classifier? {
        rules.withLock { $0.classifiers[studio] }
    }

    /// The secret configured for a channel (nil: not set, requests are not verified).
    public func secret(for channel: ChannelSettings) -> String? { secrets[channel.id] }

    /// The Twilio adapter for a configured twilio channel, with its auth token.
    public func twilio(_ channel: ChannelSettings) -> TwilioChannel {
        TwilioChannel(accountSID: channel.options["account_sid"] ?? "", authToken: secrets["\(channel.id).auth_token"] ?? "",
                      apiBaseURL: channel.options["api_base_url"] ?? "https://api.twilio.com", publicURL: channel.options["public_url"] ?? "",
                      sender: channel.options["from"] ?? "", defaultCountryCode: settings.deployment.defaultCountryCode,
                      webhookPath: "/webhooks/twilio/\(channel.id)", maxTextLength: settings.maxInboundLength)
    }

    /// The Android gateway adapter for a configured android channel, with its secrets.
    public func android(_ channel: ChannelSettings) -> AndroidGatewayChannel {
        AndroidGatewayChannel(signingKey: secret(for: channel) ?? "",
                              hotlineNumber: PhoneNumber.normalize(channel.options["number"] ?? "", defaultCountryCode: settings.deployment.defaultCountryCode),
                              apiURL: channel.options["api_url"] ?? "", username: channel.options["username"] ?? "",
                              password: secrets["\(channel.id).password"] ?? "", defaultCountryCode: settings.deployment.defaultCountryCode,
                              maxTextLength: settings.maxInboundLength)
    }

    /// The Kannel adapter for a configured kannel channel, with its secrets.
    public func kannel(_ channel: ChannelSettings) -> KannelChannel {
        KannelChannel(secret: secret(for: channel), defaultCountryCode: settings.deployment.defaultCountryCode,
                      sendsmsURL: channel.options["sendsms_url"] ?? "", username: channel.options["username"] ?? "",
                      password: secrets["\(channel.id).password"] ?? "", publicURL: channel.options["public_url"] ?? "",
                      webhookPath: "/webhooks/kannel/\(channel.id)", maxTextLength: settings.maxInboundLength)
    }

    /// Stores an inbound text and what it leads to, in one transaction; wakes the dispatcher.
    public func receive(_ text: InboundText, channel: ChannelSettings) async throws -> IntakeReceipt {
        let deployment = settings.deployment
        guard let (studio, hotlineNumber) = hotline(text.to) else { throw IntakeError.unknownNumber(text.to) }
        guard let classifier = classifier(studio: studio.id), let areas = areaFinders[studio.id] else {
            throw IntakeError.unknownNumber(text.to)
        }
        let now = clock.now()
        let caseTime = Self.caseTime(sentAt: text.receivedAt, arrival: now)
        // A hotline texting a hotline (two studios, or a number echoing back) is no resident: stored, never answered.
        let fromHotline = hotline(text.from) != nil
        let started = DispatchTime.now().uptimeNanoseconds
        let interpretation = fromHotline ? .message(.unclassified, areaInText: nil) : Intake.interpret(text.text, classifier: classifier, areas: areas)
        Measure.classification(nanoseconds: DispatchTime.now().uptimeNanoseconds - started)
        // The Android gateway's ids are not unique: the same text from the same number within two minutes is one message.
        let inbound = InboundMessage(studioID: studio.id, channel: channel.id, providerID: text.providerID,
                                     from: text.from, to: hotlineNumber, text: text.text, receivedAt: now, sentAt: text.receivedAt,
                                     sameTextWindow: channel.kind == .android ? 120 : nil)
        let replyChannel = channel.canSend ? channel.id : studio.outboundChannel
        let maxParts = settings.channel(replyChannel)?.maxParts ?? 5
        let sectors = deployment.sectors
        let channels = settings.channels
        let limits = settings.senders
        let receipt = try await database.receive(inbound) { ledger, _ in
            if fromHotline { return Handled(queued: 0) }
            if let keyword = text.keyword {
                // The provider has answered the keyword itself: remember its effect, open no case, send nothing.
                switch keyword {
                case .optOut: try ledger.setOptedOut(studio: studio.id, phone: text.from, since: now, alsoIn: deployment.optOutAlsoCovers(studio.id))
                case .optIn: try ledger.setOptedOut(studio: studio.id, phone: text.from, since: nil, alsoIn: deployment.optOutAlsoCovers(studio.id))
                case .help: break
                }
                return Handled(queued: 0)
            }
            let desk = CaseDesk(studio: studio, deployment: deployment, channels: channels, ledger: ledger,
                                channel: replyChannel, from: hotlineNumber, maxParts: maxParts, topics: classifier.topics)
            if let person = studio.person(phone: text.from) {
                let record = try desk.roster(text.text, from: person, channel: channel.id, limits: limits)
                return Handled(caseID: record?.id, caseNumber: record?.number, queued: desk.queued)
            }
            return try desk.resident(inbound, interpretation: interpretation, replyChannel: replyChannel, limits: limits) { registered, open, away, next in
                Intake.plan(interpretation, text: text.text, resident: text.from, context: IntakeContext(
                    studio: studio, sectors: sectors, registeredArea: registered, openCases: open, unavailable: away,
                    nextCaseNumber: next, now: caseTime, topics: classifier.topics))
                    .fitting(maxParts: maxParts)
            }
        }
        if !receipt.duplicate {
            let intent = switch interpretation {
            case .registration: "registration"
            case let .message(c, _): fromHotline ? "hotline" : c.intent.rawValue
            }
            Measure.inbound(channel: channel.id, intent: intent)
        }
        logger.info("inbound stored", metadata: [
            "channel": "\(channel.id)", "from": "\(PhoneNumber.mask(text.from))", "studio": "\(studio.id)",
            "message": "\(receipt.messageID)", "case": "\(receipt.caseNumber.map(String.init) ?? "-")",
            "duplicate": "\(receipt.duplicate)", "keyword": "\(text.keyword?.rawValue ?? "-")",
        ])
        if fromHotline { logger.warning("inbound from a hotline number: stored, not answered", metadata: ["from": "\(PhoneNumber.mask(text.from))"]) }
        return receipt
    }
}

/// When a background service last showed it is working, and whether one is expected at all.
public final class Heartbeat: Sendable {
    private let state = Mutex<(expected: Bool, last: Date?)>((false, nil))

    public init() {}

    /// A service that beats is running in this process: from now on its silence means trouble.
    public func expect() { state.withLock { $0.expected = true } }

    public func beat(_ now: Date) { state.withLock { $0.last = now } }

    /// Whether it beat within `seconds` before `now` (true when none is expected).
    public func isAlive(now: Date, within seconds: TimeInterval) -> Bool {
        state.withLock { s in !s.expected || (s.last.map { now.timeIntervalSince($0) <= seconds } ?? false) }
    }
}
