import Foundation
import GRDB
import HotlineCore

/// Answers to notices, read and written in the intake transaction.
extension CaseLedger {
    /// ``enqueue(_:studio:from:channel:caseID:due:)`` for a notice's audience: numbers on
    /// `channel`; a follower (a channel's own address, `wx:…`) on the channel and number they last
    /// wrote to, the only one that reaches them. Ids in the texts' order.
    @discardableResult
    public func enqueueToAudience(_ texts: [OutboundText], studio: String, from: String, channel: String, due: Date? = nil) throws -> [Int64] {
        guard texts.contains(where: { PhoneNumber.isFollower($0.to) }) else {
            return try enqueue(texts, studio: studio, from: from, channel: channel, caseID: nil, due: due)
        }
        let lastWrote = try db.cachedStatement(sql: """
            SELECT channel, to_number FROM messages WHERE direction = 'in' AND from_number = ? AND studio_id = ? ORDER BY id DESC LIMIT 1
            """)
        var ids: [Int64] = []
        ids.reserveCapacity(texts.count)
        var run: [OutboundText] = []
        func flush() throws {
            ids += try enqueue(run, studio: studio, from: from, channel: channel, caseID: nil, due: due)
            run.removeAll(keepingCapacity: true)
        }
        for text in texts {
            guard PhoneNumber.isFollower(text.to) else { run.append(text); continue }
            try flush()
            // The text in hand, stored after it is handled, is the last they wrote when it is theirs.
            let via: (channel: String, hotline: String)? = if let inbound, inbound.message.from == text.to, inbound.message.studioID == studio {
                (inbound.message.channel, inbound.message.to)
            } else {
                try Row.fetchOne(lastWrote, arguments: [text.to, studio]).map { ($0["channel"], $0["to_number"]) }
            }
            ids += try enqueue([text], studio: studio, from: via?.hotline ?? from, channel: via?.channel ?? channel, caseID: nil, due: due)
        }
        try flush()
        return ids
    }

    /// A notice a number may answer, as intake needs it.
    public struct OpenNotice: Sendable, Equatable {
        public var id: Int64
        public var number: Int
        public var studioID: String
        /// When its text to this number fell due.
        public var sentAt: Date
        /// Whether answers still count (a meeting, sent, not past its RSVP time, not cancelled).
        public var open: Bool
    }

    /// The latest meeting notice sent to `phone` by `studio` whose answers still count.
    public func openNotice(studio: String, phone: String) throws -> OpenNotice? {
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT n.id, n.number, n.send_at FROM notice_recipients r JOIN notices n ON n.id = r.notice_id
            WHERE r.phone = ? AND r.skip_reason IS NULL AND n.studio_id = ? AND n.kind = 'meeting' AND n.state = 'sent'
              AND n.send_at <= ? AND n.rsvp_until > ?
            ORDER BY n.send_at DESC, n.id DESC LIMIT 1
            """), arguments: [phone, studio, stamp.stored, stamp.stored])
        return row.map { OpenNotice(id: $0[0], number: $0[1], studioID: studio, sentAt: $0[2], open: true) }
    }

    /// Notice `number` of `studio` if it was sent to `phone` (open or not).
    public func noticeSent(studio: String, number: Int, to phone: String) throws -> OpenNotice? {
        let row = try Row.fetchOne(db, sql: """
            SELECT n.id, n.number, n.send_at, n.kind = 'meeting' AND n.state = 'sent' AND n.send_at <= ? AND n.rsvp_until > ?
            FROM notice_recipients r JOIN notices n ON n.id = r.notice_id
            WHERE n.studio_id = ? AND n.number = ? AND r.phone = ? AND r.skip_reason IS NULL
            """, arguments: [stamp.stored, stamp.stored, studio, number, phone])
        return row.map { OpenNotice(id: $0[0], number: $0[1], studioID: studio, sentAt: $0[2], open: $0[3]) }
    }

    /// The notice itself.
    public func notice(id: Int64) throws -> NoticeRecord? {
        try NoticeRecord.fetchOne(db, key: id)
    }

    /// Records `phone`'s answer to a notice (a later answer replaces an earlier one); false when it
    /// is the answer already recorded.
    @discardableResult
    public func recordRSVP(notice: Int64, phone: String, answer: RSVPAnswer, note: String) throws -> Bool {
        let note: String? = note.isEmpty ? nil : note
        try db.execute(sql: """
            UPDATE notice_recipients SET rsvp = ?, rsvp_note = ?, rsvp_at = ?
            WHERE notice_id = ? AND phone = ? AND (rsvp IS NOT ? OR rsvp_note IS NOT ?)
            """, arguments: [answer.rawValue, note, stamp.stored, notice, phone, answer.rawValue, note])
        return db.changesCount > 0
    }
}

/// Notices a liaison drafts and confirms by text, inside the intake transaction.
extension CaseLedger {
    /// Plans and stores a draft notice (nothing queued until `sendDraft`).
    public func draftNotice(studio: Studio, draft: NoticeDraft, createdBy: String, plan: AppDatabase.NoticePlanning) throws -> (NoticeRecord, NoticePlan) {
        try AppDatabase.insertNotice(db, studio: studio, draft: draft, state: .draft, createdBy: createdBy, channel: "", from: "", now: now, plan: plan)
    }

    /// The notice with this number in this studio.
    public func notice(studio: String, number: Int) throws -> NoticeRecord? {
        try NoticeRecord.find(db, studio: studio, number: number)
    }

    /// Queues a draft's texts and marks it sent; returns how many.
    public func sendDraft(_ notice: inout NoticeRecord, channel: String, from: String) throws -> Int {
        try AppDatabase.sendDraft(db, notice: &notice, channel: channel, from: from, now: now)
    }
}
