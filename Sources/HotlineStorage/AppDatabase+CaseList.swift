import Foundation
import GRDB
import HotlineCore

/// Which cases a list shows: every field is optional, and the fields given must all hold.
public struct CaseFilter: Sendable, Equatable {
    /// The studios to look in (never empty: the caller's studios when none is asked for).
    public var studios: [String]
    public var states: [CaseState] = []
    /// The assignee's roster id.
    public var member: String?
    public var area: String?
    public var topic: Topic?
    public var intent: Intent?
    /// Open and past the deadline it works towards (true), or not (false).
    public var overdue: Bool?
    /// Received at or after / before.
    public var receivedFrom: Date?
    public var receivedBefore: Date?
    /// Words the resident's text contains (matched as written, case-insensitively for Latin letters).
    public var text: String?
    /// Newest first (every case), or soonest deadline first (open cases only: those with a deadline).
    public var sort: CaseSort = .received

    public init(studios: [String]) { self.studios = studios }
}

/// An open case past its deadline, as the overdue list names it.
public struct OverdueCase: Sendable, Equatable {
    public var studioId: String
    public var number: Int
    public var assigneeId: String?
    public var topic: Topic
    public var area: String?
    public var step: DeadlineKind
    public var due: Date
}

/// The order of a case list.
public enum CaseSort: String, Sendable, CaseIterable {
    case received, deadline
}

/// Where a page of a case list starts: below a case's time of receipt and id (newest first), or
/// after a deadline and id (soonest deadline first). Cases received later never shift a page already read.
public enum CaseCursor: Sendable, Equatable {
    case before(received: Date, id: Int64)
    case after(due: Date, id: Int64)
}

/// One page of a case list, and where the next page starts (nil: this was the last).
public struct CasePage: Sendable {
    public var cases: [CaseRecord]
    public var nextCursor: CaseCursor?
}

/// The counts a coordinator's day starts from.
public struct TodayCounts: Sendable, Equatable {
    public var receivedToday = 0
    /// Open and held by nobody (`received`).
    public var unassigned = 0
    /// Assigned, not yet accepted.
    public var awaitingAcceptance = 0
    public var overdue = 0
    /// Open, deadline not passed but within the reminder window.
    public var atRisk = 0
    public var failedOutbound = 0

    public init() {}
}

/// What the three rates and the month's breakdowns need of a case: read as narrow rows so a
/// month of a busy district is counted in milliseconds.
public struct CaseFacts: Sendable {
    public var studioId: String
    public var assigneeId: String?
    public var area: String?
    public var topic: Topic
    public var createdAt: Date
    public var progress: CaseProgress
}

extension AppDatabase {
    /// A page of the case list as SQL: one query per studio (and per state, where a state is the
    /// index's second column), each reading its part in the list's order from an index and
    /// stopping after `limit + 1` rows; the parts are merged by that order. (One query with
    /// `studio_id IN (…)` and `state IN (…)` has several index ranges and SQLite sorts every
    /// matching case to order them.)
    struct CaseListQuery {
        /// Each part's SQL: the same text for every part, and its arguments (the LIMIT last).
        var sql: String
        var parts: [[DatabaseValue]]
        /// The SQL for one part that reads only the order's key: (id, key).
        var keySQL: String
        var descending: Bool
    }

    /// `matches`: the ids of every case a search's words find, when they are few (``searchMatches(_:_:few:)``).
    static func caseListQuery(_ filter: CaseFilter, now: Date, cursor: CaseCursor?, limit: Int, matches: [Int64]? = nil) -> CaseListQuery {
        var clauses = ["studio_id = ?"]
        var args: [(any DatabaseValueConvertible)?] = []
        // Parts by state when the list is newest first and the states lead an index: the
        // studio's states (cases_by_studio_state) or a member's (cases_by_assignee; every state for
        // a member's whole list). Soonest deadline first reads the studio's open cases by deadline.
        var stateParts: [CaseState?] = [nil]
        // Overdue newest first, whatever the state: each studio's open cases by time of receipt,
        // the deadline read from the index (cases_open_by_created).
        let openWalk = filter.sort == .received && filter.overdue == true && filter.states.isEmpty && filter.member == nil
        if filter.sort == .received, !openWalk {
            if !filter.states.isEmpty { stateParts = filter.states }
            else if filter.member != nil { stateParts = CaseState.allCases }
        }
        if stateParts != [nil] { clauses.append("state = ?") }
        else if !filter.states.isEmpty {
            clauses.append("state IN (\(Array(repeating: "?", count: filter.states.count).joined(separator: ",")))")
            args += filter.states.map { $0.rawValue as any DatabaseValueConvertible }
        }
        if let m = filter.member { clauses.append("assignee_id = ?"); args.append(m) }
        if let a = filter.area { clauses.append("area = ?"); args.append(a) }
        if let t = filter.topic { clauses.append("topic = ?"); args.append(t.rawValue) }
        if let i = filter.intent { clauses.append("intent = ?"); args.append(i.rawValue) }
        // Newest first, the deadline is a filter of the rows an ordered index gives (`+`: no index
        // on it), never the range SQLite reads and then sorts by time of receipt.
        let due = filter.sort == .received && !openWalk ? "+next_due" : "next_due"
        switch filter.overdue {
        case true?: clauses.append("\(due) < ?"); args.append(StoredDate.value(now))
        case false?: clauses.append("(\(due) IS NULL OR \(due) >= ?)"); args.append(StoredDate.value(now))
        case nil: break
        }
        if let f = filter.receivedFrom { clauses.append("created_at >= ?"); args.append(StoredDate.value(f)) }
        if let b = filter.receivedBefore { clauses.append("created_at < ?"); args.append(StoredDate.value(b)) }
        var lead: [DatabaseValue] = []
        var source = openWalk ? "cases INDEXED BY cases_open_by_created" : "cases"
        if let q = filter.text, !q.isEmpty {
            if let matches {
                // Few cases have the words: they are the walk (by id), and only they are put in order.
                source = "m CROSS JOIN cases ON cases.id = m.i"
                lead = [JSONText.array(matches).databaseValue]
            } else if let words = SearchWords.query(q) {
                // Through the full-text index of the cases' words (every word typed in the text,
                // normalised as it was indexed: widths, script, case), and by LIKE for the cases
                // the indexer has not reached yet (AppDatabase.indexCaseWords): both by id, no scan;
                // the list's index is walked newest first and each case looked up among them.
                // (One list of ids, not an OR of two conditions: on a big table SQLite scanned every
                // case for the OR.)
                // (`+id`: the matches are many, and never the walk themselves.)
                clauses.append("""
                    +id IN (SELECT rowid FROM case_words WHERE case_words MATCH ?
                           UNION ALL SELECT id FROM cases WHERE id > (SELECT through FROM case_words_state WHERE id = 1) AND text LIKE ? ESCAPE '\\')
                    """)
                args.append(words); args.append(Self.likePattern(q))
            } else {
                // A single Chinese character, or digits, is no word of the index: LIKE alone.
                clauses.append("text LIKE ? ESCAPE '\\'"); args.append(Self.likePattern(q))
            }
        }
        // Row values compare (a, b) as the index orders them, so the cursor is a range of it.
        switch cursor {
        case let .before(received, id)?: clauses.append("(created_at, id) < (?, ?)"); args += [StoredDate.value(received), id]
        case let .after(due, id)?: clauses.append("(next_due, id) > (?, ?)"); args += [StoredDate.value(due), id]
        case nil: break
        }
        let order: String, key: String
        switch filter.sort {
        case .received: (order, key) = ("created_at DESC, id DESC", "created_at")
        case .deadline:
            clauses.append("next_due IS NOT NULL")
            // Only open cases have a deadline: the studio's, in deadline order, are the walk, whatever
            // else is asked (with a month or a member's state SQLite would rather sort what those select).
            (order, key) = ("next_due, id", "next_due")
            if source == "cases" { source = "cases INDEXED BY cases_by_studio_due" }
        }
        args.append(limit + 1)
        let with = lead.isEmpty ? "" : "WITH m(i) AS (SELECT value FROM json_each(?)) "
        let tail = "FROM \(source) WHERE \(clauses.joined(separator: " AND ")) ORDER BY \(order) LIMIT ?"
        var parts: [[DatabaseValue]] = []
        for studio in filter.studios {
            for state in stateParts {
                let head: [(any DatabaseValueConvertible)?] = state.map { [studio, $0.rawValue] } ?? [studio]
                parts.append(lead + (head + args).map { $0?.databaseValue ?? .null })
            }
        }
        return CaseListQuery(sql: with + "SELECT cases.* " + tail, parts: parts, keySQL: with + "SELECT cases.id, cases.\(key) " + tail,
                             descending: filter.sort == .received)
    }

    /// A search finds at most this many cases for its list to be made from them alone; beyond, the
    /// list's index is walked and each case looked up among the matches (it soon finds a page).
    static let fewMatches = 5_000

    /// `%…%` with the text's own wildcards escaped: the characters are matched as written.
    static func likePattern(_ q: String) -> String {
        "%" + q.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
    }

    /// The ids of every case the filter's words find — through the word index, and by LIKE among the
    /// cases not indexed yet — when there are at most `few`; nil when there are more, or no words.
    static func searchMatches(_ db: Database, _ filter: CaseFilter, few: Int) throws -> [Int64]? {
        guard let q = filter.text, let words = SearchWords.query(q) else { return nil }
        let found = try Int64.fetchAll(db, sql: "SELECT rowid FROM case_words WHERE case_words MATCH ? LIMIT ?", arguments: [words, few + 1])
        guard found.count <= few else { return nil }
        let unindexed = try Int64.fetchAll(db, sql: """
            SELECT id FROM cases WHERE id > (SELECT through FROM case_words_state WHERE id = 1) AND text LIKE ? ESCAPE '\\' LIMIT ?
            """, arguments: [likePattern(q), few + 1])
        return found.count + unindexed.count <= few ? found + unindexed : nil
    }

    /// A page of cases matching `filter` in its order (newest first, or soonest deadline first), after `cursor`.
    public func cases(_ filter: CaseFilter, now: Date, cursor: CaseCursor?, limit: Int) async throws -> CasePage {
        try await cases(filter, now: now, cursor: cursor, limit: limit, few: Self.fewMatches)
    }

    func cases(_ filter: CaseFilter, now: Date, cursor: CaseCursor?, limit: Int, few: Int) async throws -> CasePage {
        try await read { db in
            let matches = try Self.searchMatches(db, filter, few: few)
            let query = Self.caseListQuery(filter, now: now, cursor: cursor, limit: limit, matches: matches)
            var cases: [CaseRecord]
            if query.parts.count == 1 {
                cases = try CaseRecord.fetchAll(db.cachedStatement(sql: query.sql), arguments: StatementArguments(query.parts[0]))
            } else {
                let ids = try Self.mergedKeys(db, query, count: limit + 1)
                let byID = Dictionary(try CaseRecord.fetchAll(db, keys: ids).map { ($0.id ?? 0, $0) }, uniquingKeysWith: { a, _ in a })
                cases = ids.compactMap { byID[$0] }
            }
            var next: CaseCursor?
            if cases.count > limit {
                cases.removeLast()
                if let last = cases.last, let id = last.id {
                    switch filter.sort {
                    case .received: next = .before(received: last.createdAt, id: id)
                    case .deadline: next = last.progress.currentDeadline.map { .after(due: $0.due, id: id) }
                    }
                }
            }
            return CasePage(cases: cases, nextCursor: next)
        }
    }

    /// The ids of the first `count` cases of a list of several parts, in the list's order: each
    /// part's keys (the stored times compare as text in time order) read in that order until one
    /// could not be among the first `count` read so far — the rest of the part follows it. Forty
    /// studios' open states are 240 parts; reading each part whole was 12,000 keys for a page of 50.
    static func mergedKeys(_ db: Database, _ query: CaseListQuery, count: Int) throws -> [Int64] {
        typealias Key = (time: String, id: Int64)
        let descending = query.descending
        func before(_ a: Key, _ b: Key) -> Bool { descending ? (a.time, a.id) > (b.time, b.id) : (a.time, a.id) < (b.time, b.id) }
        func key(_ row: BoundStatement.Columns) -> Key { (time: row.text(1) ?? "", id: row.int64(0) ?? 0) }
        // Each part's first key, and the parts that have one, best first: the page then fills from
        // the parts that lead it, and the rest stop at their first row (taken in the studios'
        // order, a small studio's old cases let every later part read far).
        var heads: [(key: Key, part: Int)] = []
        for (part, values) in query.parts.enumerated() {
            var s = BoundStatement(try db.cachedStatement(sql: query.keySQL))
            for value in values.dropLast() { s.bind(value) }
            s.bind(1)  // the LIMIT, each part's last value
            if let first = try s.firstRow(db, key) { heads.append((first, part)) }
        }
        heads.sort { before($0.key, $1.key) }
        var best: [Key] = []
        for head in heads {
            if best.count == count, !before(head.key, best[count - 1]) { break }
            var s = BoundStatement(try db.cachedStatement(sql: query.keySQL))
            for value in query.parts[head.part] { s.bind(value) }
            try s.rowsWhile(db, { row in
                let k = key(row)
                if best.count == count, !before(k, best[count - 1]) { return false }
                var low = 0, high = best.count
                while low < high {
                    let mid = (low + high) / 2
                    if before(best[mid], k) { low = mid + 1 } else { high = mid }
                }
                best.insert(k, at: low)
                if best.count > count { best.removeLast() }
                return true
            })
        }
        return best.map(\.id)
    }

    /// The case with this number in this studio, with its conversation and audit trail, in one read.
    public func caseDetail(studio: String, number: Int) async throws -> (CaseRecord, [MessageRecord], [CaseEventRecord])? {
        try await read { db in
            guard let c = try CaseRecord.numbered(number, in: studio).fetchOne(db) else { return nil }
            let messages = try MessageRecord.ofCase(c.id).fetchAll(db)
            let events = try CaseEventRecord.ofCase(c.id).fetchAll(db)
            return (c, messages, events)
        }
    }

    /// What reports read of a studio's cases received in a span (studio, from, to).
    static let caseFactsSQL = """
        SELECT studio_id, assignee_id, area, topic, created_at, state, outcome, satisfaction, accepted_at, accept_due
        FROM cases WHERE studio_id = ? AND created_at >= ? AND created_at < ? ORDER BY created_at, id
        """

    /// The facts the rates need of the cases each studio received in its span, oldest first.
    public func caseFacts(received spans: [(studio: String, from: Date, to: Date)]) async throws -> [CaseFacts] {
        try await read { db in
            var out: [CaseFacts] = []
            // One indexed range per studio (cases_by_studio_created), read through SQLite's C API:
            // a month of a busy district is ten thousand rows or more.
            for span in spans {
                var s = BoundStatement(try db.cachedStatement(sql: Self.caseFactsSQL))
                s.bind(span.studio); s.bind(StoredDate.value(span.from)); s.bind(StoredDate.value(span.to))
                try s.rows(db) { row in
                    let progress = CaseProgress(state: row.text(5).flatMap(CaseState.init) ?? .received, assignee: row.text(1),
                                                outcome: row.text(6).flatMap(CaseOutcome.init), acceptedAt: row.date(8), acceptDue: row.date(9),
                                                satisfaction: row.text(7).flatMap(Satisfaction.init(rawValue:)))
                    out.append(CaseFacts(studioId: row.text(0) ?? span.studio, assigneeId: progress.assignee, area: row.text(2),
                                         topic: row.text(3).map(Topic.init(rawValue:)) ?? .other, createdAt: row.date(4) ?? span.from, progress: progress))
                }
            }
            return out
        }
    }

    static let overdueColumns = "studio_id, number, assignee_id, topic, area, state, next_due, id"

    /// Open cases past the deadline they work towards, as an overdue list shows them (optionally
    /// of some studios), most overdue first.
    public func overdueList(now: Date, studios: [String]?, limit: Int = 500) async throws -> [OverdueCase] {
        try await read { db in
            let (sql, parts) = Self.overdueQuery(Self.overdueColumns, now: now, studios: studios, limit: limit)
            var out: [(OverdueCase, Int64)] = []
            for arguments in parts {
                var s = BoundStatement(try db.cachedStatement(sql: sql))
                for value in arguments { s.bind(value) }
                try s.rows(db) { row in
                    guard let due = row.date(6), let state = row.text(5).flatMap(CaseState.init),
                          // Which step the deadline is for, as the lifecycle defines it.
                          let step = CaseProgress(state: state, acceptDue: due, replyDue: due, closeDue: due).currentDeadline?.kind else { return }
                    out.append((OverdueCase(studioId: row.text(0) ?? "", number: Int(row.int64(1) ?? 0), assigneeId: row.text(2),
                                            topic: row.text(3).map(Topic.init(rawValue:)) ?? .other, area: row.text(4), step: step, due: due),
                                row.int64(7) ?? 0))
                }
            }
            if parts.count > 1 { out.sort { ($0.0.due, $0.1) < ($1.0.due, $1.1) } }
            return out.prefix(limit).map(\.0)
        }
    }

    /// The SQL of the overdue list, most overdue first: open cases whose next deadline has
    /// passed, read by deadline (cases_by_next_due), or for a few studios one part per studio
    /// (cases_by_studio_due) whose rows are merged by deadline and id.
    static func overdueQuery(_ columns: String, now: Date, studios: [String]?, limit: Int, partsUpTo: Int = 8) -> (String, [[DatabaseValue]]) {
        guard let studios else {
            return ("SELECT \(columns) FROM cases WHERE next_due < ? ORDER BY next_due, id LIMIT ?", [[StoredDate.value(now), limit.databaseValue]])
        }
        // Many studios (an auditor's, a district's): one walk of the deployment's deadlines, each
        // case kept when it is of one of them, rather than `limit` rows from each merged (40
        // studios read 20,000 rows for a report's 500).
        if studios.count > partsUpTo {
            return ("SELECT \(columns) FROM cases INDEXED BY cases_by_next_due WHERE next_due < ? AND studio_id IN (\(studios.map { _ in "?" }.joined(separator: ","))) ORDER BY next_due, id LIMIT ?",
                    [[StoredDate.value(now)] + studios.map(\.databaseValue) + [limit.databaseValue]])
        }
        return ("SELECT \(columns) FROM cases WHERE studio_id = ? AND next_due < ? ORDER BY next_due, id LIMIT ?",
                studios.map { [$0.databaseValue, StoredDate.value(now), limit.databaseValue] })
    }

    /// A studio's overdue cases counted per assignee (studio, now).
    static let overdueCountsSQL = """
        SELECT assignee_id, COUNT(*) FROM cases INDEXED BY cases_open_by_member
        WHERE studio_id = ? AND next_due < ? AND assignee_id IS NOT NULL GROUP BY assignee_id
        """

    /// How many open cases are past their deadline, per studio and assignee (the members page's
    /// column): counted in the index of open cases by member, not read case by case.
    public func overdueCounts(now: Date, studios: [String]) async throws -> [String: [String: Int]] {
        try await read { db in
            var out: [String: [String: Int]] = [:]
            for studio in studios {
                var s = BoundStatement(try db.cachedStatement(sql: Self.overdueCountsSQL))
                s.bind(studio); s.bind(StoredDate.value(now))
                try s.rows(db) { row in out[studio, default: [:]][row.text(0) ?? ""] = Int(row.int64(1) ?? 0) }
            }
            return out
        }
    }

    /// Open cases past the deadline they work towards (optionally of some studios), most overdue first.
    public func overdueCases(now: Date, studios: [String]?, limit: Int = 500) async throws -> [CaseRecord] {
        try await read { db in
            let (sql, parts) = Self.overdueQuery("*", now: now, studios: studios, limit: limit)
            var out: [CaseRecord] = []
            for arguments in parts { out += try CaseRecord.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments)) }
            if parts.count > 1 { out.sort { ($0.progress.currentDeadline?.due ?? .distantFuture, $0.id ?? 0) < ($1.progress.currentDeadline?.due ?? .distantFuture, $1.id ?? 0) } }
            return Array(out.prefix(limit))
        }
    }

    /// Today's counts over some studios: received since `dayStart`, unassigned, awaiting
    /// acceptance, overdue, at risk (deadline before `riskUntil`), failed outbound texts — each an
    /// indexed count.
    /// With `member`, only that member's cases (and no outbox count).
    public func todayCounts(studios: [String], member: String? = nil, dayStart: Date, now: Date, riskUntil: Date) async throws -> TodayCounts {
        try await read { db in
            var c = TodayCounts()
            for studio in studios {
                // Cached statements bound in place: an auditor's page counts six things in each of
                // forty studios.
                func count(_ sql: String, _ values: [DatabaseValue]) throws -> Int {
                    if member != nil, sql.contains("outbox") { return 0 }
                    var s = BoundStatement(try db.cachedStatement(sql: member == nil ? sql : sql + " AND assignee_id = ?"))
                    for value in values { s.bind(value) }
                    if let member { s.bind(member) }
                    return try s.firstRow(db) { Int($0.int64(0) ?? 0) } ?? 0
                }
                let (id, nowValue) = (studio.databaseValue, StoredDate.value(now))
                c.receivedToday += try count("SELECT COUNT(*) FROM cases WHERE studio_id = ? AND created_at >= ?", [id, StoredDate.value(dayStart)])
                c.unassigned += try count("SELECT COUNT(*) FROM cases WHERE studio_id = ? AND state = 'received'", [id])
                c.awaitingAcceptance += try count("SELECT COUNT(*) FROM cases WHERE studio_id = ? AND state = 'assigned'", [id])
                c.overdue += try count("SELECT COUNT(*) FROM cases WHERE next_due < ? AND studio_id = ?", [nowValue, id])
                c.atRisk += try count("SELECT COUNT(*) FROM cases WHERE next_due >= ? AND next_due < ? AND studio_id = ?", [nowValue, StoredDate.value(riskUntil), id])
                c.failedOutbound += try count("""
                    SELECT COUNT(*) FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.status = 'failed' AND m.studio_id = ?
                    """, [id])
            }
            return c
        }
    }

    /// The outbox rows of a case's texts that failed for good: (outbox id, message id).
    public func failedOutbox(caseID: Int64) async throws -> [(outbox: Int64, message: Int64)] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.id, o.message_id FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.case_id = ? AND o.status = 'failed'
                """, arguments: [caseID]).map { ($0[0], $0[1]) }
        }
    }

    /// Roster ids on leave now, by studio, with the end of their leave (nil: until they say they are back).
    public func leave(now: Date) async throws -> [String: [String: Date?]] {
        try await read { db in
            var out: [String: [String: Date?]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT studio_id, roster_id, until FROM member_leave WHERE until IS NULL OR until > ?", arguments: [now]) {
                out[row[0], default: [:]][row[1]] = .some(row[2] as Date?)
            }
            return out
        }
    }

    /// Open cases per assignee, by studio.
    public func openCaseCounts() async throws -> [String: [String: Int]] {
        try await read { db in
            var out: [String: [String: Int]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT studio_id, assignee_id, open_cases FROM assignee_load") { out[row[0], default: [:]][row[1]] = row[2] }
            return out
        }
    }

    /// A resident as the studio knows them, and their cases (newest first, at most `limit`).
    /// The numbers of a studio's residents (and of its cases' residents) that mask to `masked`
    /// (``PhoneNumber/mask(_:)``): found by the shown ends and the length, then checked whole.
    public func residentPhones(studio: String, masked: String) async throws -> [String] {
        let head = String(masked.prefix { $0 != "*" }), tail = String(masked.reversed().prefix { $0 != "*" }.reversed())
        // The stars stand for any number of characters (a follower's address is longer than its
        // mask); what LIKE lets through (an `_` in an address's end is LIKE's wildcard) the mask
        // comparison below sorts out.
        let pattern = head + "%" + tail
        return try await read { db in
            let phones = try String.fetchAll(db, sql: """
                SELECT phone FROM residents WHERE studio_id = ? AND phone LIKE ?
                UNION SELECT resident_phone FROM cases WHERE studio_id = ? AND resident_phone LIKE ?
                """, arguments: [studio, pattern, studio, pattern])
            return phones.filter { PhoneNumber.mask($0) == masked }
        }
    }

    /// A resident, their cases newest first — those of the addresses that are the same resident
    /// too (a follower's bound number, the followers who bound this number) — and those addresses.
    public func resident(studio: String, phone: String, limit: Int = 50) async throws -> (ResidentRecord?, [CaseRecord], linked: [String]) {
        try await read { db in
            var r = try ResidentRecord.filter(Column("studio_id") == studio && Column("phone") == phone).fetchOne(db)
            // Back after an erasure, with their opt-out kept: still opted out.
            if r != nil, r?.optedOutAt == nil { r?.optedOutAt = try OptOutDigests.since(db, studio: studio, phone: phone) }
            let addresses = try CaseLedger(db: db, now: Date()).residentAddresses(studio: studio, address: phone)
            let cases = try CaseRecord.filter(Column("studio_id") == studio && addresses.contains(Column("resident_phone")))
                .order(Column("id").desc).limit(limit).fetchAll(db)
            return (r, cases, Array(addresses.dropFirst()))
        }
    }
}

extension AppDatabase {
    /// The case whose page for the resident has `token`, with the conversation between the
    /// resident and the hotline about it (their texts and the texts to them; nothing of the members'),
    /// oldest first. Nil for no such case.
    public func residentCase(token: String) async throws -> (CaseRecord, [MessageRecord])? {
        try await read { db in
            guard let record = try CaseRecord.filter(Column("resident_token") == token).fetchOne(db) else { return nil }
            let messages = try MessageRecord.fetchAll(db, sql: """
                SELECT * FROM messages WHERE case_id = ? AND ((direction = 'in' AND from_number = ?) OR (direction = 'out' AND to_number = ?))
                ORDER BY id
                """, arguments: [record.id, record.residentPhone, record.residentPhone])
            return (record, messages)
        }
    }
}
