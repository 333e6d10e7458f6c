import Foundation
import GRDB
import HotlineCore
import HotlineTestSupport
import Testing
@testable import HotlineStorage

/// The reports' own reads beside the lists': a month's escalations (the digest, the reports page)
/// and each member's overdue count (the members page) — the same answers as the cases filtered in
/// Swift, each from its own index without reading the other cases.
@Suite struct ReportQueryTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    /// 600 cases in two studios over 60 days: some closed as proposals or social-conditions
    /// reports (some reopened since: no longer escalations), some open and past their deadline.
    static func seed() async throws -> (AppDatabase, [CaseRecord]) {
        let db = try AppDatabase.inMemory()
        var rng = SeededRandom(state: 25)
        var histories: [CaseHistory] = []
        var numbers: [String: Int] = [:]
        for _ in 0..<600 {
            let studio = rng.below(3) == 0 ? "xinjiang" : "xujiawan"
            numbers[studio, default: 0] += 1
            let created = now.addingTimeInterval(-3_600 * Double(rng.below(24 * 60)))
            let state = [CaseState.assigned, .accepted, .closed, .surveyed, .reopened][rng.below(5)]
            let outcome: CaseOutcome? = state.isOpen && state != .reopened ? nil : [.proposal, .socialReport, .resolved, .unresolved][rng.below(4)]
            let due = { now.addingTimeInterval(3_600 * Double(rng.below(24 * 10) - 24 * 5)) }
            let progress = CaseProgress(state: state, assignee: rng.below(6) == 0 ? nil : "M\(rng.below(4))", outcome: outcome,
                                        acceptDue: due(), replyDue: due(), closeDue: due())
            let record = CaseRecord(studioId: studio, number: numbers[studio]!, residentPhone: "+86137000\(10_000 + rng.below(80_000))",
                                    intent: .complaint, topic: .water, area: nil,
                                    classification: Classification(intent: .complaint, topic: .water, score: 1, matches: []).jsonText,
                                    text: "路灯不亮", createdAt: created, progress: progress)
            histories.append(CaseHistory(record: record, messages: [], events: []))
        }
        try await db.importHistory(histories)
        return (db, try await db.cases(limit: 10_000))
    }

    @Test(arguments: [1, 7, 1_000])
    func escalationsAreTheMonthsProposalsAndReportsOldestFirst(limit: Int) async throws {
        let (db, all) = try await Self.seed()
        let from = Self.now.addingTimeInterval(-30 * 86_400)
        let spans = [("xujiawan", from, Self.now), ("xinjiang", from, Self.now)].map { (studio: $0.0, from: $0.1, to: $0.2) }
        let expected = all.filter { c in
            c.createdAt >= from && c.createdAt < Self.now && [CaseState.closed, .surveyed].contains(c.progress.state)
                && [CaseOutcome.proposal, .socialReport].contains(c.progress.outcome)
        }.sorted { ($0.createdAt, $0.id ?? 0) < ($1.createdAt, $1.id ?? 0) }
        #expect(expected.count > 20)
        let found = try await db.escalatedCases(received: spans, limit: limit)
        #expect(found.total == expected.count)
        #expect(found.cases.map(\.id) == expected.prefix(limit).map(\.id))
        let plan = try await db.planDetails("SELECT * " + AppDatabase.escalatedSQL + " ORDER BY created_at, id LIMIT ?",
                                            ["xujiawan", from, Self.now, 10]).joined(separator: "; ")
        #expect(plan.contains("USING INDEX cases_escalated") && !plan.contains("TEMP B-TREE"), "\(plan)")
    }

    @Test func overdueCountsAreEachMembersOpenCasesPastTheirDeadline() async throws {
        let (db, all) = try await Self.seed()
        var expected: [String: [String: Int]] = [:]
        for c in all {
            guard let assignee = c.assigneeId, let due = c.progress.currentDeadline?.due, due < Self.now else { continue }
            expected[c.studioId, default: [:]][assignee, default: 0] += 1
        }
        #expect(expected.values.reduce(0) { $0 + $1.count } > 4)
        #expect(try await db.overdueCounts(now: Self.now, studios: ["xujiawan", "xinjiang"]) == expected)
        let plan = try await db.planDetails(AppDatabase.overdueCountsSQL, ["xujiawan", StoredDate.value(Self.now)]).joined(separator: "; ")
        // (Not called covering: SQLite 3.40 does not say so of an index on a generated column, but
        // reads the deadline from it, the row's seek deferred and never made.)
        #expect(plan.contains("USING INDEX cases_open_by_member") && !plan.contains("SCAN cases"), "\(plan)")
    }
}
