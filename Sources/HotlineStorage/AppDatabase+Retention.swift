import Foundation
import GRDB
import HotlineCore

/// What a purge removed, or would remove.
public struct PurgeCounts: Sendable, Equatable {
    /// Cases whose texts and resident's number were removed (with their messages and audit entries).
    public var cases = 0
    /// Their messages, both ways.
    public var caseMessages = 0
    /// Messages of no case past their retention.
    public var unlinkedMessages = 0
    /// Residents no longer seen, with nothing else held (no case, no binding; an opt-out is kept as a digest).
    public var residents = 0
    /// Expired or revoked API tokens and sessions, and expired phone-binding codes.
    public var tokens = 0

    public init() {}

    /// As stored in the audit table and printed.
    public var json: String {
        JSONText.object(["cases": cases, "case_messages": caseMessages, "unlinked_messages": unlinkedMessages,
                         "residents": residents, "tokens": tokens] as [String: (any Sendable)?])
    }
}

/// One entry of the data audit: what was removed or shown of residents' data.
public struct DataAuditEntry: Sendable, Equatable {
    public var id: Int64
    public var at: Date
    /// Who: `hotline serve` (its daily purge), `hotline purge` and the other commands, `api:LOGIN`.
    public var actor: String
    /// `purge`, `show` or `forget`.
    public var action: String
    /// The studio a resident's request was made to; nil when it covered every studio.
    public var studio: String?
    /// A JSON object: the counts removed, and for a resident's request their masked number.
    public var detail: String
}

extension AppDatabase {
    /// Removes what `policy` keeps no longer, as of `now`: the texts and the resident's number of
    /// each case closed (or answered) before its limit — the case keeps its topic, area, dates,
    /// state, outcome and survey answer, so the tallies and every past month's report are
    /// unchanged, and the number stays masked (`+86137****0001`) — with its messages' texts and the
    /// resident's number in them and the resident's words in its audit trail and the search index;
    /// the texts and numbers of messages of no case past theirs; residents seen last before the
    /// cases' limit with nothing else held; expired tokens, sessions and binding codes.
    ///
    /// In transactions paced to hold the writer about `pace.hold` each (intake's commits go on
    /// between them). Recorded in the data audit under `actor`. `dryRun`: counts only, changes and
    /// records nothing.
    public func purge(_ policy: RetentionPolicy, now: Date, actor: String, dryRun: Bool = false, pace: WritePace = WritePace()) async throws -> PurgeCounts {
        var counts = PurgeCounts()
        let closedBefore = policy.closedCaseDays.map { now.addingTimeInterval(-Double($0) * 86_400) }
        let unlinkedBefore = policy.unlinkedMessageDays.map { now.addingTimeInterval(-Double($0) * 86_400) }
        if dryRun {
            return try await read { db in
                var counts = PurgeCounts()
                if let closedBefore {
                    counts.cases = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cases WHERE \(Self.purgeableCase)", arguments: [closedBefore]) ?? 0
                    counts.caseMessages = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE case_id IN (SELECT id FROM cases WHERE \(Self.purgeableCase))",
                                                           arguments: [closedBefore]) ?? 0
                    counts.residents = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM residents r WHERE \(Self.forgettableResident(afterPurge: false))",
                                                        arguments: [closedBefore, closedBefore]) ?? 0
                }
                if let unlinkedBefore {
                    counts.unlinkedMessages = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE \(Self.purgeableUnlinked)", arguments: [unlinkedBefore]) ?? 0
                }
                counts.tokens = try Self.expiredTokens(db, now: now, delete: false)
                return counts
            }
        }
        // What to change is found by reads beside the writer (scans of a district's cases and
        // messages take seconds; intake must not wait for them); the writes then go by id, in
        // paced transactions, each row's condition checked again (a case reopened meanwhile is
        // not purged).
        if let closedBefore {
            let ids = try await read { db in try Int64.fetchAll(db, sql: "SELECT id FROM cases WHERE \(Self.purgeableCase) ORDER BY id", arguments: [closedBefore]) }
            for (done, messages) in try await writePaced(ids, pace: pace, { db, chunk -> (Int, Int) in
                var erased: [(id: Int64, text: String)] = [], messages = 0
                for id in chunk {
                    guard let row = try Row.fetchOne(db, sql: "SELECT text, resident_phone FROM cases WHERE id = ? AND \(Self.purgeableCase)",
                                                     arguments: [id, closedBefore]) else { continue }
                    messages += try Self.eraseCase(db, id: id, text: row["text"], phone: row["resident_phone"], now: now)
                    erased.append((id, row["text"]))
                }
                try Self.unindex(db, erased)
                return (erased.count, messages)
            }) {
                counts.cases += done
                counts.caseMessages += messages
            }
        }
        if let unlinkedBefore {
            let ids = try await read { db in try Int64.fetchAll(db, sql: "SELECT id FROM messages WHERE \(Self.purgeableUnlinked)", arguments: [unlinkedBefore]) }
            counts.unlinkedMessages += try await writePaced(ids, pace: pace) { db, chunk in
                try Self.eraseMessages(db, where: "id IN (\(Self.placeholders(chunk.count))) AND \(Self.purgeableUnlinked)",
                                       StatementArguments(chunk) + [unlinkedBefore])
            }.reduce(0, +)
        }
        if let closedBefore {
            let rows = try await read { db in
                try Int64.fetchAll(db, sql: "SELECT r.rowid FROM residents r WHERE \(Self.forgettableResident(afterPurge: true))", arguments: [closedBefore])
            }
            counts.residents += try await writePaced(rows, pace: pace) { db, chunk in
                let these = "r.rowid IN (\(Self.placeholders(chunk.count))) AND \(Self.forgettableResident(afterPurge: true))"
                // An opt-out outlives the row, as a keyed digest of the number.
                _ = try OptOutDigests.keep(db, residentsWhere: these, StatementArguments(chunk) + [closedBefore])
                try db.execute(sql: "DELETE FROM residents AS r WHERE \(these)", arguments: StatementArguments(chunk) + [closedBefore])
                return db.changesCount
            }.reduce(0, +)
        }
        let found = counts
        return try await writer.write { db in
            var counts = found
            counts.tokens = try Self.expiredTokens(db, now: now, delete: true)
            try Self.audit(db, at: now, actor: actor, action: "purge", detail: counts.json)
            return counts
        }
    }

    static func chunks<T>(_ items: [T], _ size: Int) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: max(1, size)).map { items[$0..<min($0 + max(1, size), items.count)] }
    }

    static func placeholders(_ n: Int) -> String {
        Array(repeating: "?", count: n).joined(separator: ", ")
    }

    /// The data audit, newest first: `limit` entries before id `before`; with `studios`, only the
    /// entries of those studios and those that covered every studio.
    public func dataAudit(studios: [String]? = nil, before: Int64? = nil, limit: Int = 100) async throws -> [DataAuditEntry] {
        try await read { db in
            let scope = Self.scope(studios, orNull: true)
            return try Row.fetchAll(db, sql: """
                SELECT id, at, actor, action, studio_id, detail FROM data_audit WHERE id < ? AND \(scope.sql) ORDER BY id DESC LIMIT ?
                """, arguments: [before ?? Int64.max] + scope.arguments + [limit]).map {
                DataAuditEntry(id: $0["id"], at: $0["at"], actor: $0["actor"], action: $0["action"], studio: $0["studio_id"], detail: $0["detail"])
            }
        }
    }

    static func audit(_ db: Database, at: Date, actor: String, action: String, studio: String? = nil, detail: String) throws {
        try db.execute(sql: "INSERT INTO data_audit(at, actor, action, studio_id, detail) VALUES (?, ?, ?, ?, ?)",
                       arguments: [at, actor, action, studio, detail])
    }

    /// `studio_id IN (…)` for `studios` (`1` for nil: every studio), and `OR studio_id IS NULL` with `orNull`.
    static func scope(_ studios: [String]?, column: String = "studio_id", orNull: Bool = false) -> (sql: String, arguments: StatementArguments) {
        guard let studios else { return ("1", []) }
        let within = studios.isEmpty ? "0" : "\(column) IN (\(placeholders(studios.count)))"
        return (orNull ? "(\(within) OR \(column) IS NULL)" : within, StatementArguments(studios))
    }

    // MARK: the parts

    /// Cases whose personal data is past its time (argument: the closing limit). `answered` cases
    /// (answered from the rule table) are done when made.
    static let purgeableCase = """
        purged_at IS NULL AND state IN ('\(CaseState.closed.rawValue)', '\(CaseState.surveyed.rawValue)', '\(CaseState.answered.rawValue)')
          AND COALESCE(closed_at, updated_at) < ?
        """

    /// Messages of no case past their time, not already emptied, none waiting to be sent (argument: the limit).
    static let purgeableUnlinked = """
        case_id IS NULL AND created_at < ? AND text != ''
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = messages.id AND o.status IN ('pending', 'sending', 'waiting'))
        """

    /// Residents last seen before the limit with nothing else kept for them: no binding, no case
    /// whose data is still held (arguments: the limit, and before a purge the cases' limit again:
    /// their cases would be purged by then). An opt-out is kept without the row (``OptOutDigests``).
    static func forgettableResident(afterPurge: Bool) -> String {
        let held = afterPurge ? "c.purged_at IS NULL" : "NOT (c.purged_at IS NULL AND c.state IN ('closed', 'surveyed', 'answered') AND COALESCE(c.closed_at, c.updated_at) < ?) AND c.purged_at IS NULL"
        return """
            r.last_seen_at < ? AND r.bound_phone IS NULL
              AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.studio_id = r.studio_id AND c.resident_phone = r.phone AND \(held))
            """
    }

    /// Takes erased cases' words out of the search index, in one statement: the index keeps no
    /// text but its words, and a contentless index forgets a row only when told them. FTS5 writes
    /// out what it holds at each statement that changes it inside a transaction, so one statement a
    /// case made a segment a case and merges that read the index again (17 ms a case on a
    /// million, the purge of a year's backlog hours); one a batch makes one.
    static func unindex(_ db: Database, _ cases: [(id: Int64, text: String)]) throws {
        let through = try Int64.fetchOne(db, sql: "SELECT through FROM case_words_state WHERE id = 1") ?? 0
        let words = cases.filter { $0.id <= through }.map { (id: $0.id, words: SearchWords.of($0.text).joined(separator: " ")) }
        guard !words.isEmpty else { return }
        try db.execute(sql: "INSERT INTO case_words(case_words, rowid, words) SELECT 'delete', CAST(key AS INTEGER), value FROM json_each(?)",
                       arguments: [Self.wordsByCase(words)])
    }

    /// Removes one case's texts and its resident's number everywhere it is held (its words in the
    /// search index: ``unindex(_:_:)`` after the batch); returns its messages.
    static func eraseCase(_ db: Database, id: Int64, text: String, phone: String, now: Date) throws -> Int {
        let masked = PhoneNumber.mask(phone)
        try db.execute(sql: "UPDATE cases SET text = '', resident_phone = ?, resident_token = NULL, purged_at = ? WHERE id = ?",
                       arguments: [masked, now, id])
        try db.execute(sql: """
            UPDATE messages SET text = '', template_values = NULL,
              from_number = CASE WHEN from_number = ? THEN ? ELSE from_number END,
              to_number = CASE WHEN to_number = ? THEN ? ELSE to_number END
            WHERE case_id = ?
            """, arguments: [phone, masked, phone, masked, id])
        let messages = db.changesCount
        // The member's closing note stays (the record of the answer), any phone number in it masked.
        if let note = try String.fetchOne(db, sql: "SELECT outcome_note FROM cases WHERE id = ?", arguments: [id]) {
            let masked = PhoneNumber.maskMobiles(in: note, keep: "")
            if masked != note { try db.execute(sql: "UPDATE cases SET outcome_note = ? WHERE id = ?", arguments: [masked, id]) }
        }
        // The resident's own words in the audit trail (what they added to the case).
        try db.execute(sql: "UPDATE case_events SET detail = NULL WHERE case_id = ? AND actor = 'resident'", arguments: [id])
        return messages
    }

    /// Empties the texts of the messages `condition` selects and masks the number of the other party
    /// (the sender of a text that came in, the recipient of one sent); returns how many.
    static func eraseMessages(_ db: Database, where condition: String, _ arguments: StatementArguments) throws -> Int {
        // The hotline's own side stays: a studio's number is no one's personal data, and it still
        // says which line a text came in on or went out from (both were masked before).
        let rows = try Row.fetchAll(db, sql: "SELECT id, direction, from_number, to_number FROM messages WHERE \(condition)", arguments: arguments)
        let update = try db.cachedStatement(sql: "UPDATE messages SET text = '', template_values = NULL, from_number = ?, to_number = ? WHERE id = ?")
        for row in rows {
            let (from, to): (String, String) = (row["from_number"], row["to_number"])
            let inbound = (row["direction"] as String) == MessageRecord.Direction.inbound.rawValue
            try update.execute(arguments: [inbound ? PhoneNumber.mask(from) : from, inbound ? to : PhoneNumber.mask(to), row["id"] as Int64])
        }
        return rows.count
    }

    /// Tokens and sessions expired or revoked, and binding codes expired unused: counted, or deleted.
    static func expiredTokens(_ db: Database, now: Date, delete: Bool) throws -> Int {
        let parts = [("api_tokens", "expires_at < ? OR revoked_at IS NOT NULL"), ("phone_bindings", "bound_at IS NULL AND expires_at < ?")]
        var n = 0
        for (table, condition) in parts {
            let arguments: StatementArguments = condition.contains("?") ? [now] : []
            if delete {
                try db.execute(sql: "DELETE FROM \(table) WHERE \(condition)", arguments: arguments)
                n += db.changesCount
            } else {
                n += try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE \(condition)", arguments: arguments) ?? 0
            }
        }
        return n
    }
}
