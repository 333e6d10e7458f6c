import Foundation
import GRDB
import HotlineCore

extension AppDatabase {
    /// Cases, newest first (optionally of one studio).
    public func cases(studio: String? = nil, limit: Int = 1000) async throws -> [CaseRecord] {
        try await read { db in
            var request = CaseRecord.all()
            if let studio { request = request.filter(Column("studio_id") == studio) }
            return try request.order(Column("id").desc).limit(limit).fetchAll(db)
        }
    }

    /// Messages in both directions, newest first (optionally of one studio).
    public func messages(studio: String? = nil, limit: Int = 1000) async throws -> [MessageRecord] {
        try await read { db in
            var request = MessageRecord.all()
            if let studio { request = request.filter(Column("studio_id") == studio) }
            return try request.order(Column("id").desc).limit(limit).fetchAll(db)
        }
    }

    /// The case with this number in this studio.
    public func `case`(studio: String, number: Int) async throws -> CaseRecord? {
        try await read { db in
            try CaseRecord.numbered(number, in: studio).fetchOne(db)
        }
    }

    /// Cases with this number (in one studio, or in every studio).
    public func cases(studio: String?, number: Int) async throws -> [CaseRecord] {
        try await read { db in
            var request = CaseRecord.filter(Column("number") == number)
            if let studio { request = request.filter(Column("studio_id") == studio) }
            return try request.fetchAll(db)
        }
    }

    /// A case's messages in both directions, oldest first.
    public func conversation(caseID: Int64) async throws -> [MessageRecord] {
        try await read { db in try MessageRecord.ofCase(caseID).fetchAll(db) }
    }

    /// A case's audit trail, oldest first.
    public func events(caseID: Int64) async throws -> [CaseEventRecord] {
        try await read { db in
            try CaseEventRecord.ofCase(caseID).fetchAll(db)
        }
    }

    /// Members' names by studio and roster id, from the roster stored at the last start-up (for
    /// the CLI, which reads no configuration).
    public func memberNames() async throws -> [String: [String: String]] {
        try await read { db in
            var names: [String: [String: String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT studio_id, id, name FROM roster") {
                names[row["studio_id"], default: [:]][row["id"]] = row["name"]
            }
            return names
        }
    }

    /// The studio and number of each of these cases, by case id (for listing texts with their case).
    public func caseNumbers(ids: some Sequence<Int64>) async throws -> [Int64: (studio: String, number: Int)] {
        let ids = Array(Set(ids))
        return try await read { db in
            var out: [Int64: (String, Int)] = [:]
            // By primary key, in chunks below SQLite's limit on a statement's arguments.
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = ids[start..<min(start + 500, ids.count)]
                let rows = try Row.fetchAll(db, sql: "SELECT id, studio_id, number FROM cases WHERE id IN (\(chunk.map { _ in "?" }.joined(separator: ",")))",
                                            arguments: StatementArguments(Array(chunk)))
                for row in rows { out[row["id"]] = (row["studio_id"], row["number"]) }
            }
            return out
        }
    }
}

extension AppDatabase {
    /// Cases received between `from` (inclusive) and `to` (exclusive), optionally of one studio, oldest first.
    public func cases(receivedFrom from: Date, to: Date, studio: String? = nil) async throws -> [CaseRecord] {
        try await read { db in
            var request = CaseRecord.filter(Column("created_at") >= from && Column("created_at") < to)
            if let studio { request = request.filter(Column("studio_id") == studio) }
            return try request.order(Column("created_at"), Column("id")).fetchAll(db)
        }
    }
}

extension AppDatabase {
    /// The first `limit` cases of `topic` each studio received in its span, oldest first (a digest's examples).
    public func firstCases(topic: Topic, received spans: [(studio: String, from: Date, to: Date)], limit: Int) async throws -> [CaseRecord] {
        try await read { db in
            var out: [CaseRecord] = []
            for span in spans {
                out += try CaseRecord.fetchAll(db.cachedStatement(sql: """
                    SELECT * FROM cases WHERE studio_id = ? AND topic = ? AND created_at >= ? AND created_at < ? ORDER BY created_at, id LIMIT ?
                    """), arguments: [span.studio, topic.rawValue, span.from, span.to, limit])
            }
            return Array(out.sorted { ($0.createdAt, $0.id ?? 0) < ($1.createdAt, $1.id ?? 0) }.prefix(limit))
        }
    }

    /// What makes a case an escalation: closed as a proposal or a social-conditions report (the
    /// `cases_escalated` index's condition, and its queries').
    static let escalatedTerms = """
        outcome IN ('\(CaseOutcome.proposal.rawValue)', '\(CaseOutcome.socialReport.rawValue)') \
        AND state IN ('\(CaseState.closed.rawValue)', '\(CaseState.surveyed.rawValue)')
        """

    /// A studio's escalations received in a span (studio, from, to), after the columns.
    static let escalatedSQL = "FROM cases INDEXED BY cases_escalated WHERE studio_id = ? AND created_at >= ? AND created_at < ? AND \(escalatedTerms)"

    /// The cases each studio received in its span that were closed as a proposal or a
    /// social-conditions report, oldest first (at most `limit`), and how many there are in all.
    public func escalatedCases(received spans: [(studio: String, from: Date, to: Date)], limit: Int = .max) async throws -> (cases: [CaseRecord], total: Int) {
        try await read { db in
            var out: [CaseRecord] = []
            var total = 0
            for span in spans {
                let arguments: StatementArguments = [span.studio, span.from, span.to]
                total += try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) " + Self.escalatedSQL), arguments: arguments) ?? 0
                out += try CaseRecord.fetchAll(db.cachedStatement(sql: "SELECT * " + Self.escalatedSQL + " ORDER BY created_at, id LIMIT ?"),
                                               arguments: arguments + [min(limit, Int(Int32.max))])
            }
            return (Array(out.sorted { ($0.createdAt, $0.id ?? 0) < ($1.createdAt, $1.id ?? 0) }.prefix(limit)), total)
        }
    }
}

/// What `/metrics` reads from the database at a scrape.
public struct MetricsSnapshot: Sendable {
    public var casesByState: [String: Int]
    public var outboxPending: Int
    /// Pending rows already due.
    public var outboxDue: Int
    /// How long the oldest due row has waited (0: none).
    public var oldestDueSeconds: Double
}

extension AppDatabase {
    /// Cases per state and the outbox's backlog (indexes: cases_by_state, outbox_due).
    public func metricsSnapshot(now: Date) async throws -> MetricsSnapshot {
        try await read { db in
            var byState: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) FROM cases GROUP BY state") { byState[row[0]] = row[1] }
            let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE status = 'pending'") ?? 0
            let due = try Row.fetchOne(db, sql: "SELECT COUNT(*), MIN(next_attempt_at) FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?",
                                       arguments: [now])
            let oldest: Date? = due?[1]
            return MetricsSnapshot(casesByState: byState, outboxPending: pending, outboxDue: due?[0] ?? 0,
                                   oldestDueSeconds: oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0)
        }
    }
}
