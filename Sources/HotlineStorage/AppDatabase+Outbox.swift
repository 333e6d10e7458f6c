import Foundation
import GRDB
import HotlineCore

/// An outbox row claimed for sending, with what to send.
public struct OutboxItem: Sendable, Equatable {
    public var outboxID: Int64
    public var messageID: Int64
    public var channel: String
    public var from: String
    public var to: String
    public var text: String
    /// 1 for the first attempt.
    public var attempt: Int
    /// The reply template the text was made from and its values (``OutboundText/template``).
    public var template: String?
    public var values: [String: String]

    public init(outboxID: Int64, messageID: Int64, channel: String, from: String, to: String, text: String, attempt: Int,
                template: String? = nil, values: [String: String] = [:]) {
        (self.template, self.values) = (template, values)
        self.outboxID = outboxID
        self.messageID = messageID
        self.channel = channel
        self.from = from
        self.to = to
        self.text = text
        self.attempt = attempt
    }
}

extension AppDatabase {
    /// The due rows, case traffic first, through outbox_due (a test holds it to that index).
    static let dueSQL = """
        SELECT o.id, o.message_id, o.channel, o.attempts, m.from_number, m.to_number, m.text,
               o.priority >= \(OutboundKind.broadcast.priority) AND EXISTS (SELECT 1 FROM residents r
                 WHERE r.studio_id = m.studio_id AND r.phone = m.to_number AND r.opted_out_at IS NOT NULL),
               m.template, m.template_values
        FROM outbox o JOIN messages m ON m.id = o.message_id
        WHERE o.status = 'pending' AND o.next_attempt_at <= ?
        ORDER BY o.priority, o.next_attempt_at, o.id
        """

    /// Claims up to `limit` due rows (case traffic first, then oldest due), marking them `sending`
    /// and counting the attempt, in one transaction: intake's next group commit (a claim and a
    /// record of their own each cost a commit, its fsync and the log pages it rewrote — under load
    /// they were half of the writer's transactions).
    public func claimDueOutbox(now: Date, limit: Int, channels: Set<String>? = nil) async throws -> [OutboxItem] {
        let claimed = try await groupCommit.write { db in
            // The dispatcher's loop: statements compiled once; the channel filter is applied while
            // reading so that one statement serves every call.
            let stamp = Stamp(now)
            // Broadcasts read the opt-out state as they go: a resident who texted 退订 after a notice
            // was planned gets nothing more of it.
            let due = try Row.fetchCursor(db.cachedStatement(sql: Self.dueSQL), arguments: [stamp.stored])
            var items: [OutboxItem] = []
            var valuesJSON: [String?] = []
            var optedOut: [(outbox: Int64, message: Int64)] = []
            while items.count < limit, let row = try due.next() {
                let channel: String = row[2]
                if let channels, !channels.contains(channel) { continue }
                if row[7] as Bool {
                    optedOut.append((row[0], row[1]))
                    continue
                }
                items.append(OutboxItem(outboxID: row[0], messageID: row[1], channel: channel, from: row[4], to: row[5], text: row[6],
                                        attempt: (row[3] as Int) + 1, template: row[8]))
                valuesJSON.append(row[9])
            }
            let claim = try db.cachedStatement(sql: "UPDATE outbox SET status = 'sending', attempts = ?, updated_at = ? WHERE id = ?")
            for item in items { try claim.execute(arguments: [item.attempt, stamp.stored, item.outboxID]) }
            for (outbox, message) in optedOut {
                try db.execute(sql: "UPDATE outbox SET status = 'cancelled', last_error = 'recipient opted out', updated_at = ? WHERE id = ?",
                               arguments: [stamp.stored, outbox])
                try db.execute(sql: "UPDATE messages SET status = 'cancelled', error = 'recipient opted out' WHERE id = ?", arguments: [message])
            }
            return (items, valuesJSON)
        }
        // The template values' JSON is parsed after the commit: off the writer, which bounds intake.
        var items = claimed.0
        for i in items.indices { items[i].values = TemplateValues.values(claimed.1[i]) }
        return items
    }

    /// Of the rows `ids`, those still `sending`. The dispatcher sends the texts handed over in memory
    /// only after this read: a row cancelled since (a resident erased — by this process, or by
    /// `hotline residents forget` beside `hotline serve`) is left alone. A read beside the writer.
    public func stillSending(_ ids: [Int64]) async throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        return try await read { db in
            Set(try Int64.fetchAll(db, sql: "SELECT id FROM outbox WHERE id IN (\(Self.placeholders(ids.count))) AND status = 'sending'",
                                   arguments: StatementArguments(ids)))
        }
    }

    /// The provider accepted the message.
    func markSent(_ item: OutboxItem, providerID: String?, now: Date) async throws {
        try await record([(item, .sent(providerID: providerID))], now: now)
    }

    /// A send failed: try again at `retryAt`, or, when nil, give up and mark the message failed.
    func markAttemptFailed(_ item: OutboxItem, error: String, retryAt: Date?, now: Date) async throws {
        try await record([(item, .failed(error: error, retryAt: retryAt))], now: now)
    }

    /// What became of one send attempt.
    public enum AttemptResult: Sendable {
        case sent(providerID: String?)
        /// Retry at `retryAt`, or give up when it is nil.
        case failed(error: String, retryAt: Date?)
        /// Refused for good by a channel of its own contacts (a WeChat account): by SMS to the
        /// number the follower bound, else waiting for them (``CaseLedger/undeliverable(messageID:outboxID:error:routes:)``).
        case undeliverable(error: String)
    }

    /// Records the results of a batch of sends in one transaction (one commit for the batch, so that
    /// the dispatcher does not queue a write per message ahead of intake's); `routes`: each studio's
    /// SMS, for the texts a follower's channel could not carry.
    public func record(_ results: [(OutboxItem, AttemptResult)], now: Date, routes: [String: SMSRoute] = [:]) async throws {
        guard !results.isEmpty else { return }
        // In intake's next group commit, as the claim.
        try await groupCommit.write { db in
            let stamp = Stamp(now)
            for (item, result) in results {
                switch result {
                case let .sent(providerID):
                    // Two for every text sent, on the writer: bound in place (``BoundStatement``).
                    var outbox = BoundStatement(try db.cachedStatement(sql: "UPDATE outbox SET status = 'sent', last_error = NULL, updated_at = ? WHERE id = ?"))
                    outbox.bind(stamp.stored); outbox.bind(item.outboxID)
                    try outbox.run(db)
                    // A delivery report may have arrived before the send's own answer: never move back from it.
                    var message = BoundStatement(try db.cachedStatement(sql: """
                        UPDATE messages SET status = CASE WHEN status IN ('delivered', 'failed') THEN status ELSE 'sent' END,
                               provider_id = ?, sent_at = ?, error = NULL WHERE id = ?
                        """))
                    message.bind(providerID); message.bind(stamp.stored); message.bind(item.messageID)
                    try message.run(db)
                case let .failed(error, retryAt?):
                    // Only a row still `sending`: one cancelled meanwhile (a resident erased) is not tried again.
                    try db.execute(sql: "UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ? AND status = 'sending'",
                                   arguments: [retryAt, error, now, item.outboxID])
                    try db.execute(sql: "UPDATE messages SET error = ? WHERE id = ?", arguments: [error, item.messageID])
                case let .failed(error, nil):
                    try db.execute(sql: "UPDATE outbox SET status = 'failed', last_error = ?, updated_at = ? WHERE id = ?",
                                   arguments: [error, now, item.outboxID])
                    try db.execute(sql: "UPDATE messages SET status = 'failed', error = ? WHERE id = ?", arguments: [error, item.messageID])
                case let .undeliverable(error):
                    try CaseLedger(db: db, now: now).undeliverable(messageID: item.messageID, outboxID: item.outboxID, error: error, routes: routes)
                }
            }
        }
    }

    /// Puts rows left `sending` by a crash back to pending, due now; returns how many.
    /// (At-least-once: a send that reached the provider just before the crash goes out again.)
    public func recoverInterruptedSends(now: Date) throws -> Int {
        try writer.write { db in
            try db.execute(sql: "UPDATE outbox SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE status = 'sending'",
                           arguments: [now, now])
            return db.changesCount
        }
    }

    /// Counts of outbox rows per status.
    func outboxCounts() async throws -> [String: Int] {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["status"] as String, $0["n"] as Int) })
        }
    }
}

extension AppDatabase {
    /// The condition that a report names one of `channel`'s outbound messages: a report moves only
    /// a message sent through the channel it came in on, and with the provider's id where both sides
    /// have one (a report can come before the send's answer is recorded).
    static let reportedMessage = "id = ? AND direction = 'out' AND channel = ? AND (? IS NULL OR provider_id IS NULL OR provider_id = ?)"

    /// Applies a delivery report to an outbound message sent through `channel`. Reports arrive out
    /// of order: a message only moves forward (queued → sent → delivered | failed). Returns false for
    /// an unknown message, or one of another channel or provider id.
    @discardableResult
    public func recordDeliveryReport(messageID: Int64, channel: String, providerID: String? = nil, status: MessageRecord.Status, detail: String,
                                     now: Date) async throws -> Bool {
        // Reports come a few per message sent, as fast as the gateway delivers: group-committed
        // like intake, so that each costs a share of a commit rather than a whole fsync.
        try await groupCommit.write { db in
            guard let current = try String.fetchOne(db, sql: "SELECT status FROM messages WHERE \(Self.reportedMessage)",
                                                    arguments: [messageID, channel, providerID, providerID]) else { return false }
            let order: [MessageRecord.Status: Int] = [.queued: 0, .sent: 1, .delivered: 2, .failed: 2]
            guard let from = MessageRecord.Status(rawValue: current).flatMap({ order[$0] }), let to = order[status], to > from else { return true }
            try db.execute(sql: "UPDATE messages SET status = ?, error = CASE WHEN ? = 'failed' THEN ? ELSE error END WHERE id = ?",
                           arguments: [status.rawValue, status.rawValue, detail, messageID])
            return true
        }
    }
}

/// An outbox row with its message, for `hotline outbox`.
public struct OutboxEntry: Sendable, Equatable {
    public var outbox: OutboxRecord
    public var message: MessageRecord
}

extension AppDatabase {
    /// Whether any text waits in the outbox or is being sent: one step into the queue's index
    /// (outbox_due), whatever the table holds.
    public func outboxIsDrained() async throws -> Bool {
        try await read { db in try !(Bool.fetchOne(db.cachedStatement(sql: Self.queuedSQL)) ?? false) }
    }

    static let queuedSQL = "SELECT EXISTS (SELECT 1 FROM outbox WHERE status = 'pending' OR status = 'sending')"

    /// Outbox rows, newest first, optionally only those in `status`.
    public func outbox(status: OutboxRecord.Status? = nil, studios: [String]? = nil, limit: Int = 1000) async throws -> [OutboxEntry] {
        try await read { db in
            let (sql, arguments) = Self.outboxListQuery(status: status, studios: studios, limit: limit)
            return try OutboxRecord.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
                try MessageRecord.fetchOne(db, key: row.messageId).map { OutboxEntry(outbox: row, message: $0) }
            }
        }
    }

    /// The outbox list's SQL, newest first. Failed and waiting rows (few, and what people look
    /// for) each have an index of their own (outbox_failed, outbox_waiting), named by a literal
    /// status so SQLite can use it; sent rows are most rows and are found walking back from the
    /// newest; pending and sending ones are the queue's (outbox_due). The studio is a look-up of
    /// each row's message by its key, not a list of every message of the studio.
    static func outboxListQuery(status: OutboxRecord.Status?, studios: [String]?, limit: Int) -> (String, StatementArguments) {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        // Named, so that the plan does not hang on the statistics of a small table.
        var table = "outbox o NOT INDEXED"
        switch status {
        case nil: break
        case .failed?, .waiting?:
            table = "outbox o INDEXED BY outbox_\(status!.rawValue)"
            clauses.append("o.status = '\(status!.rawValue)'")
        case .sent?, .cancelled?: clauses.append("o.status = '\(status!.rawValue)'")
        case let queued?:
            // A literal, so that SQLite sees the condition of outbox_due (the queue's rows only).
            table = "outbox o"
            clauses.append("o.status = '\(queued.rawValue)'")
        }
        if let studios {
            clauses.append("EXISTS (SELECT 1 FROM messages m WHERE m.id = o.message_id AND m.studio_id IN (\(studios.map { _ in "?" }.joined(separator: ","))))")
            arguments += StatementArguments(studios)
        }
        arguments += [limit]
        let condition = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        return ("SELECT o.* FROM \(table) \(condition) ORDER BY o.id DESC LIMIT ?", arguments)
    }

    /// Puts failed rows back in the queue with fresh attempts (all failed rows when `ids` is nil); returns how many.
    public func retryFailed(ids: [Int64]?, studios: [String]? = nil, now: Date) async throws -> Int {
        let count = try await writer.write { db in
            var request = OutboxRecord.filter(Column("status") == OutboxRecord.Status.failed.rawValue)
            if let ids { request = request.filter(ids.contains(Column("id"))) }
            if let studios {
                request = request.filter(sql: "EXISTS (SELECT 1 FROM messages m WHERE m.id = message_id AND m.studio_id IN (\(studios.map { _ in "?" }.joined(separator: ","))))",
                                         arguments: StatementArguments(studios))
            }
            let rows = try request.fetchAll(db)
            for var row in rows {
                row.status = .pending
                row.attempts = 0
                row.nextAttemptAt = now
                row.updatedAt = now
                try row.update(db)
                try db.execute(sql: "UPDATE messages SET status = 'queued' WHERE id = ?", arguments: [row.messageId])
            }
            return rows.count
        }
        if count > 0 { outboxCommits.wake() }
        return count
    }
}

extension AppDatabase {
    /// The recipient of an outbound message sent through `channel` opted out at the provider:
    /// remember it on the resident. Roster numbers (`sparing`: members, liaisons) are never opted out this way.
    public func recordOptOut(messageID: Int64, channel: String, providerID: String? = nil, sparing roster: Set<String>,
                             alsoIn others: [String] = [], now: Date) async throws {
        try await writer.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT studio_id, to_number FROM messages WHERE \(Self.reportedMessage)",
                                             arguments: [messageID, channel, providerID, providerID]) else { return }
            let (studio, phone): (String, String) = (row[0], row[1])
            guard !roster.contains(phone) else { return }
            try CaseLedger(db: db, now: now).setOptedOut(studio: studio, phone: phone, since: now, alsoIn: others)
        }
    }

    /// Whether a resident has opted out (or did, and was forgotten since).
    func isOptedOut(studio: String, phone: String) async throws -> Bool {
        try await read { db in
            try Date.fetchOne(db, sql: "SELECT opted_out_at FROM residents WHERE studio_id = ? AND phone = ?", arguments: [studio, phone]) != nil
                || OptOutDigests.since(db, studio: studio, phone: phone) != nil
        }
    }
}

extension AppDatabase {
    /// The outbound message a provider knows by `providerID` on `channel`.
    public func outboundMessageID(channel: String, providerID: String) async throws -> Int64? {
        try await read { db in try Int64.fetchOne(db, sql: Self.outboundByProviderSQL, arguments: [channel, providerID]) }
    }

    /// Read through `messages_outbound_by_provider` (a test holds it to that index).
    static let outboundByProviderSQL = "SELECT id FROM messages WHERE direction = 'out' AND channel = ? AND provider_id = ?"
}
