import Foundation
import GRDB
import HotlineCore

/// Reads and writes of casework inside one write transaction: the one door through which intake,
/// member commands, survey answers and the deadline service change cases. Every write that opens,
/// closes or moves a case keeps the open-case counts (`assignee_load`) in step.
public struct CaseLedger {
    let db: Database
    /// The time of the transaction's cause (the message's arrival, the service's tick).
    public let now: Date
    /// `now` as stored, formatted once for all the rows this ledger writes.
    let stamp: Stamp
    /// Intake's: the replies it queues go to the dispatcher in memory after the commit
    /// (``OutboxHandOff``); nil: every text waits in the outbox for the dispatcher's claim.
    let handOff: HandOffBatch?

    init(db: Database, now: Date, handOff: HandOffBatch? = nil) {
        self.db = db
        self.now = now
        self.stamp = Stamp(now)
        self.handOff = handOff
    }

    /// The text intake is handling in this transaction, stored once handled (``InboundInHand``).
    var inbound: InboundInHand? { InboundInHand.current(db) }

    // MARK: reads

    /// The case with this number in this studio.
    public func caseRecord(studio: String, number: Int) throws -> CaseRecord? {
        try CaseRecord.numbered(number, in: studio).fetchOne(db)
    }

    /// A member's open cases, oldest first (their queue, 待办).
    public func queue(studio: String, assignee: String) throws -> [CaseRecord] {
        try CaseRecord.filter(Column("studio_id") == studio && Column("assignee_id") == assignee
            && CaseState.openStates.map(\.rawValue).contains(Column("state")))
            .order(Column("created_at"), Column("id")).fetchAll(db)
    }

    /// A resident's cases that are open or wait for the satisfaction answer, newest first.
    public func activeCases(studio: String, resident: String) throws -> [CaseRecord] {
        // Asked for every resident text, and most come from residents with nothing in progress:
        // a look through the index first, records only when there are some (GRDB's record cursor
        // cost a few percent of intake even for no rows).
        var any = BoundStatement(try db.cachedStatement(sql: Self.anyActiveSQL))
        any.bind(studio); any.bind(resident)
        guard try any.firstRow(db, { $0.int64(0) }) != nil else { return [] }
        return try CaseRecord.fetchAll(db.cachedStatement(sql: Self.activeCasesSQL), arguments: [studio, resident])
    }

    static let anyActiveSQL = "SELECT 1 FROM cases WHERE \(activeCasesCondition) LIMIT 1"
    static let activeCasesCondition = """
        studio_id = ? AND resident_phone = ?
          AND (state IN (\(CaseStateSQL.openList))
               OR (state = '\(CaseState.closed.rawValue)' AND survey_state IN ('\(SurveyState.asked.rawValue)', '\(SurveyState.reminded.rawValue)')))
        """
    static let activeCasesSQL = "SELECT * FROM cases WHERE \(activeCasesCondition) ORDER BY id DESC"

    /// Cases the deadline service looks at: open ones, and closed ones waiting for the survey answer.
    public func casesToFollowUp() throws -> [CaseRecord] {
        try CaseRecord.filter(CaseState.openStates.map(\.rawValue).contains(Column("state"))
            || (Column("state") == CaseState.closed.rawValue && [SurveyState.asked.rawValue, SurveyState.reminded.rawValue].contains(Column("survey_state"))))
            .order(Column("id")).fetchAll(db)
    }

    /// The case's messages in both directions, oldest first.
    public func conversation(caseID: Int64) throws -> [MessageRecord] {
        try MessageRecord.ofCase(caseID).fetchAll(db)
    }

    /// The case's audit trail, oldest first.
    public func events(caseID: Int64) throws -> [CaseEventRecord] {
        try CaseEventRecord.ofCase(caseID).fetchAll(db)
    }

    /// The case's latest entry in its audit trail: its kind and actor.
    public func latestEvent(_ caseID: Int64) throws -> (kind: String, actor: String)? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT kind, actor FROM case_events WHERE case_id = ? ORDER BY id DESC LIMIT 1"),
                         arguments: [caseID]).map { ($0[0], $0[1]) }
    }

    /// The area a resident registered by text.
    public func registeredArea(studio: String, phone: String) throws -> String? {
        var s = BoundStatement(try db.cachedStatement(sql: "SELECT area FROM residents WHERE studio_id = ? AND phone = ?"))
        s.bind(studio); s.bind(phone)
        return try s.firstRow(db) { $0.text(0) }
    }

    /// Open cases per assignee in a studio (from the load table the writes keep).
    public func openCaseCounts(studio: String) throws -> [String: Int] {
        var s = BoundStatement(try db.cachedStatement(sql: "SELECT assignee_id, open_cases FROM assignee_load WHERE studio_id = ?"))
        s.bind(studio)
        var counts: [String: Int] = [:]
        try s.rows(db) { row in
            if let assignee = row.text(0) { counts[assignee] = Int(row.int64(1) ?? 0) }
        }
        return counts
    }

    /// The number a new case in this studio gets.
    public func nextCaseNumber(studio: String) throws -> Int {
        var s = BoundStatement(try db.cachedStatement(sql: "SELECT MAX(number) FROM cases WHERE studio_id = ?"))
        s.bind(studio)
        return Int(try s.firstRow(db) { $0.int64(0) } ?? 0) + 1
    }

    /// Roster ids on leave now: routing skips them (asked for every new case), transfers refuse them.
    public func onLeave(studio: String) throws -> Set<String> {
        var s = BoundStatement(try db.cachedStatement(sql: "SELECT roster_id FROM member_leave WHERE studio_id = ? AND (until IS NULL OR until > ?)"))
        s.bind(studio); s.bind(stamp.stored)
        var ids: Set<String> = []
        try s.rows(db) { row in if let id = row.text(0) { ids.insert(id) } }
        return ids
    }

    /// The channel and hotline number a case's first message came in on (where texts to its resident go back).
    public func origin(caseID: Int64) throws -> (channel: String, hotline: String)? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT channel, to_number FROM messages WHERE case_id = ? AND direction = 'in' ORDER BY id LIMIT 1"),
                         arguments: [caseID]).map { ($0["channel"], $0["to_number"]) }
    }

    /// What the sender guard needs about `phone`'s texts on `channel` within `window` before `now`
    /// (the text just stored included).
    public func senderActivity(studio: String, phone: String, channel: String, text: String, window: TimeInterval) throws -> SenderActivity {
        // Asked for every resident text: one statement for the counts and the stored state; the
        // texts we sent them are read only when this is not their first text of the window.
        let since = Stamp(now.addingTimeInterval(-window)).stored
        var s = BoundStatement(try db.cachedStatement(sql: """
            SELECT COUNT(*), SUM(text = ?),
                   (SELECT machine_streak FROM residents WHERE studio_id = ? AND phone = ?),
                   (SELECT mute_reason FROM residents WHERE studio_id = ? AND phone = ?)
            FROM messages WHERE direction = 'in' AND channel = ? AND from_number = ? AND created_at >= ?
            """))
        s.bind(text); s.bind(studio); s.bind(phone); s.bind(studio); s.bind(phone); s.bind(channel); s.bind(phone); s.bind(since)
        var (recent, same, streak, reason) = try s.firstRow(db) { row in
            (Int(row.int64(0) ?? 0), Int(row.int64(1) ?? 0), Int(row.int64(2) ?? 0), row.text(3).flatMap(MuteReason.init))
        } ?? (0, 0, 0, nil)
        // The text in hand is stored after it is handled: counted here as if it were.
        if let inbound, inbound.message.channel == channel, inbound.message.from == phone {
            recent += 1
            if inbound.message.text == text { same += 1 }
        }
        var activity = SenderActivity(recentTexts: recent, sameTexts: same, machineStreak: streak, muteReason: reason)
        guard recent > 1 || streak > 0 || reason != nil else { return activity }
        activity.mutedUntil = try Date.fetchOne(db.cachedStatement(sql: "SELECT muted_until FROM residents WHERE studio_id = ? AND phone = ?"),
                                                arguments: [studio, phone])
        activity.sentToThem = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT created_at, text FROM messages WHERE direction = 'out' AND to_number = ? AND created_at >= ? AND studio_id = ?
            ORDER BY created_at DESC, id DESC LIMIT 3
            """), arguments: [phone, since, studio]).map { (at: $0["created_at"] as Date, text: $0["text"] as String) }
        return activity
    }

    /// A member's or liaison's activity: as ``senderActivity(studio:phone:channel:text:window:)``,
    /// with the texts we sent them always read and their free texts passed on within the window
    /// and within the last day.
    public func rosterActivity(studio: String, phone: String, channel: String, text: String, window: TimeInterval) throws -> SenderActivity {
        var activity = try senderActivity(studio: studio, phone: phone, channel: channel, text: text, window: window)
        let since = Stamp(now.addingTimeInterval(-window)).stored
        if activity.sentToThem.isEmpty {
            // Their first text of the window may already echo one of ours.
            activity.sentToThem = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT created_at, text FROM messages WHERE direction = 'out' AND to_number = ? AND created_at >= ? AND studio_id = ?
                ORDER BY created_at DESC, id DESC LIMIT 3
                """), arguments: [phone, since, studio]).map { (at: $0["created_at"] as Date, text: $0["text"] as String) }
        }
        // Both counts in one walk of the wider of the two spans (the window may be shorter or longer than a day).
        let dayAgo = Stamp(now.addingTimeInterval(-86_400)).stored
        let counts = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT COALESCE(SUM(created_at >= ?), 0), COALESCE(SUM(created_at >= ?), 0) FROM messages
            WHERE direction = 'out' AND to_number = ? AND created_at >= MIN(?, ?) AND studio_id = ? AND kind = ?
            """), arguments: [since, dayAgo, phone, since, dayAgo, studio, OutboundKind.forwardReceipt.rawValue])
        activity.forwards = counts?[0] ?? 0
        activity.forwardsToday = counts?[1] ?? 0
        return activity
    }

    // MARK: writes

    /// Stores the sender guard's verdict on a number: its streak and mute.
    public func recordSender(studio: String, phone: String, verdict: SenderVerdict) throws {
        try db.execute(sql: "UPDATE residents SET muted_until = ?, mute_reason = ?, machine_streak = ? WHERE studio_id = ? AND phone = ?",
                       arguments: [verdict.mutedUntil, verdict.muteReason?.rawValue, verdict.machineStreak, studio, phone])
    }

    /// Writes an intake decision: the registration, or the new case with its audit trail and replies
    /// — those to the resident on `replyChannel`, those to members on `rosterChannel` (by default the same).
    public func apply(_ decision: IntakePlan, for inbound: InboundMessage, replyChannel: String, rosterChannel: String? = nil) throws -> Handled {
        switch decision {
        case let .registration(area, reply):
            if let area {
                try db.cachedStatement(sql: "UPDATE residents SET area = ? WHERE studio_id = ? AND phone = ?")
                .execute(arguments: [area, inbound.studioID, inbound.from])
            }
            try enqueue([reply], studio: inbound.studioID, from: inbound.to, channel: replyChannel, caseID: nil)
            return Handled(queued: 1)

        case let .newCase(p):
            let json = p.classificationJSON ?? p.classification.jsonText
            var record = CaseRecord(
                studioId: inbound.studioID, number: p.number, residentPhone: inbound.from,
                intent: p.classification.intent, topic: p.classification.topic, area: p.area, areaSource: p.areaSource,
                assigneeId: p.routing?.assignee, state: p.state, routingReason: p.routing?.reason,
                routingExplanation: p.routing?.explanation, classification: json, text: inbound.text,
                createdAt: now, updatedAt: now)
            record.progress = p.progress
            record.traditional = p.traditional
            record.residentToken = p.residentToken
            try record.insertCached(db, stamp: stamp)
            let caseID = record.id!
            try recount(record, before: nil)
            if let assignee = record.assigneeId, record.state.isOpen {
                try adjustLoad(studio: inbound.studioID, assignee: assignee, by: 1)
            }
            try addEvent(caseID, actor: "resident", kind: .opened,
                         detail: "\(p.classification.intent.rawValue)/\(p.classification.topic.rawValue) score \(p.classification.score)")
            if let routing = p.routing {
                try addEvent(caseID, actor: "system", kind: .assigned,
                             detail: "\(routing.assignee): \(routing.reason.rawValue), \(routing.explanation)")
            } else if p.state == .answered {
                try addEvent(caseID, actor: "system", kind: .answered, detail: "answered from the rule table")
            }
            let (toResident, toRoster) = (p.replies.filter { $0.to == inbound.from }, p.replies.filter { $0.to != inbound.from })
            try enqueue(toResident, studio: inbound.studioID, from: inbound.to, channel: replyChannel, caseID: caseID)
            try enqueue(toRoster, studio: inbound.studioID, from: inbound.to, channel: rosterChannel ?? replyChannel, caseID: caseID)
            return Handled(caseID: caseID, caseNumber: p.number, queued: p.replies.count)
        }
    }

    /// Writes a case's new progress, keeping the open-case counts and the reports' tallies in step with the old one.
    public func save(_ record: inout CaseRecord, progress: CaseProgress) throws {
        let old = record.progress
        record.progress = progress
        record.updatedAt = now
        record.version += 1
        // As stored, not as the caller holds it: the record may carry other changes (a new area).
        let counted = try record.id.flatMap { try tally(caseID: $0) }
        try record.update(db)
        try recount(record, before: counted)
        let studio = record.studioId
        let wasCounted = old.state.isOpen ? old.assignee : nil
        let isCounted = progress.state.isOpen ? progress.assignee : nil
        if wasCounted != isCounted {
            if let a = wasCounted { try adjustLoad(studio: studio, assignee: a, by: -1) }
            if let a = isCounted { try adjustLoad(studio: studio, assignee: a, by: 1) }
        }
    }

    /// Adds an entry to a case's audit trail.
    public func addEvent(_ caseID: Int64, actor: String, kind: CaseEventKind, detail: String?) throws {
        var event = CaseEventRecord(caseId: caseID, at: now, actor: actor, kind: kind.rawValue, detail: detail)
        try event.insertCached(db, stamp: stamp)
    }

    /// Puts a member on leave (replacing any earlier leave) until `until` (nil: until 销假).
    public func startLeave(studio: String, rosterID: String, until: Date?) throws {
        try db.execute(sql: """
            INSERT INTO member_leave(studio_id, roster_id, since, until) VALUES (?, ?, ?, ?)
            ON CONFLICT(studio_id, roster_id) DO UPDATE SET since = excluded.since, until = excluded.until
            """, arguments: [studio, rosterID, now, until])
    }

    /// Ends a member's leave.
    public func endLeave(studio: String, rosterID: String) throws {
        try db.execute(sql: "DELETE FROM member_leave WHERE studio_id = ? AND roster_id = ?", arguments: [studio, rosterID])
    }

    /// Records that a resident opted out (`since`; a repeat keeps the first time) or, with nil,
    /// opted back in (an opt-out kept after they were forgotten removed too); answers whether that
    /// changed anything.
    @discardableResult
    public func setOptedOut(studio: String, phone: String, since: Date?, alsoIn others: [String] = []) throws -> Bool {
        if let since {
            try db.execute(sql: "UPDATE residents SET opted_out_at = ? WHERE studio_id = ? AND phone = ? AND opted_out_at IS NULL",
                           arguments: [since, studio, phone])
        } else {
            try db.execute(sql: "UPDATE residents SET opted_out_at = NULL WHERE studio_id = ? AND phone = ? AND opted_out_at IS NOT NULL",
                           arguments: [studio, phone])
        }
        var changed = db.changesCount > 0
        // Back in: an opt-out kept from before they were forgotten goes too.
        if since == nil, try OptOutDigests.drop(db, phone: phone, studios: [studio] + others) > 0 { changed = true }
        // The other studios of a deployment whose opt-out covers them all: their notices skip the
        // number too (a row for a studio the number never texted records only that).
        for other in others where other != studio {
            if let since {
                try db.execute(sql: """
                    INSERT INTO residents(studio_id, phone, area, first_seen_at, last_seen_at, opted_out_at) VALUES (?, ?, NULL, ?, ?, ?)
                    ON CONFLICT(studio_id, phone) DO UPDATE SET opted_out_at = COALESCE(opted_out_at, excluded.opted_out_at)
                    """, arguments: [other, phone, since, since, since])
            } else {
                try db.execute(sql: "UPDATE residents SET opted_out_at = NULL WHERE studio_id = ? AND phone = ?", arguments: [other, phone])
            }
        }
        return changed
    }

    /// Inserts outbound messages with their outbox rows, due now (or at `due`); returns the
    /// messages' ids in order.
    @discardableResult
    public func enqueue(_ texts: [OutboundText], studio: String, from: String, channel: String, caseID: Int64?, due: Date? = nil) throws -> [Int64] {
        var ids: [Int64] = []
        ids.reserveCapacity(texts.count)
        // A notice's texts are all alike: encoding and parts counted once per distinct text.
        var lastText: String?
        var encoding = "", parts = 0
        for text in texts {
            if text.text != lastText {
                (encoding, parts, lastText) = (SMSSegments.encoding(of: text.text).rawValue, SMSSegments.parts(of: text.text), text.text)
            }
            var message = MessageRecord(
                studioId: studio, direction: .outbound, channel: channel, providerId: nil, fromNumber: from, toNumber: text.to,
                text: text.text, status: .queued, kind: text.kind, caseId: caseID, createdAt: now,
                encoding: encoding, parts: parts, template: text.template, templateValues: TemplateValues.json(text.values))
            try message.insertCached(db, stamp: stamp)
            // Case traffic due now goes straight to the dispatcher; a broadcast is claimed from the
            // table, which checks the recipient's opt-out as it is sent.
            let handed = handOff != nil && text.kind.priority < OutboundKind.broadcast.priority && (due ?? now) <= now
            var item = OutboxRecord(messageId: message.id!, channel: channel, priority: text.kind.priority, status: handed ? .sending : .pending,
                                    attempts: handed ? 1 : 0, nextAttemptAt: due ?? now, updatedAt: now)
            try item.insertCached(db, stamp: stamp)
            if handed, let handOff {
                handOff.add(OutboxItem(outboxID: item.id!, messageID: message.id!, channel: channel, from: from, to: text.to, text: text.text,
                                       attempt: 1, template: text.template, values: text.values))
            }
            ids.append(message.id!)
        }
        return ids
    }

    /// Adds `delta` to an assignee's open cases.
    func adjustLoad(studio: String, assignee: String, by delta: Int) throws {
        var s = BoundStatement(try db.cachedStatement(sql: """
            INSERT INTO assignee_load(studio_id, assignee_id, open_cases) VALUES (?, ?, MAX(?, 0))
            ON CONFLICT(studio_id, assignee_id) DO UPDATE SET open_cases = MAX(open_cases + ?, 0)
            """))
        s.bind(studio); s.bind(assignee); s.bind(delta); s.bind(delta)
        try s.run(db)
    }
}

/// A text's template values as stored: a JSON object, keys sorted (nil when there are none).
enum TemplateValues {
    static func json(_ values: [String: String]) -> String? {
        values.isEmpty ? nil : JSONText.object(values)
    }

    static func values(_ json: String?) -> [String: String] {
        guard let json, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String] else { return [:] }
        return object
    }
}
