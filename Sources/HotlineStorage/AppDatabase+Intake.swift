import Foundation
import GRDB
import HotlineCore

/// An inbound text as a channel adapter delivered it (phones already normalised).
public struct InboundMessage: Sendable, Equatable {
    public var studioID: String
    public var channel: String
    /// The provider's id for the message; the same id on the same channel is the same message.
    public var providerID: String?
    public var from: String
    public var to: String
    public var text: String
    public var receivedAt: Date
    /// For gateways whose ids are not unique: the same text from the same number on the same
    /// channel within this many seconds is the same message.
    public var sameTextWindow: TimeInterval?

    public init(studioID: String, channel: String, providerID: String?, from: String, to: String, text: String, receivedAt: Date,
                sameTextWindow: TimeInterval? = nil) {
        self.sameTextWindow = sameTextWindow
        self.studioID = studioID
        self.channel = channel
        self.providerID = providerID
        self.from = from
        self.to = to
        self.text = text
        self.receivedAt = receivedAt
    }
}

/// What intake stored: the answer a webhook gives, the same for a repeated provider id.
public struct IntakeReceipt: Sendable, Equatable {
    public var messageID: Int64
    public var caseNumber: Int?
    /// True when the provider id was seen before and nothing new was stored.
    public var duplicate: Bool
    /// Outbound messages queued by this intake (0 for a duplicate).
    public var queued: Int
}

extension AppDatabase {
    /// Stores an inbound text and everything it leads to in one transaction: the message, the
    /// resident, the case with its audit trail, and the replies in the outbox.
    ///
    /// - Parameter plan: the core's decision, given what the database knows: the resident's
    ///   registered area, open cases per assignee, and the next case number (pure; runs inside the transaction).
    public func receive(_ inbound: InboundMessage, replyChannel: String,
                        plan: @Sendable @escaping (_ registeredArea: String?, _ openCases: [String: Int], _ nextNumber: Int) -> IntakePlan
    ) async throws -> IntakeReceipt {
        try await writer.write { db in
            if let providerID = inbound.providerID,
               let existing = try MessageRecord.filter(Column("direction") == "in" && Column("channel") == inbound.channel && Column("provider_id") == providerID)
                .fetchOne(db) {
                let number = try existing.caseId.flatMap { try Int.fetchOne(db, sql: "SELECT number FROM cases WHERE id = ?", arguments: [$0]) }
                return IntakeReceipt(messageID: existing.id!, caseNumber: number, duplicate: true, queued: 0)
            }
            if let window = inbound.sameTextWindow,
               let existing = try MessageRecord.filter(Column("direction") == "in" && Column("channel") == inbound.channel
                    && Column("from_number") == inbound.from && Column("text") == inbound.text
                    && Column("created_at") >= inbound.receivedAt.addingTimeInterval(-window))
                   .order(Column("id").desc).fetchOne(db) {
                let number = try existing.caseId.flatMap { try Int.fetchOne(db, sql: "SELECT number FROM cases WHERE id = ?", arguments: [$0]) }
                return IntakeReceipt(messageID: existing.id!, caseNumber: number, duplicate: true, queued: 0)
            }
            let now = inbound.receivedAt
            let registered = try String.fetchOne(db, sql: "SELECT area FROM residents WHERE studio_id = ? AND phone = ?",
                                                 arguments: [inbound.studioID, inbound.from])
            let open = try openCaseCounts(db, studio: inbound.studioID)
            let next = (try Int.fetchOne(db, sql: "SELECT MAX(number) FROM cases WHERE studio_id = ?", arguments: [inbound.studioID]) ?? 0) + 1
            let decision = plan(registered, open, next)

            var message = MessageRecord(
                studioId: inbound.studioID, direction: .inbound, channel: inbound.channel, providerId: inbound.providerID,
                fromNumber: inbound.from, toNumber: inbound.to, text: inbound.text, status: "received", createdAt: now)
            try message.insert(db)
            try db.execute(sql: """
                INSERT INTO residents(studio_id, phone, area, first_seen_at, last_seen_at) VALUES (?, ?, NULL, ?, ?)
                ON CONFLICT(studio_id, phone) DO UPDATE SET last_seen_at = excluded.last_seen_at
                """, arguments: [inbound.studioID, inbound.from, now, now])

            switch decision {
            case let .registration(area, reply):
                if let area {
                    try db.execute(sql: "UPDATE residents SET area = ? WHERE studio_id = ? AND phone = ?",
                                   arguments: [area, inbound.studioID, inbound.from])
                }
                try enqueue(db, [reply], studio: inbound.studioID, from: inbound.to, channel: replyChannel, caseID: nil, now: now)
                return IntakeReceipt(messageID: message.id!, caseNumber: nil, duplicate: false, queued: 1)

            case let .newCase(p):
                let json = String(decoding: try JSONEncoder.sorted.encode(p.classification), as: UTF8.self)
                var record = CaseRecord(
                    studioId: inbound.studioID, number: p.number, residentPhone: inbound.from,
                    intent: p.classification.intent, topic: p.classification.topic, area: p.area, areaSource: p.areaSource,
                    assigneeId: p.routing?.assignee, state: p.state, routingReason: p.routing?.reason,
                    routingExplanation: p.routing?.explanation, classification: json, text: inbound.text,
                    createdAt: now, updatedAt: now)
                try record.insert(db)
                let caseID = record.id!
                if let assignee = record.assigneeId, record.state.isOpen {
                    try adjustLoad(db, studio: inbound.studioID, assignee: assignee, by: 1)
                }
                message.caseId = caseID
                try message.update(db, columns: ["case_id"])
                var opened = CaseEventRecord(caseId: caseID, at: now, actor: "resident", kind: "opened",
                                             detail: "\(p.classification.intent.rawValue)/\(p.classification.topic.rawValue) score \(p.classification.score)")
                try opened.insert(db)
                if let routing = p.routing {
                    var assigned = CaseEventRecord(caseId: caseID, at: now, actor: "system", kind: "assigned",
                                                   detail: "\(routing.assignee): \(routing.reason.rawValue), \(routing.explanation)")
                    try assigned.insert(db)
                } else if p.state == .answered {
                    var answered = CaseEventRecord(caseId: caseID, at: now, actor: "system", kind: "answered", detail: "answered from the rule table")
                    try answered.insert(db)
                }
                try enqueue(db, p.replies, studio: inbound.studioID, from: inbound.to, channel: replyChannel, caseID: caseID, now: now)
                return IntakeReceipt(messageID: message.id!, caseNumber: p.number, duplicate: false, queued: p.replies.count)
            }
        }
    }

    /// Open cases per assignee in a studio (from the load table the writes keep).
    func openCaseCounts(_ db: Database, studio: String) throws -> [String: Int] {
        let rows = try Row.fetchAll(db, sql: "SELECT assignee_id, open_cases FROM assignee_load WHERE studio_id = ?", arguments: [studio])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["assignee_id"] as String, $0["open_cases"] as Int) })
    }

    /// Adds `delta` to an assignee's open cases (every write that opens, closes or moves a case calls this).
    func adjustLoad(_ db: Database, studio: String, assignee: String, by delta: Int) throws {
        try db.execute(sql: """
            INSERT INTO assignee_load(studio_id, assignee_id, open_cases) VALUES (?, ?, MAX(?, 0))
            ON CONFLICT(studio_id, assignee_id) DO UPDATE SET open_cases = MAX(open_cases + ?, 0)
            """, arguments: [studio, assignee, delta, delta])
    }

    /// Inserts outbound messages with their outbox rows, due now.
    func enqueue(_ db: Database, _ texts: [OutboundText], studio: String, from: String, channel: String, caseID: Int64?, now: Date) throws {
        for text in texts {
            var message = MessageRecord(
                studioId: studio, direction: .outbound, channel: channel, providerId: nil, fromNumber: from, toNumber: text.to,
                text: text.text, status: "queued", kind: text.kind.rawValue, caseId: caseID, createdAt: now,
                encoding: SMSSegments.encoding(of: text.text).rawValue, parts: SMSSegments.parts(of: text.text))
            try message.insert(db)
            var item = OutboxRecord(messageId: message.id!, channel: channel, priority: text.kind.priority, status: .pending,
                                    attempts: 0, nextAttemptAt: now, updatedAt: now)
            try item.insert(db)
        }
    }
}

extension JSONEncoder {
    /// Deterministic JSON for stored explanations.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
