import Foundation
import HotlineCore
import HotlineStorage
import Logging

/// Changes to cases that are not intake's: the staff's actions and resends (from the API and the
/// dashboard alike) and the deadline service's steps. Each change and the texts it queues commit in one
/// transaction, whose commit wakes the dispatcher.
public struct Casework: Sendable {
    let settings: HotlineSettings, database: AppDatabase, rules: RuleBook, clock: WallClock, logger: Logger
    let access: Access
    /// Meeting reminders fall due with the deadline service's pass.
    let notices: NoticeService

    public init(_ parts: HotlineParts) {
        (settings, database, rules, clock) = (parts.settings, parts.database, parts.rules, parts.clock)
        logger = parts.logger
        access = Access(deployment: parts.settings.deployment)
        notices = NoticeService(parts)
    }

    /// One pass of the deadline service at the clock's time; returns the number of steps taken.
    @discardableResult
    public func followUp() async throws -> Int {
        let now = clock.now()
        let deployment = settings.deployment
        let settings = self.settings
        let topics = rules.topics
        let steps = try await database.casework(now: now) { ledger in
            var taken = 0
            for var record in try ledger.casesToFollowUp() {
                guard let studio = deployment.studio(id: record.studioId),
                      let step = FollowUp.due(record.progress, deadlines: studio.sla.deadlines(for: record.topic, catalog: topics),
                                             now: now, sla: studio.sla, timeZone: studio.timeZone)
                else { continue }
                let desk = CaseDesk.forStudio(studio, settings: settings, topics: topics, ledger: ledger)
                try desk.followUp(step, on: &record, sectors: deployment.sectors)
                taken += 1
            }
            return taken
        }
        return steps + (try await notices.sendDueReminders())
    }

    /// A staff action on a case, as the API and the dashboard carry it out: the account's rights
    /// checked, the change and its texts in one transaction, the dispatcher woken. Throws
    /// ``APIError`` or ``StaffCaseRefusal`` naming why not.
    func change(_ user: StaffUser, studio: Studio, number: Int, version: Int?, _ action: StaffCaseAction) async throws -> CaseRecord {
        try access.mayWrite(user)
        let settings = self.settings
        let topics = rules.topics
        // Members act as themselves (the lifecycle keeps them to their own cases); staff under their login.
        let actor: CaseActor = user.role == .member ? .member(user.rosterId ?? "-") : .staff("staff:\(user.login)")
        let name = user.name
        let outcome = try await database.casework(now: clock.now()) { ledger -> ActResult in
            guard var record = try ledger.caseRecord(studio: studio.id, number: number) else { return .notFound }
            if user.role == .member, record.assigneeId != user.rosterId { return .notYours }
            if let version, version != record.version { return .refused(.stale(current: record.version)) }
            let desk = CaseDesk.forStudio(studio, settings: settings, topics: topics, ledger: ledger)
            switch try desk.staff(action, on: &record, by: actor, name: name) {
            case .success: return .done(record)
            case let .failure(refusal): return .refused(refusal)
            }
        }
        switch outcome {
        case .notFound: throw APIError(.notFound, "no case \(number) in studio '\(studio.id)'")
        case .notYours: throw APIError(.forbidden, "case \(studio.id)-\(number) is not assigned to you")
        case let .refused(refusal): throw refusal
        case let .done(record):
            logger.info("case changed by staff", metadata: ["case": "\(studio.id)-\(number)", "by": "\(user.login)", "action": "\(Self.name(action))"])
            return record
        }
    }

    /// Puts failed texts of `user`'s studios back in the queue (the API's retry, the dashboard's
    /// resend button); answers how many were.
    func resend(_ ids: [Int64], by user: StaffUser) async throws -> Int {
        try access.mayWrite(user)
        try access.notMember(user, "the outbox")
        let count = try await database.retryFailed(ids: ids, studios: try access.studios(user, asked: nil), now: clock.now())
        logger.info("outbox retried by staff", metadata: ["by": "\(user.login)", "retried": "\(count)"])
        return count
    }

    enum ActResult: Sendable {
        case notFound, notYours
        case refused(StaffCaseRefusal)
        case done(CaseRecord)
    }

    static func name(_ action: StaffCaseAction) -> String {
        switch action {
        case .reassign: "reassign"
        case .note: "note"
        case .close: "close"
        }
    }
}
