import Foundation
import HotlineCore
import HotlineStorage
import Logging

/// What coordinators do with notices: preview, send (now or at a time), cancel, tally, remind.
/// The CLI calls it, and so do a liaison's texts; the admin API and the dashboard will.
public struct NoticeService: Sendable {
    let settings: HotlineSettings, database: AppDatabase, clock: WallClock, logger: Logger

        public init(_ parts: HotlineParts) {
        (settings, database, clock, logger) = (parts.settings, parts.database, parts.clock, parts.logger)
    }

    /// Why a request about notices cannot be carried out.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownStudio(String)
        case meetingNeedsTimeAndPlace
        case inThePast(String)
        case notice(NoticeError)
        /// A roll file's rows that cannot be read, each with its line.
        case rows([RollRowError])
        /// A roll's name that is blank, too long or more than one line.
        case rollName(String)

        public var description: String {
            switch self {
            case let .unknownStudio(id): "no studio '\(id)'"
            case .meetingNeedsTimeAndPlace: "a meeting notice needs its time and place"
            case let .inThePast(what): "\(what) is in the past"
            case let .notice(e): e.description
            case let .rows(errors): errors.map(\.description).joined(separator: "\n")
            case let .rollName(problem): problem
            }
        }
    }

    /// The studio's settings, if there is one with this id.
    public func studioSettings(_ id: String) -> Studio? { settings.deployment.studio(id: id) }

    func studio(_ id: String) throws(Problem) -> Studio {
        guard let studio = settings.deployment.studio(id: id) else { throw .unknownStudio(id) }
        return studio
    }

    /// The channel and number a studio's notices go out on, and the most parts a text may take there.
    func route(_ studio: Studio) -> (channel: String, from: String, maxParts: Int) {
        let channel = studio.outboundChannel
        return (channel, studio.hotlineNumbers.first ?? "", settings.channel(channel)?.maxParts ?? 5)
    }

    func planning(_ draft: NoticeDraft, studio: Studio, now: Date) -> AppDatabase.NoticePlanning {
        Self.planning(draft, studio: studio, deployment: settings.deployment, maxParts: route(studio).maxParts, now: now)
    }

    /// How storage plans `draft` once it knows the audience: the planner with the deployment's
    /// hotline numbers and the studio's reminder setting. Shared with notices made by text.
    static func planning(_ draft: NoticeDraft, studio: Studio, deployment: Deployment, maxParts: Int, now: Date) -> AppDatabase.NoticePlanning {
        let (keys, code, reminder) = (deployment.hotlineKeys, deployment.defaultCountryCode, studio.sla.meetingReminderHours)
        return { number, found, optedOut in
            NoticePlanner.plan(draft, number: number, studio: studio, found: found, optedOut: optedOut, hotlineKeys: keys,
                               countryCode: code, reminderHours: reminder, maxParts: maxParts, now: now)
        }
    }

    /// A notice's later texts (change, cancellation, reminder) with mobile numbers masked: they may
    /// reach residents, who never receive a member's or anyone else's number.
    /// A text to a notice's audience from template `name`, masked (residents may be among them)
    /// and fitted to the channel's parts, keeping its template and values; storage addresses it.
    func broadcast(_ studio: Studio, _ name: String, _ values: [String: String], maxParts: Int) -> OutboundText {
        var all = values
        all["studio"] = studio.name
        var text = studio.replies.outbound(to: "", name, all.mapValues(masked), kind: .broadcast)
        text.text = SMSSegments.fit(masked(text.text), maxParts: maxParts)
        return text
    }

    func masked(_ text: String) -> String {
        PhoneNumber.maskMobiles(in: text, keep: "", countryCode: settings.deployment.defaultCountryCode)
    }

    func check(_ draft: NoticeDraft, now: Date) throws(Problem) {
        if draft.kind == .meeting {
            guard let meeting = draft.meeting, !meeting.place.trimmingCharacters(in: .whitespaces).isEmpty else { throw .meetingNeedsTimeAndPlace }
            if meeting.at <= now { throw .inThePast("the meeting time") }
        }
    }

    /// What sending `draft` would do now: recipients, skipped and why, parts, send time.
    public func preview(studio id: String, _ draft: NoticeDraft) async throws -> NoticePlan {
        let studio = try studio(id)
        let now = clock.now()
        try check(draft, now: now)
        do {
            return try await database.previewNotice(studio: studio, draft: draft, plan: planning(draft, studio: studio, now: now))
        } catch let e as NoticeError { throw Problem.notice(e) }
    }

    /// Plans and commits a notice: its texts go into the outbox at broadcast priority, due at the
    /// plan's send time (a draft's only after `confirm`).
    public func create(studio id: String, _ draft: NoticeDraft, by author: String, draftOnly: Bool = false) async throws -> (NoticeRecord, NoticePlan) {
        let studio = try studio(id)
        let now = clock.now()
        try check(draft, now: now)
        let (channel, from, _) = route(studio)
        do {
            let made = try await database.createNotice(studio: studio, draft: draft, state: draftOnly ? .draft : .sent, createdBy: author,
                                                               channel: channel, from: from, now: now, plan: planning(draft, studio: studio, now: now))
            logger.info("notice stored", metadata: ["studio": "\(id)", "notice": "\(made.0.number)", "recipients": "\(made.1.recipients.count)",
                                                            "skipped": "\(made.1.skipped.count)", "send_at": "\(made.1.sendAt)"])
            return made
        } catch let e as NoticeError { throw Problem.notice(e) }
    }

    /// Calls a notice off: texts not sent yet are withdrawn; those who got it are told (a meeting's
    /// whole audience that was reached).
    @discardableResult
    public func cancel(studio id: String, number: Int, reason: String) async throws -> (withdrawn: Int, told: Int) {
        let studio = try studio(id)
        let now = clock.now()
        let (channel, from, maxParts) = route(studio)
        do {
            let result = try await database.cancelNotice(studio: studio.id, number: number, reason: reason, channel: channel, from: from,
                                                                 now: now) { notice in
                broadcast(studio, "notice.cancelled", [
                    "notice": String(notice.number), "title": notice.title, "place": notice.place ?? "",
                    "time": notice.meetingAt.map { NoticePlanner.when($0, timeZone: studio.timeZone) } ?? "", "reason": reason,
                ], maxParts: maxParts)
            }
            return result
        } catch let e as NoticeError { throw Problem.notice(e) }
    }

    /// Reads a roll file (see ``RollCSV``) and keeps it as the studio's roll `name`, replacing one of
    /// that name; each row's area must be one of the studio's (by name or alias). Nothing is kept
    /// unless every row is right.
    @discardableResult
    public func importRoll(studio id: String, name: String, csv: Data, area: String? = nil) async throws -> [RollEntry] {
        let studio = try studio(id)
        if let problem = RollCSV.nameProblem(name) { throw Problem.rollName(problem) }
        let finder = AreaFinder(areas: studio.areas)
        let known = studio.areas.map(\.id).joined(separator: "、")
        let entries: [RollEntry]
        switch RollCSV.parse(csv, defaultArea: area, countryCode: settings.deployment.defaultCountryCode, area: { written in
            finder.area(named: written).map { .success($0) } ?? .failure("area '\(RollCSV.shown(written))' is not one of \(studio.id)'s (\(known))")
        }) {
        case let .success(e): entries = e
        case let .failure(errors): throw Problem.rows(errors.rows)
        }
        try await database.importRoll(studio: studio.id, name: name, entries: entries)
        return entries
    }

    /// Moves a meeting (time and/or place): unsent texts carry the new facts, everyone it reached
    /// is told and asked again, the reminder is planned for the new time. Returns how many were told.
    @discardableResult
    public func change(studio id: String, number: Int, at: Date?, place: String?, reason: String) async throws -> Int {
        let studio = try studio(id)
        let now = clock.now()
        if let at, at <= now { throw Problem.inThePast("the new meeting time") }
        let (channel, from, maxParts) = route(studio)
        do {
            let told = try await database.changeNotice(studio: studio.id, number: number, meetingAt: at, place: place, channel: channel,
                                                               from: from, now: now) { notice in
                let meeting = notice.meeting ?? Meeting(at: now, place: "")
                let draft = NoticeDraft(kind: .meeting, title: notice.title, body: notice.body, meeting: meeting, audience: [])
                let plan = NoticePlanner.plan(draft, number: notice.number, studio: studio, found: [], optedOut: [], hotlineKeys: [],
                                              countryCode: "", reminderHours: studio.sla.meetingReminderHours, maxParts: maxParts, now: now)
                let change = broadcast(studio, "notice.changed", [
                    "notice": String(notice.number), "title": notice.title, "place": meeting.place,
                    "time": NoticePlanner.when(meeting.at, timeZone: studio.timeZone), "reason": reason,
                ], maxParts: maxParts)
                return (SMSSegments.fit(masked(plan.text), maxParts: maxParts), change, plan.remindAt, plan.values.mapValues(masked))
            }
            return told
        } catch let e as NoticeError { throw Problem.notice(e) }
    }

    /// Sends the reminders that are due: to those coming and those who have not answered.
    @discardableResult
    public func sendDueReminders() async throws -> Int {
        let now = clock.now()
        var sent = 0
        for notice in try await database.dueNoticeReminders(now: now) {
            guard let studio = settings.deployment.studio(id: notice.studioId) else { continue }
            if studio.sla.quietHours?.contains(now, in: studio.timeZone) == true { continue }
            let (channel, from, maxParts) = route(studio)
            let text = broadcast(studio, "notice.reminder", [
                "notice": String(notice.number), "title": notice.title, "place": notice.place ?? "",
                "time": notice.meetingAt.map { NoticePlanner.when($0, timeZone: studio.timeZone) } ?? "",
            ], maxParts: maxParts)
            sent += try await database.remindNotice(id: notice.id!, text: text, channel: channel, from: from, now: now)
        }
        return sent
    }
}
