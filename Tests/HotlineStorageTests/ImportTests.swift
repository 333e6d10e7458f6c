import Foundation
import HotlineCore
import Testing
@testable import HotlineStorage

/// Loading many rows through the door (histories, residents), the reads that watch a load, and
/// the query plans of the lists and reports.
@Suite struct ImportTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    static func history(_ number: Int, state: CaseState, studio: String = "xujiawan") -> CaseHistory {
        let created = now.addingTimeInterval(Double(-86_400 * number))
        let closed = state.isOpen ? nil : created.addingTimeInterval(3_600)
        let record = CaseRecord(studioId: studio, number: number, residentPhone: "+8613700000009", intent: .complaint, topic: .water,
                                area: "龙湖社区", areaSource: .text, routingReason: .linkedArea, routingExplanation: "imported",
                                classification: Classification(intent: .complaint, topic: .water, score: 1, matches: []).jsonText,
                                text: "停水了 \(number)", createdAt: created,
                                progress: CaseProgress(state: state, assignee: "M3", outcome: closed == nil ? nil : .resolved, closedAt: closed,
                                                       acceptDue: created.addingTimeInterval(4 * 3_600)))
        let messages = [
            MessageRecord(studioId: studio, direction: .inbound, channel: "json", from: "+8613700000009", to: "10690001",
                          text: "停水了 \(number)", status: .received, createdAt: created),
            MessageRecord(studioId: studio, direction: .outbound, channel: "json", from: "10690001", to: "+8613700000009",
                          text: "收到", status: .delivered, kind: .acknowledgement, createdAt: created.addingTimeInterval(1)),
        ]
        let events = [CaseEventRecord(at: created, actor: "resident", kind: .opened, detail: "complaint/water")]
        return CaseHistory(record: record, messages: messages, events: events)
    }

    @Test func anImportedCaseReadsBackWithItsConversationTrailAndLoad() async throws {
        let db = try AppDatabase.inMemory()
        try await db.importHistory([Self.history(1, state: .accepted), Self.history(2, state: .closed), Self.history(3, state: .assigned)])
        let one = try #require(try await db.case(studio: "xujiawan", number: 1))
        var expected = Self.history(1, state: .accepted).record
        expected.id = one.id
        #expect(one == expected)
        let conversation = try await db.conversation(caseID: one.id!)
        #expect(conversation.map(\.text) == ["停水了 1", "收到"] && conversation.allSatisfy { $0.caseId == one.id })
        #expect(try await db.events(caseID: one.id!).map(\.kind) == ["opened"])
        // Two open cases count towards M3's load; the closed one does not.
        #expect(try await db.openCaseCounts()["xujiawan"]?["M3"] == 2)
        #expect(try await db.tableCounts() == TableCounts(cases: 3, messages: 6, caseEvents: 3, outbox: 0, residents: 0))
    }

    /// A case row is read column by column (CaseRecord+Row): every field as it was written, and a
    /// value no version wrote is an error naming the column, not a guess.
    @Test func aCaseRowReadsBackWholeAndAnUnknownValueIsNamed() async throws {
        let db = try AppDatabase.inMemory()
        var history = Self.history(1, state: .replied)
        history.record.progress.satisfaction = .basicallySatisfied
        history.record.progress.transferredAt = Self.now
        history.record.traditional = true
        history.record.residentToken = "tok-1"
        try await db.importHistory([history])
        let read = try #require(try await db.case(studio: "xujiawan", number: 1))
        var expected = history.record
        expected.id = read.id
        #expect(read == expected)
        try await db.writer.write { try $0.execute(sql: "UPDATE cases SET state = 'bogus'") }
        await #expect { try await db.case(studio: "xujiawan", number: 1) } throws: { "\($0)".contains("cases.state: unknown value bogus") }
    }

    @Test func aBatchWithACaseNumberTakenAlreadyIsRefusedWhole() async throws {
        let db = try AppDatabase.inMemory()
        try await db.importHistory([Self.history(1, state: .accepted)])
        await #expect(throws: (any Error).self) {
            try await db.importHistory([Self.history(2, state: .accepted), Self.history(1, state: .closed)])
        }
        #expect(try await db.tableCounts().cases == 1)
        #expect(try await db.openCaseCounts()["xujiawan"]?["M3"] == 1)
    }

    @Test func importedResidentsAreKnownAndOnesKnownAlreadyKeepTheirArea() async throws {
        let db = try AppDatabase.inMemory()
        try await db.importResidents([ResidentRecord(studioId: "xujiawan", phone: "+8613700000001", area: "龙湖社区", seenAt: Self.now)])
        try await db.importResidents([
            ResidentRecord(studioId: "xujiawan", phone: "+8613700000001", area: "燕村", seenAt: Self.now),
            ResidentRecord(studioId: "xujiawan", phone: "+8613700000002", area: "燕村", seenAt: Self.now, optedOutAt: Self.now),
        ])
        #expect(try await db.resident(studio: "xujiawan", phone: "+8613700000001").0?.area == "龙湖社区")
        #expect(try await db.resident(studio: "xujiawan", phone: "+8613700000002").0?.optedOutAt != nil)
        #expect(try await db.tableCounts().residents == 2)
    }

    @Test func inboundSinceCountsOnlyWhatArrivedAfterTheLastLook() async throws {
        let db = try AppDatabase.inMemory()
        try await db.importHistory([Self.history(1, state: .accepted), Self.history(2, state: .accepted)])
        let first = try await db.inboundSince(0)
        #expect(first.count == 2 && first.lastID == 4)
        try await db.importHistory([Self.history(3, state: .accepted)])
        #expect(try await db.inboundSince(first.lastID) == (1, 6))
        #expect(try await db.inboundSince(6) == (0, 6))
    }

    @Test(arguments: [
        // the query, an index its plan must name
        ("studio + state", PlannedQuery.caseList({ var f = CaseFilter(studios: ["xujiawan"]); f.states = [.accepted]; return f }(),
                                                 cursor: nil, limit: 50), "USING"),
        ("a month's facts", .caseFacts(studio: "xujiawan", from: now.addingTimeInterval(-30 * 86_400), to: now), "cases_by_studio_created"),
        // (Which index the overdue list takes depends on the statistics: on 20 cases the studio's.)
        ("the overdue list", .overdue(studios: ["xujiawan"], limit: 500), "USING INDEX"),
        // Few cases with the words (from the full-text index): the cases by their id.
        ("a search by words", .caseList({ var f = CaseFilter(studios: ["xujiawan"]); f.text = "停水"; return f }(), cursor: nil, limit: 50),
         "SEARCH cases USING INTEGER PRIMARY KEY"),
    ])
    func queryPlansAreTheListsOwnQueries(name: String, query: PlannedQuery, index: String) async throws {
        let db = try AppDatabase.inMemory()
        try await db.importHistory((1...20).map { Self.history($0, state: $0 % 2 == 0 ? .closed : .accepted) })
        try await db.refreshStatistics()
        let plan = try await db.queryPlan(query, now: Self.now)
        #expect(!plan.isEmpty && plan.joined(separator: "; ").contains(index), "\(name): \(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN cases") }, "\(name): \(plan)")
    }

    /// A search finds the words however they were written (Traditional, full width, case), a
    /// single character and part of a number by a scan, and nothing for words no case has.
    @Test func searchByWords() async throws {
        let db = try AppDatabase.inMemory()
        var histories = (1...3).map { Self.history($0, state: .accepted) }
        histories[0].record.text = "龍湖社區停水三天了"
        histories[1].record.text = "ＷｉＦｉ坏了,电话13912345678"
        histories[2].record.text = "路灯不亮"
        try await db.importHistory(histories)
        // Before the indexer has reached them, a search finds the cases by LIKE (as written only).
        var f = CaseFilter(studios: ["xujiawan"])
        f.text = "路灯"
        #expect(try await db.cases(f, now: Self.now, cursor: nil, limit: 50).cases.map(\.number) == [3])
        #expect(try await db.indexCaseWords() == 3)
        #expect(try await db.indexCaseWords() == 0)
        func found(_ q: String) async throws -> [Int] {
            var f = CaseFilter(studios: ["xujiawan"])
            f.text = q
            return try await db.cases(f, now: Self.now, cursor: nil, limit: 50).cases.map(\.number).sorted()
        }
        #expect(try await found("停水") == [1])
        #expect(try await found("龙湖 停水") == [1])
        #expect(try await found("wifi") == [2])
        #expect(try await found("路灯") == [3])
        #expect(try await found("灯") == [3], "one character: a scan")
        #expect(try await found("2345678") == [2], "part of a number: a scan")
        #expect(try await found("停电") == [])
        // The index's own syntax is read as words (OR must be in the text too), never as an operator.
        #expect(try await found("\"停水\" OR 路灯") == [])
        #expect(try await found("停水*") == [1])
    }
}
