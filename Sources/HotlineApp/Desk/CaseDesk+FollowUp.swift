import Foundation
import HotlineCore
import HotlineStorage

extension CaseDesk {
    /// What the member should do by the deadline, in words: 受理, 答复, 办结, or 督办区水务局 for a department's case.
    func chase(_ kind: DeadlineKind, _ record: CaseRecord) -> String {
        record.state == .withDepartment ? "督办\(record.department ?? "")" : kind.label
    }

    /// Carries out one step of the deadline service.
    func followUp(_ step: FollowUpStep, on record: inout CaseRecord, sectors: [Sector]) throws {
        let member = record.assigneeId.flatMap { studio.person($0) }
        switch step {
        case let .remind(kind, due):
            _ = try transition(&record, .deadlineReminder, by: .system, event: .reminded, detail: "\(kind.rawValue) due \(format(due))")
            if let member {
                var v = values(record, for: member)
                v["due"] = format(due)
                v["step"] = chase(kind, record)
                try tell(member, "member.remind", v, caseID: record.id, kind: .reminder)
            }
        case let .escalate(kind, due, extended):
            Measure.slaBreach(step: kind.rawValue)
            _ = try transition(&record, .deadlineMissed(extendedTo: extended), by: .system, event: .overdue,
                               detail: "\(kind.rawValue) due \(format(due)) missed; extended to \(format(extended))")
            for liaison in studio.staff where liaison.id != record.assigneeId {
                var v = values(record, for: liaison)
                v["due"] = format(due)
                v["step"] = chase(kind, record)
                try tell(liaison, "staff.overdue", v, caseID: record.id, kind: .reminder)
            }
        case let .reassign(kind):
            // The rules intake routes by: nobody on leave or at max_open_cases, the liaisons last.
            let skipped = try unavailable()
            var skip = Set(skipped.keys)
            if let current = record.assigneeId { skip.insert(current) }
            let decision = Routing.route(studio: studio, sectors: sectors, area: record.area, intent: record.intent, topic: record.topic,
                                         openCases: try ledger.openCaseCounts(studio: studio.id), unavailable: skip, now: now)
            if let decision, let target = studio.person(decision.assignee) {
                let why = skipped.isEmpty ? "" : "; skipped " + skipped.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
                _ = try reassign(&record, to: target, by: .system, reason: "\(kind.rawValue) deadline missed twice; \(decision.explanation)\(why)",
                                 extra: ["step": kind.label])
            } else {
                // Nobody else can take it: escalate again rather than every minute.
                let extended = now + deadlines(record).window(kind)
                _ = try transition(&record, .deadlineMissed(extendedTo: extended), by: .system, event: .overdue,
                                   detail: "\(kind.rawValue) missed again; nobody else available")
            }
        case .surveyReminder:
            _ = try transition(&record, .surveyReminder, by: .system, event: .surveyReminded, detail: nil)
            try tellResident(of: record, "survey.reminder", values(record), kind: .survey)
        case .surveyExpired:
            _ = try transition(&record, .surveyExpired, by: .system, event: .surveyed, detail: Satisfaction.noAnswer.rawValue)
        }
    }
}
