import Foundation
import HotlineCore
import HotlineStorage

/// The one view of a case: what the admin API answers with, the dashboard draws a row from, the CLI
/// lists (`hotline cases`, `hotline case`) and Open311 publishes. What a case *shows* — its
/// reference, the member's name, whether it is overdue, the next deadline, the department's hours —
/// is worked out here once; each of those four only picks fields and names them its own way.
public struct CaseView: Encodable, Sendable {
    /// The step whose deadline comes next, and when it falls due.
    public struct Deadline: Encodable, Sendable {
        public var step: String
        public var due: Date
    }
    public var ref: String, studio: String, number: Int, version: Int, state: String, intent: String, topic: String
    public var area: String?, areaSource: String?, member: String?, memberName: String?
    /// The resident's number, whole or masked as the reader may see it.
    public var resident: String
    public var text: String, receivedAt: Date, updatedAt: Date
    public var nextDeadline: Deadline?, overdue: Bool
    public var acceptDue: Date?, replyDue: Date?, closeDue: Date?, missedDeadlines: Int
    public var routing: String?, routingExplanation: String?
    public var outcome: String?, outcomeNote: String?, department: String?, transferredAt: Date?
    /// Hours the department took, from the transfer to its recorded answer (to a tenth).
    public var departmentHours: Double?
    public var acceptedAt: Date?, firstReplyAt: Date?, closedAt: Date?, reopened: Int
    public var satisfaction: String?, survey: String?

    /// `memberName` is the assignee's name (nil when there is none or it is not known); `showPhone`
    /// whether the reader sees residents' numbers whole.
    public init(_ c: CaseRecord, memberName: String?, now: Date, showPhone: Bool) {
        ref = "\(c.studioId)-\(c.number)"
        (studio, number, version, state) = (c.studioId, c.number, c.version, c.state.rawValue)
        (intent, topic, area, areaSource) = (c.intent.rawValue, c.topic.rawValue, c.area, c.areaSource?.rawValue)
        (member, self.memberName) = (c.assigneeId, c.assigneeId == nil ? nil : memberName)
        resident = showPhone ? c.residentPhone : PhoneNumber.mask(c.residentPhone)
        (text, receivedAt, updatedAt) = (c.text, c.createdAt, c.updatedAt)
        let next = c.progress.currentDeadline
        nextDeadline = next.map { Deadline(step: $0.kind.rawValue, due: $0.due) }
        overdue = (next?.due).map { $0 < now } ?? false
        (acceptDue, replyDue, closeDue, missedDeadlines) = (c.acceptDue, c.replyDue, c.closeDue, c.missedDeadlines)
        (routing, routingExplanation) = (c.routingReason?.rawValue, c.routingExplanation)
        (outcome, outcomeNote, department, transferredAt) = (c.outcome?.rawValue, c.outcomeNote, c.department, c.transferredAt)
        departmentHours = Self.departmentHours(c)
        (acceptedAt, firstReplyAt, closedAt, reopened) = (c.acceptedAt, c.firstReplyAt, c.closedAt, c.reopened)
        (satisfaction, survey) = (c.satisfaction?.rawValue, c.surveyState?.rawValue)
    }

    /// The view with the member's name from the configured roster.
    public init(_ c: CaseRecord, deployment: Deployment, now: Date, showPhone: Bool) {
        let name = c.assigneeId.flatMap { deployment.studio(id: c.studioId)?.person($0)?.name }
        self.init(c, memberName: name, now: now, showPhone: showPhone)
    }

    /// Whether the case is still being worked on (not closed).
    public var isOpen: Bool { CaseState(rawValue: state)?.isOpen ?? false }

    /// The last time anything happened to the case that a reader outside the studio would see:
    /// received, accepted, first answered, transferred or closed.
    public var lastActivity: Date {
        [closedAt, transferredAt, firstReplyAt, acceptedAt, receivedAt].compactMap { $0 }.max() ?? receivedAt
    }

    /// Hours the department took, from the transfer to the recorded answer (nil: not transferred or not closed).
    public static func departmentHours(_ c: CaseRecord) -> Double? {
        guard c.outcome == .transferred, let from = c.transferredAt, let to = c.closedAt else { return nil }
        return (to.timeIntervalSince(from) / 360).rounded() / 10
    }
}
