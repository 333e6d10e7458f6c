import Foundation
import GRDB
import HotlineCore

/// What a resident's erasure removed.
public struct ForgetCounts: Sendable, Equatable, Encodable {
    public var cases = 0, messages = 0, residents = 0, notices = 0, rolls = 0, bindings = 0, cancelled = 0
    /// Resident rows whose opt-out was kept as a digest (``OptOutDigests``).
    public var optOutsKept = 0

    public var json: String {
        JSONText.object(["cases": cases, "messages": messages, "residents": residents, "notices": notices,
                         "rolls": rolls, "bindings": bindings, "cancelled": cancelled, "opt_outs_kept": optOutsKept] as [String: (any Sendable)?])
    }
}

extension AppDatabase {
    /// Everything held about `phone` in `studios` (nil: every studio), as JSON objects by table
    /// (for a request under the PIPL: residents' rows, cases, messages both ways, notices they were
    /// sent, rolls, WeChat bindings); recorded in the data audit under `actor` (with the number
    /// masked, and the studio when it is one).
    public func residentData(phone: String, studios: [String]? = nil, actor: String, now: Date) async throws -> [String: [[String: String]]] {
        let scope = Self.scope(studios), noticeScope = Self.scope(studios, column: "n.studio_id")
        // Read beside the writer, then recorded.
        let held = try await read { db in
            func rows(_ sql: String, _ arguments: StatementArguments) throws -> [[String: String]] {
                try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                    var object: [String: String] = [:]
                    for (column, value) in row where !value.isNull { object[column] = String.fromDatabaseValue(value) ?? value.description }
                    return object
                }
            }
            let held: [String: [[String: String]]] = [
                "residents": try rows("SELECT * FROM residents WHERE (phone = ? OR bound_phone = ?) AND \(scope.sql)", [phone, phone] + scope.arguments),
                "cases": try rows("""
                    SELECT studio_id, number, intent, topic, area, state, outcome, created_at, closed_at, text FROM cases
                    WHERE resident_phone = ? AND \(scope.sql) ORDER BY id
                    """, [phone] + scope.arguments),
                "messages": try rows("""
                    SELECT studio_id, direction, channel, from_number, to_number, text, status, kind, case_id, created_at FROM messages
                    WHERE id IN (\(Self.theirMessages)) AND \(scope.sql) ORDER BY id
                    """, [phone, phone] + scope.arguments),
                "notices": try rows("""
                    SELECT n.studio_id, n.id AS notice, n.title, r.role, r.via, r.skip_reason, r.rsvp, r.rsvp_note, r.rsvp_at
                    FROM notice_recipients r JOIN notices n ON n.id = r.notice_id WHERE r.phone = ? AND \(noticeScope.sql) ORDER BY n.id
                    """, [phone] + noticeScope.arguments),
                "rolls": try rows("SELECT studio_id, roll, name, role, area FROM roll_entries WHERE phone = ? AND \(scope.sql)", [phone] + scope.arguments),
                "bindings": try rows("SELECT studio_id, follower, created_at, bound_at FROM phone_bindings WHERE phone = ? AND \(scope.sql)",
                                     [phone] + scope.arguments),
                // An opt-out kept from an earlier erasure: held about them too.
                "kept_opt_outs": try rows("SELECT studio_id, since FROM kept_opt_outs WHERE digest = ? AND \(scope.sql)",
                                          [try OptOutDigests.digest(phone, db)] + scope.arguments),
            ]
            return held
        }
        try await writer.write { db in
            try Self.audit(db, at: now, actor: actor, action: "show", studio: studios?.count == 1 ? studios?.first : nil, detail: JSONText.object([
                "phone": PhoneNumber.mask(phone), "cases": held["cases"]!.count, "messages": held["messages"]!.count,
            ] as [String: (any Sendable)?]))
        }
        return held
    }

    /// Removes `phone` and the texts it sent or was sent everywhere, keeping the anonymous counts:
    /// each of their cases as a purge leaves it (``purge(_:now:actor:dryRun:pace:)``: topic, area,
    /// dates, outcome; the number masked) — its other audit entries with any phone number masked;
    /// their other messages emptied and masked, those still waiting to be sent cancelled; their
    /// resident rows (registered area included), roll entries and bindings removed — an opt-out
    /// kept as a digest of the number (``OptOutDigests``), so that no notice reaches them later;
    /// notices keep their seat and answer under an anonymous name. Only what is held in `studios`
    /// (nil: every studio). Recorded in the data audit.
    public func forgetResident(phone: String, studios: [String]? = nil, actor: String, now: Date) async throws -> ForgetCounts {
        let scope = Self.scope(studios)
        let mine = "(from_number = ? OR to_number = ?) AND \(scope.sql)", mineArguments: StatementArguments = [phone, phone] + scope.arguments
        let seat = "phone = ? AND notice_id IN (SELECT id FROM notices WHERE \(scope.sql))", seatArguments: StatementArguments = [phone] + scope.arguments
        let roll = "phone = ? AND \(scope.sql)", rollArguments: StatementArguments = [phone] + scope.arguments
        // Their messages, notice seats and roll entries are found by reads beside the writer
        // (seconds on a district's tables); inside the transaction only the rows added since.
        let found = try await read { db in
            (messages: (ids: try Int64.fetchAll(db, sql: "SELECT id FROM messages WHERE id IN (\(Self.theirMessages)) AND \(scope.sql)",
                                                arguments: [phone, phone] + scope.arguments),
                        through: try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM messages") ?? 0),
             seats: try Self.scan(db, "notice_recipients", seat, seatArguments),
             rolls: try Self.scan(db, "roll_entries", roll, rollArguments))
        }
        return try await writer.write { db in
            var counts = ForgetCounts()
            let messages = try Self.since(db, "messages", mine, mineArguments, found.messages)
            // First, while the messages still carry the number: nothing more goes to them — those
            // `sending` too: a reply handed over to the dispatcher in memory (``OutboxHandOff``),
            // in this process or `hotline serve`'s (which sees this commit's `data_version`), is
            // checked against its row before it is sent; one already on its way (as a claimed
            // batch's) is not tried again.
            outboxHandOff.rowsMayBeCancelled()
            for chunk in Self.chunks(messages, 500) {
                try db.execute(sql: """
                    UPDATE outbox SET status = 'failed', last_error = 'the resident asked to be forgotten', updated_at = ?
                    WHERE status IN ('pending', 'waiting', 'sending')
                      AND message_id IN (SELECT id FROM messages WHERE id IN (\(Self.placeholders(chunk.count))) AND to_number = ?)
                    """, arguments: [now] + StatementArguments(chunk) + [phone])
                counts.cancelled += db.changesCount
            }
            let cases = try Row.fetchAll(db, sql: "SELECT id, text FROM cases WHERE resident_phone = ? AND \(scope.sql)", arguments: [phone] + scope.arguments)
            try Self.unindex(db, cases.map { (id: $0["id"], text: $0["text"]) })
            for row in cases {
                let id: Int64 = row["id"]
                counts.messages += try Self.eraseCase(db, id: id, text: row["text"], phone: phone, now: now)
                for event in try Row.fetchAll(db, sql: "SELECT id, detail FROM case_events WHERE case_id = ? AND detail IS NOT NULL", arguments: [id]) {
                    let detail: String = event["detail"]
                    let masked = PhoneNumber.maskMobiles(in: detail, keep: "")
                    if masked != detail { try db.execute(sql: "UPDATE case_events SET detail = ? WHERE id = ?", arguments: [masked, event["id"] as Int64]) }
                }
            }
            counts.cases = cases.count
            let masked = PhoneNumber.mask(phone)
            for chunk in Self.chunks(messages, 500) {
                try db.execute(sql: """
                    UPDATE messages SET text = '', template_values = NULL,
                      from_number = CASE WHEN from_number = ? THEN ? ELSE from_number END,
                      to_number = CASE WHEN to_number = ? THEN ? ELSE to_number END
                    WHERE id IN (\(Self.placeholders(chunk.count))) AND \(mine)
                    """, arguments: [phone, masked, phone, masked] + StatementArguments(chunk) + mineArguments)
                counts.messages += db.changesCount
            }
            // An opt-out outlives the row, as a keyed digest: a roll imported later that names them skips them.
            counts.optOutsKept = try OptOutDigests.keep(db, residentsWhere: "r.phone = ? AND \(scope.sql)", [phone] + scope.arguments)
            try db.execute(sql: "DELETE FROM residents WHERE phone = ? AND \(scope.sql)", arguments: [phone] + scope.arguments)
            counts.residents = db.changesCount
            try db.execute(sql: "UPDATE residents SET bound_phone = NULL WHERE bound_phone = ? AND \(scope.sql)", arguments: [phone] + scope.arguments)
            counts.residents += db.changesCount
            // A notice's seat stays (its counts are the notice's record), under no one's number.
            for rowid in try Self.since(db, "notice_recipients", seat, seatArguments, found.seats) {
                try db.execute(sql: "UPDATE notice_recipients SET phone = ?, name = NULL WHERE rowid = ? AND phone = ?",
                               arguments: ["forgotten-" + UUID().uuidString.prefix(8), rowid, phone])
                counts.notices += db.changesCount
            }
            for chunk in Self.chunks(try Self.since(db, "roll_entries", roll, rollArguments, found.rolls), 500) {
                try db.execute(sql: "DELETE FROM roll_entries WHERE rowid IN (\(Self.placeholders(chunk.count))) AND phone = ?",
                               arguments: StatementArguments(chunk) + [phone])
                counts.rolls += db.changesCount
            }
            try db.execute(sql: "DELETE FROM phone_bindings WHERE phone = ? AND \(scope.sql)", arguments: [phone] + scope.arguments)
            counts.bindings = db.changesCount
            var detail = counts.json
            detail.insert(contentsOf: "\"phone\":\"\(masked)\",", at: detail.index(after: detail.startIndex))
            try Self.audit(db, at: now, actor: actor, action: "forget", studio: studios?.count == 1 ? studios?.first : nil, detail: detail)
            return counts
        }
    }

    /// The ids of the messages a number sent or was sent, through the indexes of senders and of
    /// recipients (a resident's texts come in from their number, ours go out to it): 1 ms on a
    /// district's 6.6 million messages, where `from_number = ? OR to_number = ?` read them all (1–8 s).
    static let theirMessages = """
        SELECT id FROM messages WHERE direction = 'in' AND from_number = ?
        UNION ALL SELECT id FROM messages WHERE direction = 'out' AND to_number = ?
        """

    /// The rowids of `table`'s rows matching `condition`, and the largest rowid there is.
    static func scan(_ db: Database, _ table: String, _ condition: String, _ arguments: StatementArguments) throws -> (ids: [Int64], through: Int64) {
        let through = try Int64.fetchOne(db, sql: "SELECT MAX(rowid) FROM \(table)") ?? 0
        return (try Int64.fetchAll(db, sql: "SELECT rowid FROM \(table) WHERE rowid <= ? AND \(condition)", arguments: [through] + arguments), through)
    }

    /// A scan's rowids and, read now, those of rows added after it that match too.
    static func since(_ db: Database, _ table: String, _ condition: String, _ arguments: StatementArguments,
                      _ scanned: (ids: [Int64], through: Int64)) throws -> [Int64] {
        scanned.ids + (try Int64.fetchAll(db, sql: "SELECT rowid FROM \(table) WHERE rowid > ? AND \(condition)", arguments: [scanned.through] + arguments))
    }
}
