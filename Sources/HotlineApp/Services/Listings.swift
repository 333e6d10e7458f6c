import Foundation
import HotlineCore
import HotlineStorage

/// What the CLI prints: one JSON object per line (`--json`) or one tab-separated line per item.
public enum Listings {
    /// ISO 8601 in UTC, e.g. 2026-11-21T08:30:00Z.
    public static func isoString(_ date: Date) -> String { CivilTime.iso8601(date) ?? date.formatted(.iso8601) }

    /// A case as a JSON line: the one view of a case (``CaseView``), keyed as the admin API keys it.
    public static func json(_ c: CaseView) throws -> String {
        String(decoding: try AdminAPI.encoder.encode(c), as: UTF8.self)
    }

    /// A notice's fields for a JSON line.
    public static func notice(_ n: NoticeRecord) -> [String: Any?] {
        ["studio": n.studioId, "number": n.number, "ref": "\(n.studioId)-\(n.number)", "kind": n.kind.rawValue, "state": n.state.rawValue,
         "title": n.title, "body": n.body, "meeting_at": n.meetingAt.map(isoString), "place": n.place, "topic": n.topic,
         "cases": n.caseNumbers, "audience": n.audience.split(separator: "\n").map(String.init), "text": n.text,
         "send_at": isoString(n.sendAt), "rsvp_until": n.rsvpUntil.map(isoString), "remind_at": n.remindAt.map(isoString),
         "reminded_at": n.remindedAt.map(isoString), "created_by": n.createdBy, "created_at": isoString(n.createdAt),
         "cancelled_at": n.cancelledAt.map(isoString), "cancel_reason": n.cancelReason]
    }

    /// An audit-trail entry as a JSON line.
    public static func json(_ e: CaseEventRecord) -> String {
        line(["at": isoString(e.at), "actor": e.actor, "kind": e.kind, "detail": e.detail])
    }

    /// A message as a JSON line; `case` is the case number within the message's studio.
    public static func json(_ m: MessageRecord, caseNumber: Int?) -> String {
        line([
            "id": m.id, "studio": m.studioId, "direction": m.direction.rawValue, "channel": m.channel, "provider_id": m.providerId,
            "from": m.fromNumber, "to": m.toNumber, "text": m.text, "status": m.status.rawValue, "kind": m.kind?.rawValue, "case": caseNumber,
            "error": m.error, "encoding": m.encoding, "parts": m.parts, "created_at": isoString(m.createdAt),
        ])
    }

    /// A case as one readable line.
    public static func text(_ c: CaseView) -> String {
        var outcome = c.outcome.map { $0 + (c.department.map { ":\($0)" } ?? "") } ?? "-"
        if let hours = c.departmentHours { outcome += " in \(hours) h" }
        if c.state == CaseState.withDepartment.rawValue, let d = c.department { outcome = "with \(d) since \(c.transferredAt.map(isoString) ?? "-")" }
        let deadline = c.nextDeadline.map { "\($0.step) by \(isoString($0.due))" } ?? "-"
        return [
            c.ref, "\(c.intent)/\(c.topic)", c.area ?? "-", c.member ?? "-", c.state, outcome,
            deadline, c.satisfaction ?? "-", isoString(c.receivedAt), c.text,
        ].joined(separator: "\t")
    }

    /// The header line of the text listing.
    public static let caseHeader = "case\tintent/topic\tarea\tmember\tstate\toutcome\tnext deadline\tsatisfaction\treceived\ttext"

    /// An audit-trail entry as one readable line.
    public static func text(_ e: CaseEventRecord) -> String {
        "\(isoString(e.at))\t\(e.actor)\t\(e.kind)\t\(e.detail ?? "")"
    }

    /// A message as one readable line.
    public static func text(_ m: MessageRecord, caseNumber: Int?) -> String {
        let arrow = m.direction == .inbound ? "←" : "→"
        return "#\(m.id ?? 0)\t\(arrow) \(m.fromNumber) → \(m.toNumber)\t\(m.status.rawValue)\tcase \(caseNumber.map(String.init) ?? "-")\t\(m.text)"
    }

    /// Sorted-key JSON, nil values left out.
    public static func line(_ object: [String: Any?]) -> String {
        let present = object.compactMapValues { $0 }
        let data = (try? JSONSerialization.data(withJSONObject: present, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
