import Foundation
import GRDB
import HotlineCore
import Synchronization
import Testing
@testable import HotlineStorage

@Suite struct StorageTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    static func inbound(_ id: String?, studio: String = "xujiawan", text: String = "停水了") -> InboundMessage {
        InboundMessage(studioID: studio, channel: "json", providerID: id, from: "+8613700000009", to: "10690001", text: text, receivedAt: now)
    }

    /// A plan that opens a case assigned to M3 with an acknowledgement and a notice.
    static func casePlan(_ number: Int) -> IntakePlan {
        .newCase(CasePlan(
            number: number, classification: Classification(intent: .complaint, topic: .water, score: 3, matches: []),
            area: "龙湖社区", areaSource: .text, routing: RoutingDecision(assignee: "M3", reason: .linkedArea, explanation: "test"),
            state: .assigned,
            replies: [OutboundText(to: "+8613700000009", text: "ack \(number)", kind: .acknowledgement),
                      OutboundText(to: "+8613800000003", text: "notice \(number)", kind: .memberNotice)]))
    }

    @Test func intakeStoresMessageCaseEventsAndOutboxInOneGo() async throws {
        let db = try AppDatabase.inMemory()
        let receipt = try await db.receive(Self.inbound("a"), replyChannel: "dryrun") { _, _, next in Self.casePlan(next) }
        #expect(receipt == IntakeReceipt(messageID: 1, caseNumber: 1, duplicate: false, queued: 2))
        let cases = try await db.cases()
        #expect(cases.count == 1 && cases[0].assigneeId == "M3" && cases[0].state == .assigned && cases[0].routingReason == .linkedArea)
        let events = try await db.events(caseID: cases[0].id!)
        #expect(events.map(\.kind) == ["opened", "assigned"])
        let messages = try await db.messages()
        #expect(messages.map(\.status.rawValue).sorted() == ["queued", "queued", "received"])
        let ack = try #require(messages.first { $0.kind == .acknowledgement })
        #expect(ack.encoding == "GSM-7" && ack.parts == 1)   // "ack 1" is plain ASCII
        #expect(try await db.outboxCounts() == ["pending": 2])
    }

    @Test func sameProviderIDGivesTheSameAnswerAndStoresNothingNew() async throws {
        let db = try AppDatabase.inMemory()
        let first = try await db.receive(Self.inbound("dup"), replyChannel: "dryrun") { _, _, n in Self.casePlan(n) }
        let again = try await db.receive(Self.inbound("dup"), replyChannel: "dryrun") { _, _, n in Self.casePlan(n) }
        #expect(again == IntakeReceipt(messageID: first.messageID, caseNumber: first.caseNumber, duplicate: true, queued: 0))
        #expect(try await db.cases().count == 1)
        #expect(try await db.messages().count == 3)
    }

    @Test func caseNumbersCountPerStudio() async throws {
        let db = try AppDatabase.inMemory()
        for (id, studio) in [("1", "xujiawan"), ("2", "xujiawan"), ("3", "xinjiang")] {
            _ = try await db.receive(Self.inbound(id, studio: studio), replyChannel: "dryrun") { _, _, n in Self.casePlan(n) }
        }
        let numbers = try await db.cases().map { "\($0.studioId)-\($0.number)" }.sorted()
        #expect(numbers == ["xinjiang-1", "xujiawan-1", "xujiawan-2"])
    }

    @Test func registrationIsRememberedAndOpenCasesAreCounted() async throws {
        let db = try AppDatabase.inMemory()
        _ = try await db.receive(Self.inbound("r"), replyChannel: "dryrun") { _, _, _ in
            .registration(area: "燕村", reply: OutboundText(to: "+8613700000009", text: "ok", kind: .registration))
        }
        _ = try await db.receive(Self.inbound("c1"), replyChannel: "dryrun") { _, _, n in Self.casePlan(n) }
        nonisolated(unsafe) var seen: (String?, [String: Int])?
        _ = try await db.receive(Self.inbound("c2"), replyChannel: "dryrun") { area, open, n in
            seen = (area, open)
            return Self.casePlan(n)
        }
        #expect(seen?.0 == "燕村")
        #expect(seen?.1 == ["M3": 1])
    }

    @Test func outboxClaimSendFailAndRecover() async throws {
        let db = try AppDatabase.inMemory()
        _ = try await db.receive(Self.inbound("o"), replyChannel: "dryrun") { _, _, n in Self.casePlan(n) }
        let claimed = try await db.claimDueOutbox(now: Self.now, limit: 10)
        #expect(claimed.map(\.attempt) == [1, 1])
        #expect(try await db.claimDueOutbox(now: Self.now, limit: 10).isEmpty)   // claimed rows are not handed out twice
        try await db.markSent(claimed[0], providerID: "p-1", now: Self.now)
        try await db.markAttemptFailed(claimed[1], error: "503", retryAt: Self.now.addingTimeInterval(5), now: Self.now)
        #expect(try await db.claimDueOutbox(now: Self.now, limit: 10).isEmpty)   // not due yet
        let retry = try await db.claimDueOutbox(now: Self.now.addingTimeInterval(5), limit: 10)
        #expect(retry.map(\.attempt) == [2])
        // A crash now leaves it `sending`; start-up puts it back.
        #expect(try db.recoverInterruptedSends(now: Self.now) == 1)
        try await db.markAttemptFailed(try #require(try await db.claimDueOutbox(now: Self.now, limit: 1).first), error: "400 bad number", retryAt: nil, now: Self.now)
        #expect(try await db.outboxCounts() == ["sent": 1, "failed": 1])
        let statuses = try await db.messages().filter { $0.direction == .outbound }.map { "\($0.status) \($0.providerId ?? "-") \($0.error ?? "-")" }.sorted()
        #expect(statuses == ["failed - 400 bad number", "sent p-1 -"])
        #expect(try await db.messages().first { $0.providerId == "p-1" }?.sentAt == Self.now)
    }

    @Test func caseRepliesGoAheadOfBroadcasts() async throws {
        let db = try AppDatabase.inMemory()
        _ = try await db.receive(Self.inbound("b"), replyChannel: "dryrun") { _, _, n in
            .newCase(CasePlan(number: n, classification: .unclassified, area: nil, areaSource: nil, routing: nil, state: .received,
                              replies: [OutboundText(to: "+8613700000001", text: "notice", kind: .broadcast),
                                        OutboundText(to: "+8613700000002", text: "notice", kind: .broadcast),
                                        OutboundText(to: "+8613700000009", text: "ack", kind: .acknowledgement)]))
        }
        let first = try await db.claimDueOutbox(now: Self.now, limit: 1)
        #expect(first.map(\.text) == ["ack"])
    }

    @Test func failedRowsAreListedAndCanBeQueuedAgain() async throws {
        let db = try AppDatabase.inMemory()
        _ = try await db.receive(Self.inbound("f"), replyChannel: "dryrun") { _, _, n in Self.casePlan(n) }
        for item in try await db.claimDueOutbox(now: Self.now, limit: 10) {
            try await db.markAttemptFailed(item, error: "400 bad number", retryAt: nil, now: Self.now)
        }
        let failed = try await db.outbox(status: .failed)
        #expect(failed.count == 2 && failed.allSatisfy { $0.outbox.lastError == "400 bad number" && $0.message.status == .failed })
        #expect(try await db.retryFailed(ids: [failed[0].outbox.id!], now: Self.now) == 1)
        #expect(try await db.outboxCounts() == ["pending": 1, "failed": 1])
        #expect(try await db.retryFailed(ids: nil, now: Self.now) == 1)
        let again = try await db.claimDueOutbox(now: Self.now, limit: 10)
        #expect(again.map(\.attempt) == [1, 1])
    }

    /// A database from before the load table gets it filled from its open cases.
    @Test func loadTableIsBackfilledFromExistingCases() async throws {
        let queue = try DatabaseQueue()
        try Migrations.migrator.migrate(queue, upTo: "v3-opt-out")
        try await queue.write { db in
            for (n, assignee, state) in [(1, "M3", "assigned"), (2, "M3", "accepted"), (3, "M3", "closed"), (4, "M6", "assigned")] {
                try db.execute(sql: """
                    INSERT INTO cases(studio_id, number, resident_phone, intent, topic, assignee_id, state, classification, text, created_at, updated_at)
                    VALUES ('xujiawan', ?, '+8613700000001', 'complaint', 'water', ?, ?, '{}', 't', ?, ?)
                    """, arguments: [n, assignee, state, Self.now, Self.now])
            }
        }
        let db = try AppDatabase(queue)
        let counts = try await db.casework(now: Self.now) { try $0.openCaseCounts(studio: "xujiawan") }
        #expect(counts == ["M3": 2, "M6": 1])
    }

    /// A database from before v32, with texts and cases: its intake tables lose AUTOINCREMENT
    /// (their rows untouched, the file sound), new rows continue the ids, and no insert writes
    /// `sqlite_sequence` any more — on the connection that migrated and on a new one.
    @Test func intakeTablesTakeIdsWithoutASequence() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-\(UUID().uuidString)/h.sqlite").path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        do {
            let old = try DatabasePool(path: path)
            try Migrations.migrator.migrate(old, upTo: "v31-kept-opt-outs")
            let before = try AppDatabase(old)
            for i in 0..<3 { _ = try await before.receive(Self.inbound("o\(i)"), replyChannel: "dryrun") { _, _, next in Self.casePlan(next) } }
        }
        func autoincremented(_ db: AppDatabase) async throws -> [String] {
            try await db.writer.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%' ORDER BY name") }
        }
        func sequences(_ db: AppDatabase) async throws -> [String] {
            try await db.writer.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_sequence ORDER BY name") }
        }
        let pool = try DatabasePool(path: path)
        let db = try AppDatabase(pool)
        let remaining = try await autoincremented(db)
        #expect(Set(remaining).isDisjoint(with: Migrations.intakeTables) && remaining.contains("notices"), "\(remaining)")
        #expect(try await db.writer.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") } == ["ok"])
        // The migrating connection (GRDB's writer) already inserts without the sequence.
        let receipt = try await db.receive(Self.inbound("n1"), replyChannel: "dryrun") { _, _, next in Self.casePlan(next) }
        #expect(receipt.caseNumber == 4 && receipt.messageID == 10, "\(receipt)")
        #expect(try await sequences(db).filter(Migrations.intakeTables.contains).isEmpty)
        let reopened = try AppDatabase.open(path: path)
        let next = try await reopened.receive(Self.inbound("n2"), replyChannel: "dryrun") { _, _, next in Self.casePlan(next) }
        #expect(next.caseNumber == 5 && next.messageID == 13, "\(next)")
        #expect(try await sequences(reopened).filter(Migrations.intakeTables.contains).isEmpty)
        #expect(try await reopened.outboxCounts() == ["pending": 10])
    }

    /// The text in hand is stored after it is handled, under an id before everything it led to,
    /// with its case; meanwhile reads see it as stored: the sender's count includes it, and a
    /// follower it came from is reached on the account and channel it came in on.
    @Test func theTextInHandIsStoredAfterItsRepliesWithTheirLowerId() async throws {
        let db = try AppDatabase.inMemory()
        let first = try await db.receive(Self.inbound("a1")) { ledger, _ in Handled(queued: 0) }
        let follower = InboundMessage(studioID: "xujiawan", channel: "wechat", providerID: "w1", from: "wx:o123", to: "gh_hotline",
                                      text: "1", receivedAt: Self.now)
        let receipt = try await db.receive(follower) { ledger, messageID in
            let activity = try ledger.senderActivity(studio: "xujiawan", phone: "wx:o123", channel: "wechat", text: "1", window: 600)
            #expect(activity.recentTexts == 1 && activity.sameTexts == 1, "\(activity)")
            let handled = try ledger.apply(Self.casePlan(1), for: follower, replyChannel: "dryrun")
            let ids = try ledger.enqueueToAudience([OutboundText(to: "wx:o123", text: "收到", kind: .acknowledgement)],
                                                   studio: "xujiawan", from: "10690001", channel: "json")
            #expect(ids.allSatisfy { $0 > messageID })
            return Handled(caseID: handled.caseID, caseNumber: handled.caseNumber, queued: handled.queued + ids.count)
        }
        #expect(receipt.messageID == first.messageID + 1)
        let messages = try await db.messages(limit: 10).sorted { $0.id! < $1.id! }
        #expect(messages.map(\.id!) == Array(first.messageID...(first.messageID + 4)))
        let stored = try #require(messages.first { $0.id == receipt.messageID })
        #expect(stored.direction == .inbound && stored.caseId != nil && stored.fromNumber == "wx:o123")
        let toFollower = try #require(messages.last)
        #expect(toFollower.channel == "wechat" && toFollower.fromNumber == "gh_hotline", "\(toFollower)")
    }

    @Test func fileDatabaseUsesWALAndFullSync() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-\(UUID().uuidString)/h.sqlite").path
        let db = try AppDatabase.open(path: path)
        #expect(try db.synchronousMode() == 2)
        let mode = try db.writer.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        // Reopening runs the migrator again without harm.
        _ = try AppDatabase.open(path: path)
    }

    /// SQLite counts no memory (its allocations take no process-wide lock): the settings were made
    /// as the process loaded, before this test process's first connection.
    @Test func sqliteKeepsNoMemoryStatistics() async throws {
        let db = try AppDatabase.inMemory()
        _ = try await db.receive(Self.inbound("m"), replyChannel: "dryrun") { _, _, next in Self.casePlan(next) }
        #expect(SQLiteSetup.applied)
        #expect(SQLiteSetup.memoryCounted == 0)
    }

    /// Opening a database that has no statistics gives the query planner some (ANALYZE, whole);
    /// one that has them keeps them (PRAGMA optimize brings them up to date).
    @Test func openingAnalyzesTheTables() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-\(UUID().uuidString)/h.sqlite").path
        let db = try AppDatabase.open(path: path)
        try await db.writer.write { db in
            for i in 0..<20 {
                try db.execute(sql: "INSERT INTO residents(studio_id, phone, first_seen_at, last_seen_at) VALUES ('xujiawan', ?, ?, ?)",
                               arguments: ["+86137000001\(String(format: "%02d", i))", Self.now, Self.now])
            }
        }
        func analyzed(_ db: AppDatabase) async throws -> [String] {
            try await db.writer.read { try String.fetchAll($0, sql: "SELECT DISTINCT tbl FROM sqlite_stat1 ORDER BY tbl") }
        }
        let kept = try await analyzed(try AppDatabase.open(path: path))
        #expect(!kept.isEmpty && !kept.contains("residents"), "statistics there are kept: \(kept)")
        try await db.writer.write { try $0.execute(sql: "DELETE FROM sqlite_stat1") }
        let reopened = try AppDatabase.open(path: path)
        #expect(try await analyzed(reopened).contains("residents"))
        try await reopened.optimize()
        // An index a migration adds to an analysed database gets statistics of its own at the next
        // open; the others' are left as they were.
        func indexes(_ db: AppDatabase) async throws -> [String: String] {
            try await db.writer.read { db in
                Dictionary(try Row.fetchAll(db, sql: "SELECT idx, stat FROM sqlite_stat1 WHERE idx IS NOT NULL").map { ($0[0], $0[1]) }) { a, _ in a }
            }
        }
        try await reopened.writer.write { try $0.execute(sql: "CREATE INDEX residents_by_seen ON residents(first_seen_at)") }
        let before = try await indexes(reopened)
        #expect(before["residents_by_seen"] == nil)
        let after = try await indexes(try AppDatabase.open(path: path))
        #expect(after["residents_by_seen"]?.hasPrefix("20 ") == true, "\(after)")
        #expect(after.filter { $0.key != "residents_by_seen" } == before)
    }
}

/// The dispatcher is woken by the commit that queues a text, never by its callers: a transaction
/// that queues nothing, or one rolled back, wakes nothing.
@Suite struct OutboxCommitTests {
    @Test func aCommitThatQueuesATextWakesTheDispatcher() async throws {
        let db = try AppDatabase.inMemory()
        func settled() async throws -> Int { db.outboxCommits.generation }
        // A write that queues nothing.
        try await db.casework(now: StorageTests.now) { try $0.setOptedOut(studio: "xujiawan", phone: "+8613700000009", since: nil) }
        #expect(try await settled() == 0)
        // A write that queues a text, then rolls back.
        await #expect(throws: CancellationError.self) {
            try await db.casework(now: StorageTests.now) { ledger in
                try ledger.enqueue([OutboundText(to: "+8613700000009", text: "x", kind: .caseUpdate)], studio: "xujiawan", from: "10690001",
                                   channel: "dryrun", caseID: nil)
                throw CancellationError()
            }
        }
        #expect(try await settled() == 0)
        // Intake that queues its replies: raised by the commit.
        _ = try await db.receive(StorageTests.inbound("w"), replyChannel: "dryrun") { _, _, next in StorageTests.casePlan(next) }
        let n = try await settled()
        #expect(n == 1, "\(n) wakes")
    }
}

/// A reply in the webhook's response (WeChat's passive reply): the texts back to the sender on the
/// same channel wait in the outbox; the webhook takes the first, or the dispatcher sends it after
/// the wait — never both.
@Suite struct HeldReplyTests {
    static let now = StorageTests.now

    static func receive(_ db: AppDatabase, id: String, hold: TimeInterval?) async throws -> IntakeReceipt {
        let inbound = InboundMessage(studioID: "xujiawan", channel: "wx", providerID: id, from: "wx:oF", to: "10690001", text: "路灯坏了",
                                     receivedAt: now, holdReplies: hold)
        return try await db.receive(inbound) { ledger, _ in
            _ = try ledger.enqueue([OutboundText(to: "wx:oF", text: "已收到 \(id)", kind: .acknowledgement)], studio: "xujiawan", from: "10690001",
                                   channel: "wx", caseID: nil)
            _ = try ledger.enqueue([OutboundText(to: "+8613800000003", text: "新案件", kind: .memberNotice)], studio: "xujiawan", from: "10690001",
                                   channel: "sms", caseID: nil)
            return Handled(queued: 2)
        }
    }

    @Test func theWebhookTakesTheHeldReplyOnce() async throws {
        let db = try AppDatabase.inMemory()
        let receipt = try await Self.receive(db, id: "a", hold: 5)
        // Held: only the member's text is due now.
        #expect(try await db.claimDueOutbox(now: Self.now, limit: 10).map(\.to) == ["+8613800000003"])
        #expect(try await db.takeHeldReply(after: receipt.messageID, channel: "wx", to: "wx:oF", now: Self.now) == "已收到 a")
        #expect(try await db.takeHeldReply(after: receipt.messageID, channel: "wx", to: "wx:oF", now: Self.now) == nil)
        #expect(try await db.claimDueOutbox(now: Self.now.addingTimeInterval(10), limit: 10).isEmpty, "sent in the response: not again")
        let ack = try #require(try await db.messages().first { $0.toNumber == "wx:oF" })
        #expect(ack.status == .sent && ack.providerId == "passive")
    }

    @Test func aReplyTheDispatcherHasIsNotTaken() async throws {
        let db = try AppDatabase.inMemory()
        let receipt = try await Self.receive(db, id: "b", hold: 5)
        #expect(try await db.claimDueOutbox(now: Self.now.addingTimeInterval(5), limit: 10).map(\.to).sorted() == ["+8613800000003", "wx:oF"])
        #expect(try await db.takeHeldReply(after: receipt.messageID, channel: "wx", to: "wx:oF", now: Self.now) == nil)
    }

    @Test func withoutAHoldTheReplyIsDueAtOnce() async throws {
        let db = try AppDatabase.inMemory()
        _ = try await Self.receive(db, id: "c", hold: nil)
        #expect(try await db.claimDueOutbox(now: Self.now, limit: 10).count == 2)
    }
}
