import Foundation
import GRDB
import HotlineCore

/// Why a notice cannot be made or changed as asked.
public enum NoticeError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownCases([Int])
    case unknownRoll(String, known: [String])
    case unknownNotice(Int)
    case notOpen(Int, NoticeState)
    case emptyAudience

    public var description: String {
        switch self {
        case let .unknownCases(n): "no case \(n.map(String.init).joined(separator: ", ")) in this studio"
        case let .unknownRoll(name, known): "no roll named '\(name)'" + (known.isEmpty ? " (no rolls yet: hotline rolls import)" : " (rolls: \(known.joined(separator: ", ")))")
        case let .unknownNotice(n): "no notice \(n) in this studio"
        case let .notOpen(n, state): "notice \(n) is \(state.rawValue)"
        case .emptyAudience: "the audience reaches nobody"
        }
    }
}

/// One notice's answers, per seat.
public struct NoticeTally: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var role: String
        public var coming = 0, declined = 0, noAnswer = 0

        public init(role: String, coming: Int = 0, declined: Int = 0, noAnswer: Int = 0) {
            self.role = role
            self.coming = coming
            self.declined = declined
            self.noAnswer = noAnswer
        }
    }
    /// Seats in the order first met in the audience.
    public var rows: [Row]
    public var skipped: [SkipReason: Int]

    public var coming: Int { rows.reduce(0) { $0 + $1.coming } }
    public var declined: Int { rows.reduce(0) { $0 + $1.declined } }
    public var noAnswer: Int { rows.reduce(0) { $0 + $1.noAnswer } }
}

extension AppDatabase {
    /// The people each audience part names, in order; roster parts from the studio's config.
    static func found(_ db: Database, parts: [AudiencePart], studio: Studio) throws -> [(AudiencePart, [NoticeRecipient])] {
        try parts.map { part in
            if let people = NoticePlanner.rosterRecipients(part, studio: studio) ?? NoticePlanner.listed(part) { return (part, people) }
            let via = part.description
            switch part {
            case let .residentsOfArea(area):
                var phones = studio.residents.filter { $0.area == area }.map(\.phone)
                phones += try String.fetchAll(db, sql: """
                    SELECT phone FROM residents WHERE studio_id = ? AND area = ?
                    UNION SELECT resident_phone FROM cases WHERE studio_id = ? AND area = ?
                    """, arguments: [studio.id, area, studio.id, area])
                return (part, phones.map { NoticeRecipient(phone: $0, role: NoticePlanner.residentSeat, area: area, via: via) })
            case let .residentsOfCases(numbers):
                var byNumber: [Int: NoticeRecipient] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT number, resident_phone, area FROM cases WHERE studio_id = ? AND number IN (\(numbers.map { _ in "?" }.joined(separator: ",")))",
                                            arguments: StatementArguments([studio.id] + numbers.map { $0 as (any DatabaseValueConvertible) })) {
                    byNumber[row["number"]] = NoticeRecipient(phone: row["resident_phone"], role: NoticePlanner.residentSeat, area: row["area"], via: via)
                }
                let missing = numbers.filter { byNumber[$0] == nil }
                guard missing.isEmpty else { throw NoticeError.unknownCases(missing) }
                return (part, numbers.compactMap { byNumber[$0] })
            case .followers:
                // Residents' addresses that are a channel's own (`wx:…`); those who unfollowed are opted out, and the plan skips them.
                let followers = try String.fetchAll(db, sql: "SELECT phone FROM residents WHERE studio_id = ? AND instr(phone, ':') > 0 ORDER BY first_seen_at, phone",
                                                    arguments: [studio.id]).filter(PhoneNumber.isFollower)
                return (part, followers.map { NoticeRecipient(phone: $0, role: NoticePlanner.followerSeat, via: via) })
            case let .roll(name):
                let people = try Row.fetchAll(db, sql: "SELECT name, phone, role, area FROM roll_entries WHERE studio_id = ? AND roll = ? ORDER BY position",
                                              arguments: [studio.id, name])
                guard !people.isEmpty else {
                    throw NoticeError.unknownRoll(name, known: try String.fetchAll(db, sql: "SELECT DISTINCT roll FROM roll_entries WHERE studio_id = ? ORDER BY roll", arguments: [studio.id]))
                }
                return (part, people.map { NoticeRecipient(phone: $0["phone"], name: $0["name"], role: $0["role"], area: $0["area"], via: via) })
            default:
                return (part, [])
            }
        }
    }

    /// Residents of a studio who opted out, and a test for those forgotten since (``OptOutDigests``).
    static func optedOut(_ db: Database, studio: String) throws -> OptOuts {
        let numbers = Set(try String.fetchAll(db, sql: "SELECT phone FROM residents WHERE studio_id = ? AND opted_out_at IS NOT NULL", arguments: [studio]))
        return OptOuts(numbers: numbers, kept: try OptOutDigests.test(db, studio: studio))
    }

    static func nextNoticeNumber(_ db: Database, studio: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(number), 0) + 1 FROM notices WHERE studio_id = ?", arguments: [studio]) ?? 1
    }

    /// Plans a notice from what the database holds now: `plan` gets the number it would have, the
    /// people each audience part names and the opted-out residents.
    public typealias NoticePlanning = @Sendable (_ number: Int, _ found: [(AudiencePart, [NoticeRecipient])], _ optedOut: OptOuts) -> NoticePlan

    /// What `createNotice` would do now, writing nothing.
    public func previewNotice(studio: Studio, draft: NoticeDraft, plan: NoticePlanning) async throws -> NoticePlan {
        try await read { db in
            plan(try Self.nextNoticeNumber(db, studio: studio.id), try Self.found(db, parts: draft.audience, studio: studio),
                 try Self.optedOut(db, studio: studio.id))
        }
    }

    /// Plans and stores a notice in one transaction: the notice, everyone its audience named (sent
    /// to or skipped, with why) and, unless it is a draft, one outbound message per recipient in the
    /// outbox at broadcast priority, due at the plan's send time.
    public func createNotice(studio: Studio, draft: NoticeDraft, state: NoticeState, createdBy: String, channel: String, from: String,
                             now: Date, plan: NoticePlanning) async throws -> (NoticeRecord, NoticePlan) {
        try await writer.write { db in
            try Self.insertNotice(db, studio: studio, draft: draft, state: state, createdBy: createdBy, channel: channel, from: from, now: now, plan: plan)
        }
    }

    static func insertNotice(_ db: Database, studio: Studio, draft: NoticeDraft, state: NoticeState, createdBy: String, channel: String,
                             from: String, now: Date, plan: NoticePlanning) throws -> (NoticeRecord, NoticePlan) {
        let number = try Self.nextNoticeNumber(db, studio: studio.id)
        let p = plan(number, try Self.found(db, parts: draft.audience, studio: studio), try Self.optedOut(db, studio: studio.id))
        guard !p.recipients.isEmpty else { throw NoticeError.emptyAudience }
        var notice = NoticeRecord(
            studioId: studio.id, number: number, kind: draft.kind, title: draft.title, body: draft.body, meetingAt: draft.meeting?.at,
            place: draft.meeting?.place, topic: draft.meeting?.topic,
            caseNumbers: draft.meeting.map { $0.caseNumbers.map(String.init).joined(separator: ",") },
            audience: draft.audience.map(\.description).joined(separator: "\n"), text: p.text, state: state, sendAt: p.sendAt,
            rsvpUntil: p.rsvpUntil, remindAt: p.remindAt, createdBy: createdBy, createdAt: now,
            template: p.template, templateValues: TemplateValues.json(p.values))
        try notice.insert(db)
        let ids = state == .draft ? [] : try CaseLedger(db: db, now: now).enqueueToAudience(
            p.recipients.map { OutboundText(to: $0.phone, text: p.text, kind: .broadcast, template: p.template, values: p.values) },
            studio: studio.id, from: from, channel: channel, due: p.sendAt)
        try Self.insertRecipients(db, notice: notice.id!, sent: p.recipients, messageIDs: ids, skipped: p.skipped)
        return (notice, p)
    }

    /// Sends a draft: one text per recipient kept when it was drafted, due at its send time (or
    /// now, when that has passed). Returns how many.
    static func sendDraft(_ db: Database, notice: inout NoticeRecord, channel: String, from: String, now: Date) throws -> Int {
        let phones = try String.fetchAll(db, sql: "SELECT phone FROM notice_recipients WHERE notice_id = ? AND skip_reason IS NULL ORDER BY rowid",
                                         arguments: [notice.id])
        let values = TemplateValues.values(notice.templateValues)
        let ids = try CaseLedger(db: db, now: now).enqueueToAudience(phones.map {
            OutboundText(to: $0, text: notice.text, kind: .broadcast, template: notice.template, values: values)
        }, studio: notice.studioId, from: from, channel: channel, due: max(notice.sendAt, now))
        let link = try db.cachedStatement(sql: "UPDATE notice_recipients SET message_id = ? WHERE notice_id = ? AND phone = ?")
        for (phone, id) in zip(phones, ids) { try link.execute(arguments: [id, notice.id, phone]) }
        notice.state = .sent
        notice.sendAt = max(notice.sendAt, now)
        try notice.update(db)
        return phones.count
    }

    static func insertRecipients(_ db: Database, notice: Int64, sent: [NoticeRecipient], messageIDs: [Int64], skipped: [SkippedRecipient]) throws {
        // A notice to 100,000 residents writes as many rows: bound in place (see BoundStatement).
        let insert = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO notice_recipients(notice_id, phone, name, role, area, via, skip_reason, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        func row(_ r: NoticeRecipient, skipped: SkipReason?, message: Int64?) throws {
            var s = BoundStatement(insert)
            s.bind(notice); s.bind(r.phone); s.bind(r.name); s.bind(r.role); s.bind(r.area); s.bind(r.via); s.bind(skipped?.rawValue); s.bind(message)
            try s.run(db)
        }
        for (i, r) in sent.enumerated() { try row(r, skipped: nil, message: i < messageIDs.count ? messageIDs[i] : nil) }
        // Duplicates are the same person as a row above: not stored twice.
        for k in skipped where k.reason != .duplicate { try row(k.recipient, skipped: k.reason, message: nil) }
    }

    /// The notice with this number in this studio.
    public func notice(studio: String, number: Int) async throws -> NoticeRecord? {
        try await read { db in try NoticeRecord.find(db, studio: studio, number: number) }
    }

    /// Notices, newest first (optionally of one studio).
    public func notices(studio: String? = nil, limit: Int = 1000) async throws -> [NoticeRecord] {
        try await read { db in
            var request = NoticeRecord.all()
            if let studio { request = request.filter(Column("studio_id") == studio) }
            return try request.order(Column("id").desc).limit(limit).fetchAll(db)
        }
    }

    /// Everyone a notice named, in audience order, with the status of the text each was sent.
    public func noticeRecipients(noticeID: Int64) async throws -> [(NoticeRecipientRecord, status: String?)] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.*, m.status AS message_status FROM notice_recipients r LEFT JOIN messages m ON m.id = r.message_id
                WHERE r.notice_id = ? ORDER BY r.rowid
                """, arguments: [noticeID]).map { (try NoticeRecipientRecord(row: $0), $0["message_status"]) }
        }
    }

    /// Coming, declined and no answer per seat; skipped per reason.
    public func noticeTally(noticeID: Int64) async throws -> NoticeTally {
        try await read { db in
            var tally = NoticeTally(rows: [], skipped: [:])
            for row in try Row.fetchAll(db, sql: "SELECT role, rsvp, skip_reason FROM notice_recipients WHERE notice_id = ? ORDER BY rowid", arguments: [noticeID]) {
                if let reason = (row["skip_reason"] as String?).flatMap(SkipReason.init) { tally.skipped[reason, default: 0] += 1; continue }
                let role: String = row["role"]
                if !tally.rows.contains(where: { $0.role == role }) { tally.rows.append(.init(role: role)) }
                let i = tally.rows.firstIndex { $0.role == role }!
                switch (row["rsvp"] as String?).flatMap(RSVPAnswer.init) {
                case .coming: tally.rows[i].coming += 1
                case .declined: tally.rows[i].declined += 1
                case nil: tally.rows[i].noAnswer += 1
                }
            }
            return tally
        }
    }
}

extension AppDatabase {
    /// Cancels a notice in one transaction: its texts still in the outbox are withdrawn, and those
    /// whose text went (or is going) out get `text(notice)`; answers stop counting.
    public func cancelNotice(studio: String, number: Int, reason: String, channel: String, from: String, now: Date,
                             text: @Sendable (NoticeRecord) -> OutboundText) async throws -> (withdrawn: Int, told: Int) {
        try await writer.write { db in
            guard var notice = try NoticeRecord.find(db, studio: studio, number: number) else {
                throw NoticeError.unknownNotice(number)
            }
            guard notice.state != .cancelled else { throw NoticeError.notOpen(number, notice.state) }
            let stamp = Stamp(now)
            try db.execute(sql: """
                UPDATE messages SET status = 'cancelled' WHERE id IN (
                  SELECT o.message_id FROM outbox o JOIN notice_recipients r ON r.message_id = o.message_id
                  WHERE r.notice_id = ? AND o.status = 'pending')
                """, arguments: [notice.id])
            try db.execute(sql: """
                UPDATE outbox SET status = 'cancelled', last_error = 'notice cancelled', updated_at = ? WHERE status = 'pending' AND message_id IN (
                  SELECT message_id FROM notice_recipients WHERE notice_id = ? AND message_id IS NOT NULL)
                """, arguments: [stamp.stored, notice.id])
            let withdrawn = db.changesCount
            let reached = try Self.reached(db, notice: notice.id!)
            let wasDraft = notice.state == .draft
            notice.state = .cancelled
            notice.cancelledAt = now
            notice.cancelReason = reason.isEmpty ? nil : reason
            try notice.update(db)
            guard !wasDraft, !reached.isEmpty else { return (withdrawn, 0) }
            let message = text(notice)
            try CaseLedger(db: db, now: now).enqueueToAudience(reached.map { message.addressed(to: $0) }, studio: studio, from: from, channel: channel)
            return (withdrawn, reached.count)
        }
    }

    /// The numbers a notice's text went (or is going) to, neither withdrawn nor refused, in
    /// audience order; with `comingOrSilent`, only those coming or who have not answered.
    static func reached(_ db: Database, notice: Int64, comingOrSilent: Bool = false) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT r.phone FROM notice_recipients r JOIN messages m ON m.id = r.message_id
            WHERE r.notice_id = ? AND m.status NOT IN ('cancelled', 'failed') \(comingOrSilent ? "AND (r.rsvp IS NULL OR r.rsvp = 'coming')" : "")
            ORDER BY r.rowid
            """, arguments: [notice])
    }

    /// Sent meeting notices whose reminder is due and not yet sent.
    public func dueNoticeReminders(now: Date) async throws -> [NoticeRecord] {
        try await read { db in
            try NoticeRecord.filter(Column("state") == NoticeState.sent.rawValue && Column("kind") == NoticeKind.meeting.rawValue
                && Column("remind_at") <= now && Column("reminded_at") == nil).fetchAll(db)
        }
    }

    /// Queues a notice's reminder to those coming and those who have not answered (and whose
    /// text was not withdrawn or refused); marks it reminded. Returns how many.
    public func remindNotice(id: Int64, text: OutboundText, channel: String, from: String, now: Date) async throws -> Int {
        try await writer.write { db in
            guard var notice = try NoticeRecord.fetchOne(db, key: id), notice.remindedAt == nil, notice.state == .sent else { return 0 }
            let phones = try Self.reached(db, notice: id, comingOrSilent: true)
            notice.remindedAt = now
            try notice.update(db)
            try CaseLedger(db: db, now: now).enqueueToAudience(phones.map { text.addressed(to: $0) }, studio: notice.studioId, from: from, channel: channel)
            return phones.count
        }
    }
}

extension AppDatabase {
    /// Replaces the roll `name` of a studio with `entries`, in one transaction.
    public func importRoll(studio: String, name: String, entries: [RollEntry]) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM roll_entries WHERE studio_id = ? AND roll = ?", arguments: [studio, name])
            for (i, e) in entries.enumerated() {
                try db.execute(sql: "INSERT INTO roll_entries(studio_id, roll, position, name, phone, role, area) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               arguments: [studio, name, i + 1, e.name, e.phone, e.role, e.area])
            }
        }
    }

    /// A studio's rolls (or every studio's): name, how many on it, its areas.
    public func rolls(studio: String? = nil) async throws -> [(studio: String, name: String, count: Int, areas: [String])] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT studio_id, roll, COUNT(*) AS n, GROUP_CONCAT(DISTINCT area) AS areas FROM roll_entries
                WHERE ? IS NULL OR studio_id = ? GROUP BY studio_id, roll ORDER BY studio_id, roll
                """, arguments: [studio, studio]).map { row in
                (row["studio_id"], row["roll"], row["n"], ((row["areas"] as String?) ?? "").split(separator: ",").map(String.init))
            }
        }
    }

    /// The people on a roll, in the file's order.
    public func roll(studio: String, name: String) async throws -> [RollEntry] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT name, phone, role, area FROM roll_entries WHERE studio_id = ? AND roll = ? ORDER BY position",
                             arguments: [studio, name]).map { RollEntry(name: $0["name"], phone: $0["phone"], role: $0["role"], area: $0["area"]) }
        }
    }
}

extension AppDatabase {
    /// Changes a sent meeting's time or place in one transaction: texts not sent yet carry the new
    /// facts, those the notice reached get `texts.change` and are asked again (their answers are
    /// cleared), the reminder is planned anew. Returns how many were told.
    public func changeNotice(studio: String, number: Int, meetingAt: Date?, place: String?, channel: String, from: String, now: Date,
                             texts: @Sendable (NoticeRecord) -> (notice: String, change: OutboundText, remindAt: Date?, values: [String: String])) async throws -> Int {
        try await writer.write { db in
            guard var notice = try NoticeRecord.find(db, studio: studio, number: number) else {
                throw NoticeError.unknownNotice(number)
            }
            guard notice.state != .cancelled, notice.kind == .meeting else { throw NoticeError.notOpen(number, notice.state) }
            if notice.rsvpUntil == notice.meetingAt { notice.rsvpUntil = meetingAt ?? notice.meetingAt }
            notice.meetingAt = meetingAt ?? notice.meetingAt
            notice.place = place ?? notice.place
            let (text, change, remindAt, values) = texts(notice)
            notice.text = text
            notice.templateValues = TemplateValues.json(values)
            notice.remindAt = remindAt
            notice.remindedAt = nil
            try notice.update(db)
            try db.execute(sql: """
                UPDATE messages SET text = ?, template_values = ? WHERE id IN (
                  SELECT o.message_id FROM outbox o JOIN notice_recipients r ON r.message_id = o.message_id
                  WHERE r.notice_id = ? AND o.status = 'pending')
                """, arguments: [text, notice.templateValues, notice.id])
            guard notice.state == .sent else { return 0 }
            let reached = try String.fetchAll(db, sql: """
                SELECT r.phone FROM notice_recipients r JOIN messages m ON m.id = r.message_id JOIN outbox o ON o.message_id = m.id
                WHERE r.notice_id = ? AND o.status IN ('sending', 'sent') ORDER BY r.rowid
                """, arguments: [notice.id])
            try db.execute(sql: "UPDATE notice_recipients SET rsvp = NULL, rsvp_note = NULL, rsvp_at = NULL WHERE notice_id = ?", arguments: [notice.id])
            try CaseLedger(db: db, now: now).enqueueToAudience(reached.map { change.addressed(to: $0) }, studio: studio, from: from, channel: channel)
            return reached.count
        }
    }
}
