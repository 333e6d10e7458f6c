import Foundation
import GRDB
import HotlineCore
import HotlineTestSupport
import Testing
@testable import HotlineStorage

/// Every filter the case list offers, in both orders: the pages read through their cursors are
/// exactly the matching cases in order (checked against the cases filtered and sorted in Swift),
/// and each part's plan reads an index in the list's order — no scan of the cases, no sort of them.
@Suite struct ListPlanTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)
    static let studios = ["xujiawan", "xinjiang", "longhu"]
    static let topics: [Topic] = [.water, Topic("roads"), Topic("noise"), .other]

    /// 1,500 cases in three studios over a year, imported in an order unrelated to their time of
    /// receipt (as an import of history is), many received in the same second.
    actor Seed {
        static let shared = Seed()
        var task: Task<(AppDatabase, [CaseRecord]), any Error>?
        func get() async throws -> (AppDatabase, [CaseRecord]) {
            if task == nil { task = Task { try await ListPlanTests.seed() } }
            return try await task!.value
        }
    }

    static func seed() async throws -> (AppDatabase, [CaseRecord]) {
        let db = try AppDatabase.inMemory()
        var rng = SeededRandom(state: 24)
        var histories: [CaseHistory] = []
        var numbers: [String: Int] = [:]
        for _ in 0..<1_500 {
            let studio = studios[rng.below(10) < 6 ? 0 : 1 + rng.below(2)]
            numbers[studio, default: 0] += 1
            // Whole hours: ties in created_at are common, and the id breaks them.
            let created = now.addingTimeInterval(-3_600 * Double(rng.below(24 * 365)))
            let state = CaseState.allCases[rng.below(CaseState.allCases.count)]
            let due = { now.addingTimeInterval(3_600 * Double(rng.below(24 * 20) - 24 * 10)) }
            let progress = CaseProgress(state: state, assignee: rng.below(5) == 0 ? nil : "M\(rng.below(4))",
                                        acceptDue: due(), replyDue: due(), closeDue: rng.below(8) == 0 ? nil : due())
            let topic = topics[rng.below(topics.count)]
            let record = CaseRecord(studioId: studio, number: numbers[studio]!, residentPhone: "+86137000\(10_000 + rng.below(80_000))",
                                    intent: rng.below(3) == 0 ? .question : .complaint, topic: topic,
                                    area: rng.below(6) == 0 ? nil : ["龙湖社区", "燕村", "新村"][rng.below(3)],
                                    classification: Classification(intent: .complaint, topic: topic, score: 1, matches: []).jsonText,
                                    text: rng.below(7) == 0 ? "小区停水了" : "路灯不亮", createdAt: created, progress: progress)
            histories.append(CaseHistory(record: record, messages: [], events: []))
        }
        // Words for the first thousand only: the rest are found by LIKE until the indexer comes.
        try await db.importHistory(Array(histories.prefix(1_000)))
        _ = try await db.indexCaseWords(limit: 1_000)
        try await db.importHistory(Array(histories.dropFirst(1_000)))
        try await db.refreshStatistics()
        return (db, try await db.cases(limit: 10_000))
    }

    static func filter(_ change: (inout CaseFilter) -> Void) -> CaseFilter {
        var f = CaseFilter(studios: ["xujiawan"])
        change(&f)
        return f
    }

    static let june = Date(timeIntervalSince1970: 1_780_272_000), july = Date(timeIntervalSince1970: 1_782_864_000)

    static let filters: [(String, CaseFilter)] = [
        ("a studio", filter { _ in }),
        ("every studio", filter { $0.studios = studios }),
        ("a state", filter { $0.states = [.accepted] }),
        ("the open states", filter { $0.states = CaseState.openStates }),
        ("open states, two studios", filter { $0.studios = ["xujiawan", "xinjiang"]; $0.states = CaseState.openStates }),
        ("a member", filter { $0.member = "M1" }),
        ("a member's open cases", filter { $0.member = "M2"; $0.states = CaseState.openStates }),
        ("a member, closed, received in June", filter { $0.member = "M3"; $0.states = [.closed]; $0.receivedFrom = june; $0.receivedBefore = july }),
        ("an area", filter { $0.area = "燕村" }),
        ("an area and an intent", filter { $0.area = "新村"; $0.intent = .question }),
        ("a topic", filter { $0.topic = Topic("roads") }),
        ("a topic in every studio", filter { $0.studios = studios; $0.topic = .water }),
        ("an intent", filter { $0.intent = .question }),
        ("overdue", filter { $0.overdue = true }),
        ("overdue, every studio", filter { $0.studios = studios; $0.overdue = true }),
        ("not overdue", filter { $0.overdue = false }),
        ("received in June", filter { $0.receivedFrom = june; $0.receivedBefore = july }),
        ("received since June, a topic", filter { $0.receivedFrom = june; $0.topic = .water }),
        ("a state nobody is in", filter { $0.states = [.answered]; $0.member = "M9" }),
    ]

    static func matches(_ c: CaseRecord, _ f: CaseFilter) -> Bool {
        let due = c.progress.currentDeadline?.due
        let place: Bool = f.studios.contains(c.studioId) && (f.states.isEmpty || f.states.contains(c.progress.state))
        let who: Bool = (f.member == nil || c.progress.assignee == f.member) && (f.area == nil || c.area == f.area)
        let what: Bool = (f.topic == nil || c.topic == f.topic) && (f.intent == nil || c.intent == f.intent)
        let late: Bool = f.overdue == nil || f.overdue == (due.map { $0 < now } ?? false)
        let from: Bool = f.receivedFrom.map { c.createdAt >= $0 } ?? true
        let before: Bool = f.receivedBefore.map { c.createdAt < $0 } ?? true
        let text: Bool = f.text.map { c.text.contains($0) } ?? true
        let ordered: Bool = f.sort == .received || due != nil
        return place && who && what && late && from && before && text && ordered
    }

    /// Every page through its cursor, as the API and the board read them.
    static func pages(_ db: AppDatabase, _ f: CaseFilter, limit: Int, few: Int = AppDatabase.fewMatches) async throws -> [Int64] {
        var out: [Int64] = [], cursor: CaseCursor?
        repeat {
            let page = try await db.cases(f, now: now, cursor: cursor, limit: limit, few: few)
            out += page.cases.compactMap(\.id)
            cursor = page.nextCursor
        } while cursor != nil && out.count < 5_000
        return out
    }

    @Test(arguments: filters, CaseSort.allCases)
    func aListIsEveryMatchingCaseInOrderReadFromAnIndex(named: (name: String, filter: CaseFilter), sort: CaseSort) async throws {
        let (db, all) = try await Seed.shared.get()
        let name = named.name
        var f = named.filter
        f.sort = sort
        let expected = all.filter { Self.matches($0, f) }.sorted { a, b in
            switch sort {
            case .received: (a.createdAt, a.id ?? 0) > (b.createdAt, b.id ?? 0)
            case .deadline: (a.progress.currentDeadline!.due, a.id ?? 0) < (b.progress.currentDeadline!.due, b.id ?? 0)
            }
        }.compactMap(\.id)
        #expect(try await Self.pages(db, f, limit: 17) == expected, "\(name), \(sort)")
        let plan = try await db.queryPlan(.caseList(f, cursor: nil, limit: 50), now: Self.now).joined(separator: "; ")
        #expect(plan.contains("SEARCH cases USING"), "\(name), \(sort): \(plan)")
        #expect(!plan.contains("SCAN cases") && !plan.contains("TEMP B-TREE"), "\(name), \(sort): \(plan)")
        // The second page's plan too: the cursor is a range of the same index.
        if let first = try await db.cases(f, now: Self.now, cursor: nil, limit: 5).nextCursor {
            let next = try await db.queryPlan(.caseList(f, cursor: first, limit: 50), now: Self.now).joined(separator: "; ")
            #expect(!next.contains("SCAN cases") && !next.contains("TEMP B-TREE"), "\(name), \(sort), page 2: \(next)")
        }
    }

    /// Words come from the full-text index and the cases not yet indexed by LIKE. Few matches are
    /// the list's walk, by id, and only they are put in order; many (here: over 10), and the list's
    /// index is walked, each case looked up among them. Either way, the same pages.
    @Test(arguments: CaseSort.allCases)
    func aSearchIsEveryMatchingCaseInOrder(sort: CaseSort) async throws {
        let (db, all) = try await Seed.shared.get()
        let f = Self.filter { $0.text = "停水"; $0.sort = sort; $0.studios = Self.studios }
        let expected = all.filter { Self.matches($0, f) }.sorted { a, b in
            switch sort {
            case .received: (a.createdAt, a.id ?? 0) > (b.createdAt, b.id ?? 0)
            case .deadline: (a.progress.currentDeadline!.due, a.id ?? 0) < (b.progress.currentDeadline!.due, b.id ?? 0)
            }
        }.compactMap(\.id)
        #expect(expected.count > 50)
        #expect(try await Self.pages(db, f, limit: 23) == expected)
        #expect(try await Self.pages(db, f, limit: 23, few: 10) == expected)
        // A word no case has: nothing, without reading the cases.
        #expect(try await Self.pages(db, Self.filter { $0.text = "没有这个词"; $0.sort = sort }, limit: 23).isEmpty)
        let plan = try await db.queryPlan(.caseList(f, cursor: nil, limit: 50), now: Self.now).joined(separator: "; ")
        #expect(plan.contains("SEARCH cases USING INTEGER PRIMARY KEY") && !plan.contains("SCAN cases"), "\(plan)")
        let walk = Self.filter { $0.text = "停水"; $0.sort = sort }
        let many = AppDatabase.caseListQuery(walk, now: Self.now, cursor: nil, limit: 50)
        let details = try await db.planDetails(many.sql, StatementArguments(many.parts[0])).joined(separator: "; ")
        #expect(details.contains("case_words VIRTUAL TABLE") && !details.contains("SCAN cases") && !details.contains("TEMP B-TREE"), "\(details)")
    }

    @Test(arguments: [nil, ["xujiawan"], studios])
    func theOverdueListIsMostOverdueFirstFromAnIndex(studios: [String]?) async throws {
        let (db, all) = try await Seed.shared.get()
        let expected = all.filter { c in
            (studios?.contains(c.studioId) ?? true) && (c.progress.currentDeadline.map { $0.due < Self.now } ?? false)
        }.sorted { ($0.progress.currentDeadline!.due, $0.id ?? 0) < ($1.progress.currentDeadline!.due, $1.id ?? 0) }
        #expect(expected.count > 30)
        #expect(try await db.overdueCases(now: Self.now, studios: studios, limit: 30).map(\.id) == expected.prefix(30).map(\.id))
        #expect(try await db.overdueList(now: Self.now, studios: studios, limit: 30).map { "\($0.studioId)-\($0.number)" }
                == expected.prefix(30).map { "\($0.studioId)-\($0.number)" })
        let plan = try await db.queryPlan(.overdue(studios: studios, limit: 500), now: Self.now).joined(separator: "; ")
        #expect(plan.contains("SEARCH cases USING INDEX") && !plan.contains("TEMP B-TREE"), "\(plan)")
        // Past a few studios, one walk of the deployment's deadlines keeps theirs.
        if let studios, studios.count > 1 {
            let (sql, parts) = AppDatabase.overdueQuery("*", now: Self.now, studios: studios, limit: 30, partsUpTo: 1)
            let walk = try await db.planDetails(sql, StatementArguments(parts[0])).joined(separator: "; ")
            #expect(parts.count == 1 && walk.contains("cases_by_next_due") && !walk.contains("TEMP B-TREE"), "\(walk)")
            let rows = try await db.reader.read { try CaseRecord.fetchAll($0, sql: sql, arguments: StatementArguments(parts[0])) }
            #expect(rows.map(\.id) == expected.prefix(30).map(\.id))
        }
    }
}

/// The outbox list, newest first for every status and studio, and how each is read.
@Suite struct OutboxListPlanTests {
    @Test func theOutboxListIsNewestFirstForEveryStatusAndStudio() async throws {
        let db = try AppDatabase.inMemory()
        for i in 0..<12 { _ = try await db.receive(StorageTests.inbound("l\(i)"), replyChannel: "dryrun") { _, _, n in StorageTests.casePlan(n) } }
        for (i, item) in try await db.claimDueOutbox(now: StorageTests.now, limit: 100).enumerated() {
            if i % 3 == 0 { try await db.markAttemptFailed(item, error: "400", retryAt: nil, now: StorageTests.now) }
            else if i % 3 == 1 { try await db.markSent(item, providerID: "p\(i)", now: StorageTests.now) }
            else { try await db.markAttemptFailed(item, error: "503", retryAt: StorageTests.now, now: StorageTests.now) }
        }
        try await db.refreshStatistics()
        let every = try await db.outbox()
        #expect(every.count == 24 && every.map(\.outbox.id) == every.map(\.outbox.id).sorted { ($0 ?? 0) > ($1 ?? 0) })
        for status: OutboxRecord.Status in [.pending, .sending, .sent, .failed, .cancelled, .waiting] {
            for studios in [nil, ["xujiawan"], ["xinjiang"]] {
                let expected = studios == ["xinjiang"] ? [] : every.filter { $0.outbox.status == status }.prefix(5).map(\.outbox.id)
                #expect(try await db.outbox(status: status, studios: studios, limit: 5).map(\.outbox.id) == expected, "\(status) \(studios ?? [])")
            }
            let plan = try await db.queryPlan(.outbox(status: status, studios: ["xujiawan"], limit: 20), now: StorageTests.now).joined(separator: "; ")
            // The queue's rows are few and read through the dispatcher's index; the rest are read newest first.
            if status == .pending || status == .sending { #expect(plan.contains("outbox_due"), "\(status): \(plan)") }
            else { #expect(!plan.contains("TEMP B-TREE"), "\(status): \(plan)") }
            if status == .failed || status == .waiting { #expect(plan.contains("outbox_\(status.rawValue)"), "\(status): \(plan)") }
            // The studio: a look-up of each row's message by key, never a list of the studio's messages.
            #expect(plan.contains("SEARCH m USING INTEGER PRIMARY KEY") && !plan.contains("SCAN m"), "\(status): \(plan)")
        }
    }

    /// A delivery report that names only the provider's id finds its text through an index, on a
    /// database whose statistics say outbound texts are many.
    @Test func aDeliveryReportFindsItsTextByTheProvidersIDThroughAnIndex() async throws {
        let db = try AppDatabase.inMemory()
        for i in 0..<12 { _ = try await db.receive(StorageTests.inbound("d\(i)"), replyChannel: "dryrun") { _, _, n in StorageTests.casePlan(n) } }
        let items = try await db.claimDueOutbox(now: StorageTests.now, limit: 100)
        for (i, item) in items.enumerated() { try await db.markSent(item, providerID: "sid-\(i)", now: StorageTests.now) }
        try await db.refreshStatistics()
        #expect(try await db.outboundMessageID(channel: "dryrun", providerID: "sid-5") == items[5].messageID)
        #expect(try await db.outboundMessageID(channel: "dryrun", providerID: "sid-99") == nil)
        #expect(try await db.outboundMessageID(channel: "kannel", providerID: "sid-5") == nil)
        let plan = try await db.planDetails(AppDatabase.outboundByProviderSQL, ["dryrun", "sid-5"]).joined(separator: "; ")
        #expect(plan.contains("SEARCH messages USING INDEX messages_outbound_by_provider"), "\(plan)")
    }

    /// The dispatcher's index holds the queue only (a sent text leaves it), and the claim and the
    /// metrics' counts read through it.
    @Test func theQueueIndexHoldsOnlyQueuedRowsAndTheClaimReadsThroughIt() async throws {
        let db = try AppDatabase.inMemory()
        for i in 0..<12 { _ = try await db.receive(StorageTests.inbound("q\(i)"), replyChannel: "dryrun") { _, _, n in StorageTests.casePlan(n) } }
        for item in try await db.claimDueOutbox(now: StorageTests.now, limit: 10) {
            try await db.markSent(item, providerID: nil, now: StorageTests.now)
        }
        try await db.refreshStatistics()
        let claim = try await db.planDetails(AppDatabase.dueSQL, [StoredDate.value(StorageTests.now)]).joined(separator: "; ")
        #expect(claim.contains("SEARCH o USING INDEX outbox_due (status=? AND priority") || claim.contains("SEARCH o USING INDEX outbox_due (status=?)"), "\(claim)")
        #expect(!claim.contains("TEMP B-TREE"), "\(claim)")
        for sql in ["SELECT COUNT(*) FROM outbox WHERE status = 'pending'", "SELECT COUNT(*) FROM outbox WHERE status = 'sending'"] {
            #expect(try await db.planDetails(sql, []).joined().contains("outbox_due"), "\(sql)")
        }
        let inIndex = try await db.reader.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox INDEXED BY outbox_due WHERE status = 'pending' OR status = 'sending'")
        }
        #expect(inIndex == 14)
        // Sent rows are not in it: SQLite finds no way to read them through it.
        await #expect(throws: (any Error).self) {
            try await db.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox INDEXED BY outbox_due WHERE status = 'sent'") }
        }
        #expect(try await db.outboxCounts() == ["pending": 14, "sent": 10])
        // Whether the queue is drained: one step into it, whatever was sent before.
        #expect(try await db.planDetails(AppDatabase.queuedSQL, []).joined().contains("outbox_due"))
        #expect(try await !db.outboxIsDrained())
        for item in try await db.claimDueOutbox(now: StorageTests.now, limit: 20) {
            try await db.markSent(item, providerID: nil, now: StorageTests.now)
        }
        #expect(try await db.outboxIsDrained())
    }
}
