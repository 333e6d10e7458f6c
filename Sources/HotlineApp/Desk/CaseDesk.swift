import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage

/// Works on a studio's cases inside one write transaction: applies the core's case transitions,
/// records them in the audit trail and queues the texts they lead to, worded from the studio's
/// templates (in Traditional script for residents who write it). Member commands, resident
/// follow-ups and the deadline service all go through here.
final class CaseDesk {
    let studio: Studio
    let deployment: Deployment
    let channels: [ChannelSettings]
    let ledger: CaseLedger
    /// Channel and number for texts to the one who wrote (and to residents when their case's
    /// channel cannot send).
    let channel: String
    /// Channel for texts to members and liaisons: one that reaches phones (the channel a resident
    /// wrote on may reach only its own contacts, as WeChat does).
    let rosterChannel: String
    let from: String
    let maxParts: Int
    let templates: ReplyTemplates
    /// The rule table's topics: names in texts, urgent topics' deadlines.
    let topics: TopicCatalog
    /// Outbound texts queued so far, by this desk and the other studios' desks it handed work to.
    var queued: Int { tally.count }

    /// Counts texts queued without `tell` (a notice's fan-out).
    func countQueued(_ n: Int) { tally.count += n }
    private let tally: Tally

    /// A count shared by the desks of one transaction.
    private final class Tally {
        var count = 0
    }

    init(studio: Studio, deployment: Deployment, channels: [ChannelSettings], ledger: CaseLedger,
         channel: String, rosterChannel: String? = nil, from: String, maxParts: Int, topics: TopicCatalog) {
        self.rosterChannel = rosterChannel ?? channel
        self.tally = Tally()
        self.topics = topics
        self.studio = studio
        self.deployment = deployment
        self.channels = channels
        self.ledger = ledger
        self.channel = channel
        self.from = from
        self.maxParts = maxParts
        self.templates = studio.replies
    }

    private init(studio: Studio, sharing desk: CaseDesk) {
        let channel = studio.outboundChannel
        self.studio = studio
        self.deployment = desk.deployment
        self.channels = desk.channels
        self.ledger = desk.ledger
        self.channel = channel
        self.rosterChannel = channel
        self.from = studio.hotlineNumbers.first ?? desk.from
        self.maxParts = desk.channels.first { $0.id == channel }?.maxParts ?? desk.maxParts
        self.templates = studio.replies
        self.tally = desk.tally
        self.topics = desk.topics
    }

    /// The desk for a case of `studioID` in the same transaction: that studio's wording, deadlines,
    /// staff, departments, channel and number (this desk for its own studio's cases).
    func desk(for studioID: String) -> CaseDesk {
        guard studioID != studio.id, let other = deployment.studio(id: studioID) else { return self }
        return CaseDesk(studio: other, sharing: self)
    }

    var now: Date { ledger.now }

    // MARK: texts

    /// Queues a text to a member or liaison.
    func tell(_ person: RosterEntry, _ template: String, _ values: [String: String], caseID: Int64?, kind: OutboundKind = .commandReply) throws {
        try queue(to: person.phone, template, values, caseID: caseID, kind: kind, traditional: false, via: (rosterChannel, from))
    }

    /// Queues a text to a number that is not about a case (a resident's opt-out, an answer to a notice).
    func tell(phone: String, _ template: String, _ values: [String: String], kind: OutboundKind) throws {
        try queue(to: phone, template, values, caseID: nil, kind: kind, traditional: false, via: (channel, from),
                  toResident: studio.person(phone: phone) == nil)
    }

    /// Queues a text to a case's resident, on the channel their case came in on when it can send.
    func tellResident(of record: CaseRecord, _ template: String, _ values: [String: String], kind: OutboundKind = .caseUpdate) throws {
        var via = (channel: studio.outboundChannel, hotline: studio.hotlineNumbers.first ?? from)
        if let id = record.id, let origin = try ledger.origin(caseID: id) {
            via.hotline = origin.hotline
            if channels.first(where: { $0.id == origin.channel })?.canSend == true { via.channel = origin.channel }
        }
        try queue(to: record.residentPhone, template, values, caseID: record.id, kind: kind, traditional: record.traditional, via: via,
                  toResident: true)
    }

    func queue(to phone: String, _ template: String, _ values: [String: String], caseID: Int64?, kind: OutboundKind,
                       traditional: Bool, via: (String, String), toResident: Bool = false) throws {
        var all = values
        all["studio"] = studio.name
        // Whatever a member wrote, a resident never receives anyone else's mobile number: not in
        // the text, nor in the values a template channel makes its parameters from.
        if toResident { all = all.mapValues { PhoneNumber.maskMobiles(in: $0, keep: phone, countryCode: deployment.defaultCountryCode) } }
        var text = templates.outbound(to: phone, template, all, kind: kind, traditional: traditional)
        if toResident { text.text = PhoneNumber.maskMobiles(in: text.text, keep: phone, countryCode: deployment.defaultCountryCode) }
        let maxParts = channels.first { $0.id == via.0 }?.maxParts ?? self.maxParts
        text.text = SMSSegments.fit(text.text, maxParts: maxParts)
        try ledger.enqueue([text], studio: studio.id, from: via.1, channel: via.0, caseID: caseID)
        tally.count += 1
    }

    // MARK: cases

    /// How a case is named in texts to `person`: `12`, or `xujiawan-12` for someone on two studios' rosters.
    func label(_ record: CaseRecord, for person: RosterEntry? = nil) -> String {
        guard let person else { return String(record.number) }
        let studios = deployment.studios.filter { $0.person(phone: person.phone) != nil }
        return studios.count > 1 ? "\(record.studioId)-\(record.number)" : String(record.number)
    }

    /// `11月22日 10:00` in the studio's time zone.
    func format(_ date: Date?) -> String {
        guard let date else { return "-" }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = studio.timeZone
        let c = calendar.dateComponents([.month, .day, .hour, .minute], from: date)
        return String(format: "%d月%d日 %02d:%02d", c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    func deadlines(_ record: CaseRecord) -> CaseDeadlines { studio.sla.deadlines(for: record.topic, catalog: topics) }

    /// Applies an action through the core's lifecycle; on success saves it and records `event`.
    func transition(_ record: inout CaseRecord, _ action: CaseAction, by actor: CaseActor, event: CaseEventKind, detail: String?) throws -> Result<Void, CaseRejection> {
        switch CaseLifecycle.apply(action, to: record.progress, by: actor, at: now, deadlines: deadlines(record)) {
        case let .failure(rejection):
            return .failure(rejection)
        case let .success(progress):
            try ledger.save(&record, progress: progress)
            try ledger.addEvent(record.id!, actor: actor.auditName, kind: event, detail: detail)
            return .success(())
        }
    }

    /// The standard values for a case's texts.
    func values(_ record: CaseRecord, for person: RosterEntry? = nil) -> [String: String] {
        [
            "case": label(record, for: person), "assignee": record.assigneeId.flatMap { studio.person($0)?.name } ?? "工作人员",
            "topic": topics.name(record.topic), "intent": record.intent.label, "area": record.area ?? "未知社区",
            "resident": PhoneNumber.mask(record.residentPhone), "text": record.text, "state": record.state.label,
            "due": format(record.progress.currentDeadline?.due),
            "link": deployment.casePage?.linkValue(record.residentToken) ?? "",
            "token": deployment.casePage == nil ? "" : record.residentToken ?? "",
        ]
    }

    /// Tells the resident the case is closed and asks the satisfaction question.
    func announceClosing(_ record: CaseRecord) throws {
        var v = values(record)
        v["outcome"] = record.outcome == .transferred ? "已由\(record.department ?? "")办结" : (record.outcome?.label ?? CaseOutcome.resolved.label)
        v["note"] = record.outcomeNote ?? ""
        try tellResident(of: record, "resident.closed", v)
        try tellResident(of: record, "survey.ask", v, kind: .survey)
    }

    /// Moves a case to `target`, telling the new member, the old one and the resident.
    func reassign(_ record: inout CaseRecord, to target: RosterEntry, by actor: CaseActor, reason: String,
                  extra: [String: String] = [:]) throws -> Result<Void, CaseRejection> {
        let previous = record.assigneeId.flatMap { studio.person($0) }
        let result = try transition(&record, .reassign(to: target.id), by: actor, event: .reassigned, detail: "\(target.id): \(reason)")
        guard case .success = result else { return result }
        var notice = values(record, for: target)
        notice["text"] = record.text
        try tell(target, "member.notice", notice, caseID: record.id, kind: .memberNotice)
        try tellResident(of: record, "resident.reassigned", values(record))
        if let previous, previous.id != actor.auditName {
            var v = values(record, for: previous)
            v["target"] = target.name
            v["actor"] = actor == .system ? "系统" : (studio.person(actor.auditName)?.name ?? actor.auditName)
            v.merge(extra) { _, new in new }
            try tell(previous, actor == .system ? "member.reassigned" : "member.taken", v, caseID: record.id, kind: .reminder)
        }
        return .success(())
    }

    /// Roster ids that routing skips now, with the reason in words: on leave, or at the studio's
    /// `max_open_cases` — the rules intake routes by, for reassignment and transfers too.
    func unavailable() throws -> [String: String] {
        var skip: [String: String] = [:]
        for id in try ledger.onLeave(studio: studio.id) { skip[id] = "正在请假" }
        for id in Routing.atCapacity(studio: studio, openCases: try ledger.openCaseCounts(studio: studio.id)) where skip[id] == nil {
            skip[id] = "待办已达上限\(studio.sla.maxOpenCases ?? 0)件"
        }
        return skip
    }
}
