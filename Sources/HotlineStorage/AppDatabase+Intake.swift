import Foundation
import GRDB
import HotlineCore
import Synchronization

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
    /// For channels that can answer in their webhook's own response (WeChat's passive reply): the
    /// texts back to the sender on the same channel wait this long in the outbox, so that the
    /// webhook can take one (``AppDatabase/takeHeldReply(after:channel:to:now:)``) before the
    /// dispatcher sends it.
    public var holdReplies: TimeInterval?

    public init(studioID: String, channel: String, providerID: String?, from: String, to: String, text: String, receivedAt: Date,
                sentAt: Date? = nil, sameTextWindow: TimeInterval? = nil, holdReplies: TimeInterval? = nil) {
        self.sameTextWindow = sameTextWindow
        self.holdReplies = holdReplies
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
    /// seen before returns the first answer and runs nothing; otherwise the resident is written,
    /// `handle` acts through the ledger (new case, member command, survey answer …), and the
    /// message is stored with the case `handle` names, under an id before the texts it queued.
    ///
    /// Concurrent calls are group-committed: they run one after the other in one transaction, and
    /// each returns after that transaction is committed (when one throws, the others run again,
    /// each in a transaction of its own: ``GroupCommit``).
    public func receive(_ inbound: InboundMessage,
                        handle: @Sendable @escaping (CaseLedger, _ messageID: Int64) throws -> Handled) async throws -> IntakeReceipt {
        // Replies held for the webhook's own answer stay in the table, where it can take one.
        let batch = inbound.holdReplies == nil && outboxHandOff.accepting ? HandOffBatch(outboxHandOff) : nil
        let receipt = try await groupCommit.write { db in
            batch?.reset()
            if let existing = try duplicate(of: inbound, db) {
                let number = try existing.caseID.flatMap { try Int.fetchOne(db.cachedStatement(sql: "SELECT number FROM cases WHERE id = ?"), arguments: [$0]) }
                return IntakeReceipt(messageID: existing.id, caseNumber: number, duplicate: true, queued: 0)
            }
            // The text is stored after it is handled, with its case: a row written once (linking
            // it afterwards rewrote the row and moved its entry in messages_by_case: 9 µs of the
            // writer's time a text, BENCHMARKS.md). Its id is reserved first, so that it still
            // comes before the texts it leads to (a conversation reads in id order).
            var newest = BoundStatement(try db.cachedStatement(sql: "SELECT MAX(id) FROM messages"))
            let reserved = (try newest.firstRow(db) { $0.int64(0) } ?? nil).map { $0 + 1 } ?? 1
            InboundInHand.begin(InboundInHand(inbound, reserved: reserved), db)
            defer { InboundInHand.end(db) }
            let ledger = CaseLedger(db: db, now: inbound.receivedAt, handOff: batch)
            var resident = BoundStatement(try db.cachedStatement(sql: """
                INSERT INTO residents(studio_id, phone, area, first_seen_at, last_seen_at) VALUES (?, ?, NULL, ?, ?)
                ON CONFLICT(studio_id, phone) DO UPDATE SET last_seen_at = excluded.last_seen_at
                """))
            resident.bind(inbound.studioID); resident.bind(inbound.from); resident.bind(ledger.stamp.stored); resident.bind(ledger.stamp.stored)
            try resident.run(db)
            let handled = try handle(ledger, reserved)
            var message = MessageRecord(
                studioId: inbound.studioID, direction: .inbound, channel: inbound.channel, providerId: inbound.providerID,
                fromNumber: inbound.from, toNumber: inbound.to, text: inbound.text, status: .received, caseId: handled.caseID,
                createdAt: inbound.receivedAt, sentAt: inbound.sentAt)
            message.id = reserved
            try message.insertCached(db, stamp: ledger.stamp)
            if let hold = inbound.holdReplies, handled.queued > 0 {
                try db.execute(sql: """
                    UPDATE outbox SET next_attempt_at = ? WHERE status = 'pending' AND message_id IN (
                        SELECT id FROM messages WHERE id > ? AND direction = 'out' AND channel = ? AND to_number = ?)
                    """, arguments: [inbound.receivedAt.addingTimeInterval(hold), reserved, inbound.channel, inbound.from])
            }
            return IntakeReceipt(messageID: reserved, caseNumber: handled.caseNumber, duplicate: false, queued: handled.queued)
        }
        // Committed and its log synced: the dispatcher may send them.
        if let batch { outboxHandOff.push(batch.items) }
        return receipt
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

extension AppDatabase {
    /// Takes the first text back to `to` on `channel` queued after the inbound message
    /// `inboundID` and still waiting in the outbox: marked sent (provider id `passive`) and its
    /// text returned, for the webhook to answer with. Nil when there is none, or the dispatcher
    /// already has it: a text is sent one way or the other, never both.
    public func takeHeldReply(after inboundID: Int64, channel: String, to: String, now: Date) async throws -> String? {
        try await writer.write { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT o.id AS outbox_id, m.id AS message_id, m.text FROM messages m JOIN outbox o ON o.message_id = m.id
                WHERE m.id > ? AND m.direction = 'out' AND m.channel = ? AND m.to_number = ? AND o.status = 'pending'
                ORDER BY m.id LIMIT 1
                """, arguments: [inboundID, channel, to]) else { return nil }
            let stamp = Stamp(now)
            try db.execute(sql: "UPDATE outbox SET status = 'sent', last_error = NULL, updated_at = ? WHERE id = ?",
                           arguments: [stamp.stored, row["outbox_id"] as Int64])
            try db.execute(sql: "UPDATE messages SET status = 'sent', provider_id = 'passive', sent_at = ? WHERE id = ?",
                           arguments: [stamp.stored, row["message_id"] as Int64])
            return row["text"] as String
        }
    }
}

/// The text intake is handling in a transaction: it is stored once handled, with the case it led
/// to, under an id reserved for it before; every text inserted meanwhile on that connection takes
/// the ids after it (``MessageRecord/insertCached(_:stamp:)``), so a conversation still reads in
/// id order. Reads that count the sender's texts count it as stored (``CaseLedger/inbound``).
final class InboundInHand: Sendable {
    let message: InboundMessage
    private let next: Atomic<Int64>

    /// `reserved`: the text's own id; those after it are handed out.
    init(_ message: InboundMessage, reserved: Int64) {
        self.message = message
        next = Atomic(reserved + 1)
    }

    /// The id of the next text inserted while it is handled.
    func nextID() -> Int64 { next.add(1, ordering: .relaxed).oldValue }

    /// By connection: the tests' many databases share the process.
    private static let inHand = Mutex<[ObjectIdentifier: InboundInHand]>([:])

    static func begin(_ hand: InboundInHand, _ db: Database) { inHand.withLock { $0[ObjectIdentifier(db)] = hand } }
    static func end(_ db: Database) { _ = inHand.withLock { $0.removeValue(forKey: ObjectIdentifier(db)) } }
    static func current(_ db: Database) -> InboundInHand? { inHand.withLock { $0[ObjectIdentifier(db)] } }
}
