import Foundation
import HotlineCore
import HotlineStorage

/// What staff do to a case from the admin side (API, and the dashboard after it).
public enum StaffCaseAction: Sendable, Equatable {
    /// To a member (roster id or name) or a configured department.
    case reassign(to: String, reason: String)
    /// A line in the audit trail; nothing is sent.
    case note(String)
    /// Closed with an outcome (`resolved` on a department's case records the department's answer).
    case close(CaseOutcome, note: String)
}

/// Why a staff action was not carried out.
public enum StaffCaseRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The change was made against an older copy of the case.
    case stale(current: Int)
    /// The lifecycle refuses it (the case's state or owner).
    case rejected(CaseRejection)
    /// No such member or department, or the member cannot take cases now.
    case target(String)
    case emptyText(String)

    public var description: String {
        switch self {
        case let .stale(v): "the case has changed since version you sent (it is at version \(v)); read it again"
        case let .rejected(r): "\(r)"
        case let .target(why): why
        case let .emptyText(field): "\(field) is empty"
        }
    }
}

extension CaseDesk {
    /// A desk for work on `studio`'s cases that does not come in through a text: texts go out on the
    /// studio's outbound channel and first hotline number.
    static func forStudio(_ studio: Studio, settings: HotlineSettings, topics: TopicCatalog, ledger: CaseLedger) -> CaseDesk {
        let channel = studio.outboundChannel
        return CaseDesk(studio: studio, deployment: settings.deployment, channels: settings.channels, ledger: ledger, channel: channel,
                        from: studio.hotlineNumbers.first ?? "", maxParts: settings.channel(channel)?.maxParts ?? 5, topics: topics)
    }

    /// Carries out a staff action with the rules and lifecycle the SMS commands use, recording it
    /// in the audit trail under `actor` and queueing the texts it leads to; a refusal is recorded too.
    func staff(_ action: StaffCaseAction, on record: inout CaseRecord, by actor: CaseActor, name: String) throws -> Result<Void, StaffCaseRefusal> {
        let result: Result<Void, StaffCaseRefusal>
        switch action {
        case let .note(text):
            let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { return .failure(.emptyText("note")) }
            // A member notes only their own cases, as with every other command.
            if case let .member(id) = actor, record.assigneeId != id { return .failure(.rejected(.notYours(assignee: record.assigneeId))) }
            try ledger.addEvent(record.id!, actor: actor.auditName, kind: .note, detail: text)
            return .success(())
        case let .reassign(target, reason):
            result = try staffReassign(&record, to: target.trimmingCharacters(in: .whitespaces), reason: reason, by: actor, name: name)
        case let .close(outcome, note):
            let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !note.isEmpty else { return .failure(.emptyText("note")) }
            // A department's case closes with the department's answer, as `办结 N` does by text.
            let (outcome, department) = record.state == .withDepartment && (outcome == .resolved || outcome == .transferred)
                ? (CaseOutcome.transferred, record.department) : (outcome, nil)
            if outcome == .transferred, department == nil { return .failure(.rejected(.notAllowed("only a case with a department closes as transferred"))) }
            switch try transition(&record, .close(outcome, note: note, department: department), by: actor, event: .closed,
                                  detail: "\(outcome.rawValue): \(department ?? note)") {
            case let .failure(r): result = .failure(.rejected(r))
            case .success:
                try announceClosing(record)
                result = .success(())
            }
        }
        if case let .failure(refusal) = result {
            try ledger.addEvent(record.id!, actor: actor.auditName, kind: .refused, detail: "\(action) — \(refusal)")
        }
        return result
    }

    private func staffReassign(_ record: inout CaseRecord, to target: String, reason: String, by actor: CaseActor, name: String) throws
        -> Result<Void, StaffCaseRefusal> {
        if let member = studio.person(target) ?? studio.person(named: target) {
            if let why = try unavailable()[member.id] { return .failure(.target("\(member.id) \(member.name): \(why)")) }
            let why = reason.isEmpty ? "reassigned by \(actor.auditName)" : reason
            return try reassign(&record, to: member, by: actor, reason: why, extra: ["actor": name]).mapError { .rejected($0) }
        }
        if let department = studio.department(named: target) {
            let result = try transition(&record, .transfer(department: department.name, due: department.days.map { now + $0 * 86_400 }),
                                        by: actor, event: .transferred, detail: department.name)
            guard case .success = result else { return result.mapError { .rejected($0) } }
            var v = values(record)
            v["department"] = department.name
            try tellResident(of: record, "resident.transferred", v)
            return .success(())
        }
        let closest = studio.closestTargets(to: target)
        return .failure(.target("no member or department '\(target.prefix(40))' in \(studio.id)"
            + (closest.isEmpty ? "" : " (closest: \(closest.joined(separator: ", ")))")))
    }
}
