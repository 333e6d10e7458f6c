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
    /// When it arrived here (the stored `created_at`).
    public var receivedAt: Date
    /// When the provider says it received the text, if it says (stored as `sent_at`).
    public var sentAt: Date?
    /// For gateways whose ids are not unique: the same text from the same number on the same
    /// channel within this many seconds is the same message.
    public var sameTextWindow: TimeInterval?

    public init(studioID: String, channel: String, providerID: String?, from: String, to: String, text: String, receivedAt: Date,
                sentAt: Date? = nil, sameTextWindow: TimeInterval? = nil) {
        self.sameTextWindow = sameTextWindow
        self.sentAt = sentAt
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

/// What a handler did with a stored inbound text.
public struct Handled: Sendable, Equatable {
    /// The case the message belongs to, if any (the message is linked to it).
    public var caseID: Int64?
    public var caseNumber: Int?
    /// Outbound messages queued.
    public var queued: Int

    public init(caseID: Int64? = nil, caseNumber: Int? = nil, queued: Int) {
        self.caseID = caseID
        self.caseNumber = caseNumber
        self.queued = queued
    }
}

extension AppDatabase {
    /// Stores an inbound text and everything `handle` decides, in one transaction: a provider id
    /// seen before returns the first answer and runs nothing; otherwise the message and the
    /// resident are written and `handle` acts through the ledger (new case, member command, survey answer …).
    ///
    /// Concurrent calls are group-committed: they run one after the other in one transaction, each
    /// in its own savepoint, and each returns after that transaction is committed.
    public func receive(_ inbound: InboundMessage,
                        handle: @Sendable @escaping (CaseLedger, _ messageID: Int64) throws -> Handled) async throws -> IntakeReceipt {
        try await groupCommit.write { db in
            if let existing = try duplicate(of: inbound, db) {
                let number = try existing.caseID.flatMap { try Int.fetchOne(db.cachedStatement(sql: "SELECT number FROM cases WHERE id = ?"), arguments: [$0]) }
                return IntakeReceipt(messageID: existing.id, caseNumber: number, duplicate: true, queued: 0)
            }
            let ledger = CaseLedger(db: db, now: inbound.receivedAt)
            var message = MessageRecord(
                studioId: inbound.studioID, direction: .inbound, channel: inbound.channel, providerId: inbound.providerID,
                fromNumber: inbound.from, toNumber: inbound.to, text: inbound.text, status: .received, createdAt: inbound.receivedAt,
                sentAt: inbound.sentAt)
            try message.insertCached(db, stamp: ledger.stamp)
            var resident = BoundStatement(try db.cachedStatement(sql: """
                INSERT INTO residents(studio_id, phone, area, first_seen_at, last_seen_at) VALUES (?, ?, NULL, ?, ?)
                ON CONFLICT(studio_id, phone) DO UPDATE SET last_seen_at = excluded.last_seen_at
                """))
            resident.bind(inbound.studioID); resident.bind(inbound.from); resident.bind(ledger.stamp.stored); resident.bind(ledger.stamp.stored)
            try resident.run(db)
            let handled = try handle(ledger, message.id!)
            if let caseID = handled.caseID {
                var link = BoundStatement(try db.cachedStatement(sql: "UPDATE messages SET case_id = ? WHERE id = ?"))
                link.bind(caseID); link.bind(message.id)
                try link.run(db)
            }
            return IntakeReceipt(messageID: message.id!, caseNumber: handled.caseNumber, duplicate: false, queued: handled.queued)
        }
    }

    /// The new-case path on its own: `plan` decides from the resident's registered area, open cases
    /// per assignee and the next case number.
    public func receive(_ inbound: InboundMessage, replyChannel: String,
                        plan: @Sendable @escaping (_ registeredArea: String?, _ openCases: [String: Int], _ nextNumber: Int) -> IntakePlan
    ) async throws -> IntakeReceipt {
        try await receive(inbound) { ledger, _ in
            let decision = plan(try ledger.registeredArea(studio: inbound.studioID, phone: inbound.from),
                                try ledger.openCaseCounts(studio: inbound.studioID), try ledger.nextCaseNumber(studio: inbound.studioID))
            return try ledger.apply(decision, for: inbound, replyChannel: replyChannel)
        }
    }

    /// Runs `body` in one write transaction (the deadline service's way in).
    public func casework<T: Sendable>(now: Date, _ body: @Sendable @escaping (CaseLedger) throws -> T) async throws -> T {
        try await writer.write { db in try body(CaseLedger(db: db, now: now)) }
    }

    /// The stored message this inbound text repeats, if any: its id and case.
    private func duplicate(of inbound: InboundMessage, _ db: Database) throws -> (id: Int64, caseID: Int64?)? {
        // Asked for every inbound text: statements compiled once, the provider id's read without GRDB's rows.
        if let providerID = inbound.providerID {
            var s = BoundStatement(try db.cachedStatement(sql: "SELECT id, case_id FROM messages WHERE direction = 'in' AND channel = ? AND provider_id = ?"))
            s.bind(inbound.channel); s.bind(providerID)
            if let found = try s.firstRow(db, { row in row.int64(0).map { (id: $0, caseID: row.int64(1)) } }) { return found }
        }
        if let window = inbound.sameTextWindow {
            return try Row.fetchOne(db.cachedStatement(sql: """
                SELECT id, case_id FROM messages WHERE direction = 'in' AND channel = ? AND from_number = ? AND text = ? AND created_at >= ?
                ORDER BY id DESC LIMIT 1
                """), arguments: [inbound.channel, inbound.from, inbound.text, inbound.receivedAt.addingTimeInterval(-window)])
                .map { (id: $0["id"], caseID: $0["case_id"]) }
        }
        return nil
    }
}
