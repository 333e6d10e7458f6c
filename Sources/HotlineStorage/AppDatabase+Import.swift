import Foundation
import GRDB
import HotlineCore

/// A past case with its conversation and audit trail, as it happened.
public struct CaseHistory: Sendable {
    public var record: CaseRecord
    /// Its messages in both directions (their `caseId` is set on import).
    public var messages: [MessageRecord]
    /// Its audit trail (their `caseId` is set on import).
    public var events: [CaseEventRecord]

    public init(record: CaseRecord, messages: [MessageRecord], events: [CaseEventRecord]) {
        (self.record, self.messages, self.events) = (record, messages, events)
    }
}

/// The sizes of the tables that grow with use.
public struct TableCounts: Sendable, Equatable {
    public var cases = 0, messages = 0, caseEvents = 0, outbox = 0, residents = 0
}

// Writing many rows at once — a history taken over from an earlier system, a generated one to
// measure against, the residents of an area — and the reads that watch such loads. Each batch is
// one transaction; the statements are the ones intake runs, so an imported row reads back as one
// intake wrote.
extension AppDatabase {
    /// Writes past cases as given, each with its messages and audit trail, in one transaction;
    /// open ones count towards their member's open cases as intake's would. Case numbers must be
    /// new in their studio (the unique index refuses a repeat, and the batch with it).
    public func importHistory(_ histories: [CaseHistory]) async throws {
        try await writer.write { db in
            for history in histories {
                var record = history.record
                record.id = nil
                try record.insertCached(db)
                let caseID = record.id!
                try CaseLedger(db: db, now: record.createdAt).recount(record, before: nil)
                for var m in history.messages {
                    m.id = nil
                    m.caseId = caseID
                    try m.insertCached(db)
                }
                for var e in history.events {
                    e.id = nil
                    e.caseId = caseID
                    try e.insertCached(db)
                }
                if record.state.isOpen, let assignee = record.assigneeId {
                    try CaseLedger(db: db, now: record.createdAt).adjustLoad(studio: record.studioId, assignee: assignee, by: 1)
                }
            }
        }
    }

    /// Adds residents (a studio's known residents with their areas); one already known is left as it is.
    public func importResidents(_ residents: [ResidentRecord]) async throws {
        try await writer.write { db in
            let sql = """
                INSERT INTO residents(studio_id, phone, area, first_seen_at, last_seen_at, opted_out_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(studio_id, phone) DO NOTHING
                """
            for r in residents {
                var s = BoundStatement(try db.cachedStatement(sql: sql))
                s.bind(r.studioId); s.bind(r.phone); s.bind(r.area); s.bind(StoredDate.value(r.firstSeenAt))
                s.bind(StoredDate.value(r.lastSeenAt)); s.bind(r.optedOutAt.map(StoredDate.value) ?? .null)
                try s.run(db)
            }
        }
    }

    /// Rows in the tables that grow with use.
    public func tableCounts() async throws -> TableCounts {
        try await read { db in
            func count(_ table: String) throws -> Int { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
            return TableCounts(cases: try count("cases"), messages: try count("messages"), caseEvents: try count("case_events"),
                               outbox: try count("outbox"), residents: try count("residents"))
        }
    }

    /// Inbound texts stored after the message `lastID`, and the newest message's id: a watcher
    /// counting a load it drives reads only what was added since its last look (ids grow in commit
    /// order, there being one writer).
    public func inboundSince(_ lastID: Int64) async throws -> (count: Int, lastID: Int64) {
        try await read { db in
            let newest = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM messages") ?? 0
            let added = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE id > ? AND id <= ? AND direction = 'in'",
                                         arguments: [lastID, newest]) ?? 0
            return (added, max(newest, lastID))
        }
    }

    /// Gathers the statistics SQLite's planner chooses indexes by (`ANALYZE`): after a large import.
    public func refreshStatistics() async throws {
        try await writer.writeWithoutTransaction { db in try db.execute(sql: "ANALYZE") }
    }
}
