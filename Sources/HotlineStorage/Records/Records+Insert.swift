import Foundation
import GRDB
import HotlineCore

// Inserts on the intake path, through statements SQLite compiles once per connection.
//
// GRDB's Codable `insert` encodes each record through `Encoder`, converts every property name to
// snake case and builds the SQL again on each call: measured, that was over a fifth of intake's
// time. These write the same columns; `GroupCommitTests.handWrittenInsertsReadBackAsTheRecords`
// checks that a row written here reads back equal to the record, so a column added to a record and
// forgotten here fails a test.

extension MessageRecord {
    static let insertSQL = """
        INSERT INTO messages(id, studio_id, direction, channel, provider_id, from_number, to_number, text, status, kind,
                             case_id, created_at, sent_at, error, encoding, parts, template, template_values)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Inserts the message and sets its id: the one it has, else while intake handles a text the
    /// next after that text's reserved one (``InboundInHand``), else SQLite's next.
    mutating func insertCached(_ db: Database, stamp: Stamp? = nil) throws {
        let stamp = stamp ?? Stamp(createdAt)
        if id == nil, let hand = InboundInHand.current(db) { id = hand.nextID() }
        var s = BoundStatement(try db.cachedStatement(sql: Self.insertSQL))
        s.bind(id); s.bind(studioId); s.bind(direction.rawValue); s.bind(channel); s.bind(providerId); s.bind(fromNumber); s.bind(toNumber)
        s.bind(text); s.bind(status.rawValue); s.bind(kind?.rawValue); s.bind(caseId); s.bind(stamp.value(createdAt))
        s.bind(sentAt.map(stamp.value) ?? .null); s.bind(error); s.bind(encoding); s.bind(parts); s.bind(template); s.bind(templateValues)
        try s.run(db)
        id = db.lastInsertedRowID
    }
}

extension CaseRecord {
    static let insertSQL = """
        INSERT INTO cases(studio_id, number, resident_phone, intent, topic, area, area_source, assignee_id, state,
                          routing_reason, routing_explanation, classification, text, created_at, updated_at,
                          outcome, outcome_note, department, accepted_at, first_reply_at, closed_at, accept_due, reply_due,
                          close_due, satisfaction, survey_state, survey_asked_at, missed_deadlines, reminded, reopened, traditional,
                          transferred_at, resident_token)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Inserts the case and sets its id.
    mutating func insertCached(_ db: Database, stamp: Stamp? = nil) throws {
        let stamp = stamp ?? Stamp(createdAt)
        func date(_ d: Date?) -> DatabaseValue { d.map(stamp.value) ?? .null }
        var s = BoundStatement(try db.cachedStatement(sql: Self.insertSQL))
        s.bind(studioId); s.bind(number); s.bind(residentPhone); s.bind(intent.rawValue); s.bind(topic.rawValue); s.bind(area)
        s.bind(areaSource?.rawValue); s.bind(assigneeId); s.bind(state.rawValue); s.bind(routingReason?.rawValue)
        s.bind(routingExplanation); s.bind(classification); s.bind(text); s.bind(date(createdAt)); s.bind(date(updatedAt))
        s.bind(outcome?.rawValue); s.bind(outcomeNote); s.bind(department); s.bind(date(acceptedAt)); s.bind(date(firstReplyAt))
        s.bind(date(closedAt)); s.bind(date(acceptDue)); s.bind(date(replyDue)); s.bind(date(closeDue)); s.bind(satisfaction?.rawValue)
        s.bind(surveyState?.rawValue); s.bind(date(surveyAskedAt)); s.bind(missedDeadlines); s.bind(reminded); s.bind(reopened)
        s.bind(traditional); s.bind(date(transferredAt)); s.bind(residentToken)
        try s.run(db)
        id = db.lastInsertedRowID
    }
}

extension CaseEventRecord {
    static let insertSQL = "INSERT INTO case_events(case_id, at, actor, kind, detail) VALUES (?, ?, ?, ?, ?)"

    /// Inserts the event and sets its id.
    mutating func insertCached(_ db: Database, stamp: Stamp? = nil) throws {
        let stamp = stamp ?? Stamp(at)
        var s = BoundStatement(try db.cachedStatement(sql: Self.insertSQL))
        s.bind(caseId); s.bind(stamp.value(at)); s.bind(actor); s.bind(kind); s.bind(detail)
        try s.run(db)
        id = db.lastInsertedRowID
    }
}

extension OutboxRecord {
    static let insertSQL = """
        INSERT INTO outbox(message_id, channel, priority, status, attempts, next_attempt_at, last_error, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Inserts the outbox row and sets its id.
    mutating func insertCached(_ db: Database, stamp: Stamp? = nil) throws {
        let stamp = stamp ?? Stamp(updatedAt)
        var s = BoundStatement(try db.cachedStatement(sql: Self.insertSQL))
        s.bind(messageId); s.bind(channel); s.bind(priority); s.bind(status.rawValue); s.bind(attempts); s.bind(stamp.value(nextAttemptAt))
        s.bind(lastError); s.bind(stamp.value(updatedAt))
        try s.run(db)
        id = db.lastInsertedRowID
    }
}

/// One transaction's time as SQLite stores it, formatted once: a message, its case, events and
/// replies all carry the same time.
struct Stamp {
    let date: Date
    let stored: DatabaseValue

    init(_ date: Date) {
        self.date = date
        self.stored = StoredDate.value(date)
    }

    /// The stored form of `d`, reusing the formatted time when `d` is it.
    func value(_ d: Date) -> DatabaseValue { d == date ? stored : StoredDate.value(d) }
}

/// Dates in GRDB's storage format (`yyyy-MM-dd HH:mm:ss.SSS`, UTC), written without a
/// `DateFormatter`: GRDB formats every `Date` through one, shared behind a lock, which cost a few
/// per cent of intake. The `storedDates…` tests in `GroupCommitTests` check that both agree.
enum StoredDate {
    static func value(_ date: Date) -> DatabaseValue {
        string(date).map { $0.databaseValue } ?? date.databaseValue
    }

    /// The stored text, or nil outside the years 1600…9999 (left to GRDB: before the Gregorian
    /// calendar, ICU counts Julian days).
    static func string(_ date: Date) -> String? {
        let t = date.timeIntervalSince1970
        guard t.isFinite, t >= -11_676_096_000, t < 253_402_300_800 else { return nil }
        // Milliseconds computed the way Foundation hands them to ICU (from the reference date, then
        // rounded half up), so that both agree to the last digit.
        let ms = Int64(((date.timeIntervalSinceReferenceDate + 978_307_200) * 1000 + 0.5).rounded(.down))
        let c = CivilTime(milliseconds: ms)
        var out: [UInt8] = []
        out.reserveCapacity(23)
        c.append(&out, between: UInt8(ascii: " "))
        out.append(UInt8(ascii: "."))
        out.append(UInt8(ascii: "0") + UInt8(c.millisecond / 100))
        out.append(UInt8(ascii: "0") + UInt8(c.millisecond / 10 % 10))
        out.append(UInt8(ascii: "0") + UInt8(c.millisecond % 10))
        return String(decoding: out, as: UTF8.self)
    }

    /// The date of a stored text `yyyy-MM-dd HH:mm:ss.SSS` (UTC), or nil for any other form.
    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        guard b.count == 23, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: " "), b[13] == UInt8(ascii: ":"),
              b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: ".") else { return nil }
        var bad = false
        func number(_ from: Int, _ width: Int) -> Int64 {
            var v: Int64 = 0
            for i in from..<(from + width) {
                let d = Int64(b[i]) - 48
                if d < 0 || d > 9 { bad = true }
                v = v * 10 + d
            }
            return v
        }
        let (year, month, day) = (number(0, 4), number(5, 2), number(8, 2))
        let (hour, minute, second, ms) = (number(11, 2), number(14, 2), number(17, 2), number(20, 3))
        guard !bad, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        // Days since 1970-01-01 from the civil date (Howard Hinnant's algorithm, the inverse of `string`).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let total = days * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + ms
        return Date(timeIntervalSince1970: Double(total) / 1000)
    }

}
