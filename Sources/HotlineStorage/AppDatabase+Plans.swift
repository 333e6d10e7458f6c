import Foundation
import GRDB
import HotlineCore

/// A query of the lists and reports whose plan can be asked for.
public enum PlannedQuery: Sendable {
    /// A page of the case list (``AppDatabase/cases(_:now:cursor:limit:)``): board, API, dashboard.
    case caseList(CaseFilter, cursor: CaseCursor?, limit: Int)
    /// What a report reads of one studio's cases received in a span (``AppDatabase/caseFacts(received:)``).
    case caseFacts(studio: String, from: Date, to: Date)
    /// The overdue list (``AppDatabase/overdueCases(now:studios:limit:)``).
    case overdue(studios: [String]?, limit: Int)
    /// The outbox list (``AppDatabase/outbox(status:studios:limit:)``).
    case outbox(status: OutboxRecord.Status?, studios: [String]?, limit: Int)
}

extension AppDatabase {
    /// How SQLite will run `query` (its `EXPLAIN QUERY PLAN` lines, e.g. `SEARCH cases USING INDEX
    /// cases_by_studio_created (…)`): the very SQL the list or report runs, so that benchmarks print
    /// the plans they measure and tests can hold each list to an index.
    public func queryPlan(_ query: PlannedQuery, now: Date) async throws -> [String] {
        // A list read in parts (one per studio, or per studio and state) runs one SQL for every
        // part: the first part's plan is each part's.
        if case let .caseList(filter, cursor, limit) = query {
            return try await read { db in
                let list = Self.caseListQuery(filter, now: now, cursor: cursor, limit: limit, matches: try Self.searchMatches(db, filter, few: Self.fewMatches))
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + list.sql, arguments: StatementArguments(list.parts.first ?? [])).map { $0["detail"] as String }
            }
        }
        let (sql, arguments): (String, StatementArguments)
        switch query {
        case .caseList: return []
        case let .caseFacts(studio, from, to):
            (sql, arguments) = (Self.caseFactsSQL, [studio, StoredDate.value(from), StoredDate.value(to)])
        case let .overdue(studios, limit):
            let (text, parts) = Self.overdueQuery("*", now: now, studios: studios, limit: limit)
            (sql, arguments) = (text, StatementArguments(parts.first ?? []))
        case let .outbox(status, studios, limit):
            (sql, arguments) = Self.outboxListQuery(status: status, studios: studios, limit: limit)
        }
        return try await read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
        }
    }

    /// `EXPLAIN QUERY PLAN` of some SQL with its arguments (tests of a query's other forms).
    func planDetails(_ sql: String, _ arguments: StatementArguments) async throws -> [String] {
        try await read { db in try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String } }
    }
}
