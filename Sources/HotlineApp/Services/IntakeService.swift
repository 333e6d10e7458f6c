import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Logging

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

/// Intake: an inbound text from any channel is stored with all it leads to — the resident's case
/// and acknowledgement, a member's command, an opt-out — in one transaction, before the webhook
/// answers. Its commit wakes the dispatcher (the storage door's outbox port).
public struct IntakeService: Sendable {
    let deployment: Deployment, channels: [ChannelSettings], limits: SenderLimits, database: AppDatabase
    let rules: RuleBook, clock: WallClock, logger: Logger, areaFinders: [String: AreaFinder]
    /// Every studio's hotline numbers by national key (``PhoneNumber/nationalKey(_:countryCode:)``): the
    /// studio and the number as configured, however a provider writes it (`+8610690001`, `8610690001`).
    let hotlines: [String: (studio: Studio, number: String)]
    /// Channels whose kind counts the same text from the same number within a window as one message.
    let sameTextWindows: [String: Double]

    public init(_ parts: HotlineParts) {
        (deployment, channels, limits, database) = (parts.settings.deployment, parts.settings.channels, parts.settings.senders, parts.database)
        (rules, clock, logger) = (parts.rules, parts.clock, parts.logger)
        areaFinders = Dictionary(uniqueKeysWithValues: deployment.studios.map { ($0.id, AreaFinder(areas: $0.areas)) })
        var hotlines: [String: (studio: Studio, number: String)] = [:]
        let code = deployment.defaultCountryCode
        for studio in deployment.studios {
            for number in studio.hotlineNumbers where hotlines[PhoneNumber.nationalKey(number, countryCode: code)] == nil {
                hotlines[PhoneNumber.nationalKey(number, countryCode: code)] = (studio, number)
            }
        }
        self.hotlines = hotlines
        sameTextWindows = parts.settings.channels.reduce(into: [:]) { $0[$1.id] = parts.channels.sameTextWindow($1) }
    }

    /// The studio a number is a hotline of, and that number as configured (the form replies go out from).
    public func hotline(_ number: String) -> (studio: Studio, number: String)? {
        hotlines[PhoneNumber.nationalKey(number, countryCode: deployment.defaultCountryCode)]
    }

    /// How far from the arrival a provider's own time of a message is believed: not in the future
    /// (beyond a minute of clock skew), not older than a day (gateways give up retrying well before).
    public static let providerTimeWindow: ClosedRange<TimeInterval> = -86_400...60

    /// The time deadlines count from: the provider's time when it gave a believable one, else the arrival.
    public static func caseTime(sentAt: Date?, arrival: Date) -> Date {
        guard let sentAt, providerTimeWindow.contains(sentAt.timeIntervalSince(arrival)) else { return arrival }
        return min(sentAt, arrival)
    }

    /// Stores an inbound text and what it leads to, in one transaction; wakes the dispatcher.
    /// `holdReplies`: the texts back to the sender on this channel wait this long in the outbox
    /// (for a reply in the webhook's response).
    public func receive(_ text: InboundText, channel: ChannelSettings, holdReplies: TimeInterval? = nil) async throws -> IntakeReceipt {
        guard let (studio, hotlineNumber) = hotline(text.to) else { throw IntakeError.unknownNumber(text.to) }
        guard let classifier = rules.classifier(studio: studio.id), let areas = areaFinders[studio.id] else {
            throw IntakeError.unknownNumber(text.to)
        }
        let now = clock.now()
        let caseTime = Self.caseTime(sentAt: text.receivedAt, arrival: now)
        // A hotline texting a hotline (two studios, or a number echoing back) is no resident: stored, never answered.
        let fromHotline = PhoneNumber.isDialable(text.from) && hotline(text.from) != nil
        let started = DispatchTime.now().uptimeNanoseconds
        let interpretation = fromHotline ? .message(.unclassified, areaInText: nil) : Intake.interpret(text.text, classifier: classifier, areas: areas)
        Measure.classification(nanoseconds: DispatchTime.now().uptimeNanoseconds - started)
        // Pure work on the text done here, before the transaction: intake's writer is what bounds its rate.
        let subscription = fromHotline ? nil : SubscriptionKeyword(text: text.text)
        let classificationJSON: String? = if case let .message(c, _) = interpretation { c.jsonText } else { nil }
        // Some gateways' ids are not unique (the Android app's): their kind sets a same-text window.
        let inbound = InboundMessage(studioID: studio.id, channel: channel.id, providerID: text.providerID,
                                     from: text.from, to: hotlineNumber, text: text.text, receivedAt: now, sentAt: text.receivedAt,
                                     sameTextWindow: sameTextWindows[channel.id], holdReplies: holdReplies)
        let replyChannel = channel.canSend ? channel.id : studio.outboundChannel
        // Members are texted on a channel that reaches phones (not a WeChat account's).
        let rosterChannel = channel.kind.reach == .phones ? replyChannel : studio.outboundChannel
        let maxParts = channels.first { $0.id == replyChannel }?.maxParts ?? 5
        let sectors = deployment.sectors
        let limits = self.limits
        let casePage = deployment.casePage
        let receipt = try await database.receive(inbound) { ledger, _ in
            if fromHotline { return Handled(queued: 0) }
            if let keyword = text.keyword {
                // The provider has answered the keyword itself: remember its effect, open no case, send nothing.
                switch keyword {
                case .optOut: try ledger.setOptedOut(studio: studio.id, phone: text.from, since: now, alsoIn: deployment.optOutAlsoCovers(studio.id))
                case .optIn:
                    try ledger.setOptedOut(studio: studio.id, phone: text.from, since: nil, alsoIn: deployment.optOutAlsoCovers(studio.id))
                    // A new follower is one of the account's audience from now, and may be sent what waited for them.
                    if PhoneNumber.isFollower(text.from) {
                        try ledger.noteFollower(studio: studio.id, address: text.from)
                        try ledger.releaseWaiting(studio: studio.id, to: text.from)
                    }
                case .help: break
                }
                return Handled(queued: 0)
            }
            let desk = CaseDesk(studio: studio, deployment: deployment, channels: channels, ledger: ledger,
                                channel: replyChannel, rosterChannel: rosterChannel, from: hotlineNumber, maxParts: maxParts,
                                topics: classifier.topics)
            if let person = studio.person(phone: text.from) {
                let record = try desk.roster(text.text, from: person, channel: channel.id, limits: limits)
                return Handled(caseID: record?.id, caseNumber: record?.number, queued: desk.queued)
            }
            return try desk.resident(inbound, interpretation: interpretation, keyword: subscription, replyChannel: replyChannel,
                                     limits: limits) { registered, open, away, next in
                var context = IntakeContext(studio: studio, sectors: sectors, registeredArea: registered, openCases: open, unavailable: away,
                                            nextCaseNumber: next, now: caseTime, topics: classifier.topics)
                // A new case gets its page for the resident when the service has a public address.
                if let page = casePage {
                    context.caseToken = CasePage.newToken()
                    context.link = page.linkValue(context.caseToken)
                }
                var decision = Intake.plan(interpretation, text: text.text, resident: text.from, context: context).fitting(maxParts: maxParts)
                if case var .newCase(plan) = decision {
                    plan.classificationJSON = classificationJSON
                    decision = .newCase(plan)
                }
                return decision
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
