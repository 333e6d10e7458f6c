import Foundation
import HotlineCore
import HotlineStorage
import Logging

/// Reading cases and the roster's load as an account may see them, for the API, the dashboard and
/// Open311 alike: a case with its conversation and audit trail, the one view of a case
/// (``CaseView``: its member's name, whether it is overdue, the resident's number whole or masked),
/// the members with their open and overdue cases.
struct Casebook: Sendable {
    let database: AppDatabase, deployment: Deployment, access: Access, clock: WallClock, logger: Logger

    init(_ parts: HotlineParts, access: Access) {
        (database, deployment, self.access, clock) = (parts.database, parts.settings.deployment, access, parts.clock)
        logger = parts.logger
    }

    /// The classification stored with a case, with its explanation. One that cannot be read (a row
    /// written by other means, or damaged) is logged and shown as the case's intent and topic with
    /// no rules fired, rather than failing the whole case page.
    func classification(_ record: CaseRecord) -> Classification {
        do {
            return try JSONDecoder().decode(Classification.self, from: Data(record.classification.utf8))
        } catch {
            logger.warning("case \(record.studioId)-\(record.number): its stored classification cannot be read: \(error)")
            return Classification(intent: record.intent, topic: record.topic, score: 0, matches: [])
        }
    }

    /// The one view of a case, as `user` may see it (nil: the numbers whole, for the CLI and Open311's masking of its own).
    func view(_ record: CaseRecord, for user: StaffUser?, now: Date? = nil) -> CaseView {
        CaseView(record, deployment: deployment, now: now ?? clock.now(), showPhone: user.map(access.showsPhones) ?? true)
    }

    /// A case with its conversation and audit trail, if the account may see it.
    func detail(_ user: StaffUser, studio id: String, number: Int) async throws -> (CaseRecord, [MessageRecord], [CaseEventRecord]) {
        let studio = try access.studio(user, id)
        guard let found = try await database.caseDetail(studio: studio.id, number: number) else {
            throw APIError(.notFound, "no case \(number) in studio '\(studio.id)'")
        }
        try Self.mayRead(user, found.0)
        return found
    }

    /// A member's account sees its own cases only.
    static func mayRead(_ user: StaffUser, _ record: CaseRecord) throws {
        if user.role == .member, record.assigneeId != user.rosterId {
            throw APIError(.forbidden, "case \(record.studioId)-\(record.number) is not assigned to you")
        }
    }

    /// The roster of `studios` as the account may see it: duty days, leave, open and overdue cases,
    /// whether routing would give them a case now (the API's members and the dashboard's page).
    func members(_ user: StaffUser, studios: [String]) async throws -> [MemberView] {
        let now = clock.now()
        let leave = try await database.leave(now: now)
        let load = try await database.openCaseCounts()
        let overdue = try await database.overdueCounts(now: now, studios: studios)
        let shows = access.showsPhones(user)
        var out: [MemberView] = []
        for id in studios {
            guard let studio = deployment.studio(id: id) else { continue }
            let atCapacity = Routing.atCapacity(studio: studio, openCases: load[id] ?? [:])
            for p in studio.roster {
                let away = leave[id]?[p.id]
                let duty = Weekday.allCases.filter { studio.duty[$0]?.contains(p.id) == true }.map { "\($0)" }
                out.append(MemberView(
                    studio: id, id: p.id, name: p.name, role: p.role.rawValue, sector: p.sector, areas: p.areas, dutyDays: duty,
                    phone: shows || p.id == user.rosterId ? p.phone : PhoneNumber.mask(p.phone), onLeave: away != nil, leaveUntil: away ?? nil,
                    openCases: load[id]?[p.id] ?? 0, overdueCases: overdue[id]?[p.id] ?? 0,
                    available: away == nil && !atCapacity.contains(p.id)))
            }
        }
        return out
    }
}
