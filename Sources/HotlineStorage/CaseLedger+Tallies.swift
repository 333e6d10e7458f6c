import Foundation
import GRDB
import HotlineCore

/// Where a case is counted in `case_tallies`: its studio, month and week (on the studio's
/// calendar), member, area and topic ('' for no member or area).
struct TallyKey: Hashable, Sendable {
    var studio: String, month: String, week: String, assignee: String, area: String, topic: String
}

/// The reports' counts kept as cases change: every write of a case through the ledger moves its
/// counts from where it was counted to where it is counted now.
extension CaseLedger {
    /// The columns a case is counted by, in the order ``tallied(_:period:)`` reads them.
    static let tallyColumns = "studio_id, assignee_id, area, topic, created_at, state, outcome, satisfaction, accepted_at, accept_due"

    // The statements each new or changed case runs, written once: built for each case (with
    // interpolation and joined()), counting a case took 5.3% of a profile of in-process intake
    // outside SQLite; written once, 2.4% (BENCHMARKS.md, session 31).
    static let tallySQL = "SELECT \(tallyColumns) FROM cases WHERE id = ?"
    static let countSQL = """
        INSERT INTO case_tallies(studio_id, month, week, assignee_id, area, topic, \(TallyCounts.columns.joined(separator: ", ")))
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(studio_id, month, week, assignee_id, area, topic) DO UPDATE SET
          \(TallyCounts.columns.map { "\($0) = \($0) + excluded.\($0)" }.joined(separator: ", "))
        """
    static let countMonthSQL = """
        INSERT INTO case_month_totals(studio_id, month, \(TallyCounts.columns.joined(separator: ", ")))
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(studio_id, month) DO UPDATE SET
          \(TallyCounts.columns.map { "\($0) = \($0) + excluded.\($0)" }.joined(separator: ", "))
        """

    /// Where and how a case row (``tallyColumns``) is counted.
    static func tallied(_ row: BoundStatement.Columns, period: (String) throws -> ReportPeriod) rethrows -> (TallyKey, TallyCounts) {
        let studio = row.text(0) ?? ""
        let progress = CaseProgress(state: row.text(5).flatMap(CaseState.init) ?? .received, assignee: row.text(1),
                                    outcome: row.text(6).flatMap(CaseOutcome.init), acceptedAt: row.date(8), acceptDue: row.date(9),
                                    satisfaction: row.text(7).flatMap(Satisfaction.init(rawValue:)))
        let (month, week) = try period(studio).of(row.date(4) ?? Date(timeIntervalSince1970: 0))
        return (TallyKey(studio: studio, month: month, week: week, assignee: progress.assignee ?? "", area: row.text(2) ?? "", topic: row.text(3) ?? ""),
                TallyCounts(RateFacts(progress)))
    }

    /// A studio's calendar as stored by ``AppDatabase/syncRoster(_:now:)`` (Shanghai's where none is).
    func period(studio: String) throws -> ReportPeriod {
        var s = BoundStatement(try db.cachedStatement(sql: "SELECT time_zone FROM studios WHERE id = ?"))
        s.bind(studio)
        let name = try s.firstRow(db) { $0.text(0) } ?? nil
        return ReportPeriod(name.flatMap(TimeZone.init(identifier:)) ?? CaseLedger.defaultZone)
    }

    static let defaultZone = TimeZone(identifier: "Asia/Shanghai")!

    /// How `record` is counted (as it is about to be, or has just been, written).
    func tallied(_ record: CaseRecord) throws -> (TallyKey, TallyCounts) {
        let progress = record.progress
        let (month, week) = try period(studio: record.studioId).of(record.createdAt)
        return (TallyKey(studio: record.studioId, month: month, week: week, assignee: progress.assignee ?? "", area: record.area ?? "",
                         topic: record.topic.rawValue), TallyCounts(RateFacts(progress)))
    }

    /// How the stored case `id` is counted now.
    func tally(caseID id: Int64) throws -> (TallyKey, TallyCounts)? {
        var s = BoundStatement(try db.cachedStatement(sql: Self.tallySQL))
        s.bind(id)
        var found: (TallyKey, TallyCounts)?
        try s.rows(db) { row in found = try Self.tallied(row) { try period(studio: $0) } }
        return found
    }

    /// Adds `counts` (negated with `sign` -1) to the row of `key`.
    func count(_ key: TallyKey, _ counts: TallyCounts, sign: Int) throws {
        var s = BoundStatement(try db.cachedStatement(sql: Self.countSQL))
        s.bind(key.studio); s.bind(key.month); s.bind(key.week); s.bind(key.assignee); s.bind(key.area); s.bind(key.topic)
        for v in counts.values { s.bind(v * sign) }
        try s.run(db)
    }

    /// Adds `counts` (negated with `sign` -1) to the studio's month total.
    func countMonth(studio: String, month: String, _ counts: TallyCounts, sign: Int) throws {
        var s = BoundStatement(try db.cachedStatement(sql: Self.countMonthSQL))
        s.bind(studio); s.bind(month)
        for v in counts.values { s.bind(v * sign) }
        try s.run(db)
    }

    /// Moves `record`'s counts from `before` (how it was counted as stored; nil for a new case) to
    /// how it is counted as just written, in the tallies and the month totals (those only when
    /// the counts or the month change, not for a case given to another member).
    func recount(_ record: CaseRecord, before: (TallyKey, TallyCounts)?) throws {
        let after = try tallied(record)
        guard before?.0 != after.0 || before?.1 != after.1 else { return }
        if let before { try count(before.0, before.1, sign: -1) }
        try count(after.0, after.1, sign: 1)
        if let before, before.0.studio == after.0.studio, before.0.month == after.0.month, before.1 == after.1 { return }
        if let before { try countMonth(studio: before.0.studio, month: before.0.month, before.1, sign: -1) }
        try countMonth(studio: after.0.studio, month: after.0.month, after.1, sign: 1)
    }
}

extension AppDatabase {
    /// Counts every case again into `case_tallies` (what start-up does when the studios' calendars
    /// changed, and `hotline reports recount`); returns how many cases.
    @discardableResult
    static func recountTallies(_ db: Database) throws -> Int {
        try db.execute(sql: "DELETE FROM case_tallies")
        let ledger = CaseLedger(db: db, now: Date())
        var periods: [String: ReportPeriod] = [:]
        var sums: [TallyKey: TallyCounts] = [:]
        var n = 0
        let s = BoundStatement(try db.makeStatement(sql: "SELECT \(CaseLedger.tallyColumns) FROM cases"))
        try s.rows(db) { row in
            let (key, counts) = try CaseLedger.tallied(row) { studio in
                if let known = periods[studio] { return known }
                let p = try ledger.period(studio: studio)
                periods[studio] = p
                return p
            }
            sums[key, default: TallyCounts()] = sums[key, default: TallyCounts()] + counts
            n += 1
        }
        for (key, counts) in sums { try ledger.count(key, counts, sign: 1) }
        try sumMonthTotals(db)
        return n
    }

    /// The month totals summed again from the tallies.
    static func sumMonthTotals(_ db: Database) throws {
        let columns = TallyCounts.columns.joined(separator: ", ")
        try db.execute(sql: "DELETE FROM case_month_totals")
        try db.execute(sql: """
            INSERT INTO case_month_totals(studio_id, month, \(columns))
            SELECT studio_id, month, \(TallyCounts.columns.map { "SUM(\($0))" }.joined(separator: ", ")) FROM case_tallies GROUP BY studio_id, month
            """)
    }

    /// Counts every case again; returns how many.
    public func recountTallies() async throws -> Int {
        try await writer.write { db in try Self.recountTallies(db) }
    }

    /// The seven counts in ``TallyCounts/columns``' order from column `first` on.
    static func counts(_ row: BoundStatement.Columns, from first: Int32) -> TallyCounts {
        func at(_ i: Int32) -> Int { Int(row.int64(first + i) ?? 0) }
        return TallyCounts(cases: at(0), assigned: at(1), acceptedInTime: at(2), closed: at(3), resolved: at(4), answered: at(5), satisfied: at(6))
    }

    /// Each month's counts summed over some studios (every studio when nil): what a trend needs,
    /// a studio's month totals (``CaseLedger/countMonth(studio:month:_:sign:)``), a row a month.
    public func monthTotals(months: [String], studios: [String]?) async throws -> [String: TallyCounts] {
        guard !months.isEmpty else { return [:] }
        return try await read { db in
            var out: [String: TallyCounts] = [:]
            let inMonths = months.map { _ in "?" }.joined(separator: ",")
            let ids = try studios ?? String.fetchAll(db, sql: "SELECT DISTINCT studio_id FROM case_month_totals")
            // A row per studio and month: read as it is, summed over the studios here.
            let columns = TallyCounts.columns.joined(separator: ", ")
            for studio in ids {
                var s = BoundStatement(try db.cachedStatement(sql: "SELECT month, \(columns) FROM case_month_totals WHERE studio_id = ? AND month IN (\(inMonths))"))
                s.bind(studio)
                for month in months { s.bind(month) }
                try s.rows(db) { row in
                    let month = row.text(0) ?? ""
                    out[month] = (out[month] ?? TallyCounts()) + Self.counts(row, from: 1)
                }
            }
            return out
        }
    }
}
