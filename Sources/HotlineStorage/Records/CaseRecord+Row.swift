import Foundation
import GRDB
import HotlineCore

/// A column a case row must have, missing or not a known value.
struct CaseRowError: Error, CustomStringConvertible {
    let column: String, value: String?
    var description: String { "cases.\(column): \(value.map { "unknown value \($0)" } ?? "missing")" }
}

extension CaseRecord {
    /// A case read from its row by hand. Codable with GRDB's snake-case strategy converted every
    /// column's name for every row: a month's escalations (2,500 rows) took 200 ms, and a page of
    /// 50 a few milliseconds of every list.
    public init(row: Row) throws {
        func text(_ c: String) throws -> String {
            guard let v: String = row[c] else { throw CaseRowError(column: c, value: nil) }
            return v
        }
        func known<T: RawRepresentable>(_ c: String) throws -> T where T.RawValue == String {
            let s = try text(c)
            guard let v = T(rawValue: s) else { throw CaseRowError(column: c, value: s) }
            return v
        }
        func knownOrNone<T: RawRepresentable>(_ c: String) throws -> T? where T.RawValue == String {
            guard let s: String = row[c] else { return nil }
            guard let v = T(rawValue: s) else { throw CaseRowError(column: c, value: s) }
            return v
        }
        func date(_ c: String) throws -> Date {
            guard let d: Date = row[c] else { throw CaseRowError(column: c, value: nil) }
            return d
        }
        self.init(studioId: try text("studio_id"), number: row["number"] ?? 0, residentPhone: try text("resident_phone"),
                  intent: try known("intent"), topic: Topic(rawValue: try text("topic")), area: row["area"],
                  areaSource: try knownOrNone("area_source"), assigneeId: row["assignee_id"], state: try known("state"),
                  routingReason: try knownOrNone("routing_reason"), routingExplanation: row["routing_explanation"],
                  classification: try text("classification"), text: try text("text"), createdAt: try date("created_at"),
                  updatedAt: try date("updated_at"))
        id = row["id"]
        outcome = try knownOrNone("outcome")
        outcomeNote = row["outcome_note"]
        department = row["department"]
        acceptedAt = row["accepted_at"]
        firstReplyAt = row["first_reply_at"]
        closedAt = row["closed_at"]
        acceptDue = row["accept_due"]
        replyDue = row["reply_due"]
        closeDue = row["close_due"]
        satisfaction = try knownOrNone("satisfaction")
        surveyState = try knownOrNone("survey_state")
        surveyAskedAt = row["survey_asked_at"]
        missedDeadlines = row["missed_deadlines"] ?? 0
        reminded = row["reminded"] ?? false
        reopened = row["reopened"] ?? 0
        traditional = row["traditional"] ?? false
        transferredAt = row["transferred_at"]
        version = row["version"] ?? 1
        residentToken = row["resident_token"]
    }
}
