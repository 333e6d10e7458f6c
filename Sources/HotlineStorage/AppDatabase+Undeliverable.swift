import Foundation
import GRDB
import HotlineCore

/// Where a studio's texts go by SMS: a channel that reaches phones, and the number they come from.
public struct SMSRoute: Sendable, Equatable {
    public var channel: String
    public var from: String
    public init(channel: String, from: String) { (self.channel, self.from) = (channel, from) }
}

/// A text a channel of its own contacts (a WeChat account) could not carry: past the 48 hours of
/// customer-service messages with no template that goes, or refused for good. It goes by SMS to the
/// number the follower bound; without one it waits, said on its case, until the follower writes
/// again (which opens the 48 hours anew) or binds a number.
extension CaseLedger {
    /// Handles outbound message `messageID` the channel refused for good with `error`.
    func undeliverable(messageID: Int64, outboxID: Int64, error: String, routes: [String: SMSRoute]) throws {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT m.studio_id, m.to_number, m.case_id, r.bound_phone FROM messages m
            LEFT JOIN residents r ON r.studio_id = m.studio_id AND r.phone = m.to_number WHERE m.id = ?
            """, arguments: [messageID]) else { return }
        let studio: String = row["studio_id"], caseID: Int64? = row["case_id"]
        if let phone: String = row["bound_phone"], let route = routes[studio] {
            try db.execute(sql: "UPDATE outbox SET status = 'failed', last_error = ?, updated_at = ? WHERE id = ?", arguments: [error, now, outboxID])
            try db.execute(sql: "UPDATE messages SET status = 'failed', error = ? WHERE id = ?", arguments: [error, messageID])
            try resend([messageID], to: phone, via: route)
            if let caseID { try addEvent(caseID, actor: "system", kind: .undelivered, detail: "\(error);已改发短信到\(PhoneNumber.mask(phone))") }
        } else {
            try db.execute(sql: "UPDATE outbox SET status = 'waiting', last_error = ?, updated_at = ? WHERE id = ?", arguments: [error, now, outboxID])
            try db.execute(sql: "UPDATE messages SET status = 'waiting', error = ? WHERE id = ?", arguments: [error, messageID])
            if let caseID { try addEvent(caseID, actor: "system", kind: .undelivered, detail: "\(error);等居民再次留言或绑定手机号后发出") }
        }
    }

    /// Copies of messages `ids` to `phone` by SMS, due now, each linked to its case (the originals keep their fate).
    func resend(_ ids: [Int64], to phone: String, via route: SMSRoute) throws {
        for id in ids {
            guard var message = try MessageRecord.fetchOne(db, key: id) else { continue }
            message.id = nil
            (message.channel, message.fromNumber, message.toNumber) = (route.channel, route.from, phone)
            (message.status, message.providerId, message.sentAt, message.error, message.createdAt) = (.queued, nil, nil, nil, now)
            let kind = message.kind ?? .caseUpdate
            try message.insertCached(db, stamp: stamp)
            var item = OutboxRecord(messageId: message.id!, channel: route.channel, priority: kind.priority, status: .pending,
                                    attempts: 0, nextAttemptAt: now, updatedAt: now)
            try item.insertCached(db, stamp: stamp)
        }
    }

    /// The texts waiting for `address` (a follower): sent again on their channel, now that the
    /// follower has written (WeChat allows customer-service messages for 48 hours after); returns how many.
    @discardableResult
    public func releaseWaiting(studio: String, to address: String) throws -> Int {
        let ids = try Int64.fetchAll(db.cachedStatement(sql: """
            SELECT m.id FROM outbox o JOIN messages m ON m.id = o.message_id
            WHERE o.status = 'waiting' AND m.to_number = ? AND m.studio_id = ?
            """), arguments: [address, studio])
        for id in ids {
            try db.execute(sql: "UPDATE outbox SET status = 'pending', next_attempt_at = ?, attempts = 0, updated_at = ? WHERE message_id = ?",
                           arguments: [now, now, id])
            try db.execute(sql: "UPDATE messages SET status = 'queued', error = NULL WHERE id = ?", arguments: [id])
        }
        return ids.count
    }

    /// The texts waiting for `follower`, sent by SMS to the number they have just bound; returns how many.
    @discardableResult
    public func redirectWaiting(studio: String, follower: String, to phone: String, via route: SMSRoute) throws -> Int {
        let ids = try Int64.fetchAll(db, sql: """
            SELECT m.id FROM outbox o JOIN messages m ON m.id = o.message_id
            WHERE o.status = 'waiting' AND m.to_number = ? AND m.studio_id = ? ORDER BY m.id
            """, arguments: [follower, studio])
        for id in ids {
            try db.execute(sql: "UPDATE outbox SET status = 'failed', updated_at = ? WHERE message_id = ?", arguments: [now, id])
            try db.execute(sql: "UPDATE messages SET status = 'failed', error = COALESCE(error, '') || ';已改发短信' WHERE id = ?", arguments: [id])
        }
        try resend(ids, to: phone, via: route)
        return ids.count
    }
}
