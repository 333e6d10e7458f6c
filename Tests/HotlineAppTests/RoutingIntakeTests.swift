import Foundation
import HotlineChannels
import HotlineCore
import Logging
import ServiceLifecycle
@testable import HotlineStorage
import Synchronization
import Testing
@testable import HotlineApp

/// Routing through the real intake path (shipped config and rules, SQLite), with an injected clock for the weekday.
@Suite struct RoutingIntakeTests {
    static let json = ChannelSettings(id: "json", kind: .json)

    func receive(_ hotline: HotlineParts, _ id: String, from: String = "+8613700000009", to: String = "10690001", _ text: String) async throws -> CaseRecord? {
        let receipt = try await hotline.receive(InboundText(providerID: id, from: from, to: to, text: text), channel: Self.json)
        guard let number = receipt.caseNumber else { return nil }
        let studio = hotline.settings.deployment.studio(forHotline: to)!.id
        return try await hotline.database.case(studio: studio, number: number)
    }

    @Test func areaNamedInTheText() async throws {
        let c = try #require(try await receive(try makeHotline(), "1", "谭家庄村的路坑坑洼洼,下雨天根本走不了"))
        #expect(c.area == "谭家庄村" && c.areaSource == .text && c.assigneeId == "M5" && c.routingReason == .linkedSectorFit)
    }

    @Test func areaRegisteredByText() async throws {
        let hotline = try makeHotline()
        #expect(try await receive(hotline, "r", "登记 燕村") == nil)
        let c = try #require(try await receive(hotline, "1", "井里抽不出水,吃水难"))
        #expect(c.area == "燕村" && c.areaSource == .registered && c.assigneeId == "M4")
        // English registration works the same.
        #expect(try await receive(hotline, "r2", from: "+8613700000008", "AREA 龙湖") == nil)
        let d = try #require(try await receive(hotline, "2", from: "+8613700000008", "暖气不热"))
        #expect(d.area == "龙湖社区" && d.assigneeId == "M3")
        let replies = try await hotline.database.messages().filter { $0.kind == .registration }.map(\.text)
        #expect(replies.count == 2 && replies.allSatisfy { $0.contains("已登记") })
    }

    @Test func unknownAreaOnDutyDayGoesToAMemberOnDuty() async throws {
        let hotline = try makeHotline(clock: .fixed(wednesday))
        let first = try #require(try await receive(hotline, "1", "暖气不热,家里只有十二度"))
        let second = try #require(try await receive(hotline, "2", "小区停水三天了"))
        #expect(first.routingReason == .duty && second.routingReason == .duty)
        // Fewest open cases first: the two cases are spread over M1 and M2.
        #expect(Set([first.assigneeId, second.assigneeId]) == ["M1", "M2"])
    }

    @Test func unknownAreaOffDutyGoesToALiaison() async throws {
        let c = try #require(try await receive(try makeHotline(clock: .fixed(thursday)), "1", "暖气不热,家里只有十二度"))
        #expect(c.routingReason == .liaison && c.assigneeId == "L1")
    }

    @Test func unclassifiedGoesToALiaisonAndIsNotGuessed() async throws {
        let c = try #require(try await receive(try makeHotline(clock: .fixed(wednesday)), "1", from: "+8613700000001", "你好"))
        #expect(c.intent == .unclassified && c.routingReason == .liaison && c.assigneeId == "L1")
    }

    /// A known question is answered at once from the rule table, with the studio's own facts, and recorded as answered.
    @Test(arguments: [
        ("10690001", "xujiawan", "委员接待日是每周三上午9:00—11:30,地点:徐家湾社区党群服务中心二楼委员工作室。值班委员:张委员、李委员"),
        ("10690002", "xinjiang", "本平台没有固定接待日"),
    ])
    func knownQuestionIsAnsweredAtOnce(number: String, studio: String, answer: String) async throws {
        let hotline = try makeHotline()
        let c = try #require(try await receive(hotline, "q", to: number, "请问委员接待日是哪天?"))
        #expect(c.studioId == studio && c.intent == .question && c.state == .answered && c.assigneeId == nil)
        let replies = try await hotline.database.messages().filter { $0.direction == .outbound }
        #expect(replies.count == 1)
        #expect(replies.first?.kind == .answer && replies.first?.text.contains(answer) == true, "\(replies.first?.text ?? "")")
        #expect(try await hotline.database.events(caseID: c.id!).map(\.kind) == ["opened", "answered"])
    }

    @Test func theNumberTextedDecidesTheStudio() async throws {
        let c = try #require(try await receive(try makeHotline(), "1", to: "10690002", "王守村停水了"))
        #expect(c.studioId == "xinjiang" && c.assigneeId == "X1" && c.number == 1)
    }

    @Test func localNumberFormsAreOneResident() async throws {
        let hotline = try makeHotline()
        // 13700000001 is the configured known resident +8613700000001 of 龙湖社区.
        let c = try #require(try await receive(hotline, "1", from: PhoneNumber.normalize("13700000001"), "物业不管"))
        #expect(c.residentPhone == "+8613700000001" && c.area == "龙湖社区" && c.areaSource == .config)
    }
}

@Suite struct OutboxDispatcherTests {
    @Test func retryableFailureIsRetriedOnScheduleThenSucceeds() async throws {
        let clock = StepClock(thursday)
        let hotline = try makeHotline(clock: clock.wall, retry: RetryPolicy(maxAttempts: 5, initialDelay: 2, maxDelay: 60, jitter: 0))
        _ = try await hotline.receive(InboundText(providerID: "1", from: "+8613700000001", to: "10690001", text: "物业不管"), channel: .init(id: "json", kind: .json))
        let sender = ScriptedSender([.retryable("503 busy"), .retryable("503 busy")])
        let dispatcher = OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, sender), random: { 0.5 })
        #expect(try await dispatcher.drainOnce() == 2)           // both fail once
        #expect(try await dispatcher.drainOnce() == 0)           // nothing due before the backoff
        clock.advance(1.9)
        #expect(try await dispatcher.drainOnce() == 0)
        clock.advance(0.1)                                      // 2 s after the first attempt
        #expect(try await dispatcher.drainOnce() == 2)
        #expect(sender.sent.map(\.attempt) == [1, 1, 2, 2])
        let outbound = try await hotline.database.messages().filter { $0.direction == .outbound }
        #expect(outbound.allSatisfy { $0.status == .sent })
    }

    /// While the dispatcher runs, intake's replies reach it in memory: sent as the table's claim
    /// would have sent them, recorded once; and under steady hand-over the table still gets a turn.
    @Test func handedRepliesAreSentAsClaimedOnesAndTheTableGetsItsTurn() async throws {
        func texts(_ hotline: HotlineParts, _ range: ClosedRange<Int>) async throws {
            for i in range {
                _ = try await hotline.receive(InboundText(providerID: "\(i)", from: "+861370000001\(i)", to: "10690001", text: "物业不管"),
                                              channel: .init(id: "json", kind: .json))
            }
        }
        let (handing, claiming) = (try makeHotline(), try makeHotline())
        handing.database.outboxHandOff.open()
        try await texts(handing, 1...1)
        try await texts(claiming, 1...1)
        let (handed, claimed) = (ScriptedSender(), ScriptedSender())
        #expect(try await OutboxDispatcher(handing, senders: .all(handing.settings.channels, handed)).drainOnce() == 2)
        #expect(try await OutboxDispatcher(claiming, senders: .all(claiming.settings.channels, claimed)).drainOnce() == 2)
        // (Sent concurrently: in either order.)
        #expect(handed.sent.sorted { $0.outboxID < $1.outboxID } == claimed.sent.sorted { $0.outboxID < $1.outboxID })
        #expect(!handed.sent.isEmpty && handed.sent.allSatisfy { $0.attempt == 1 && !$0.values.isEmpty })
        #expect(try await handing.database.outboxCounts() == ["sent": 2])

        // Two texts wait in the table (queued while the hand-off was closed), eight are handed over.
        let hotline = try makeHotline()
        try await texts(hotline, 1...1)
        hotline.database.outboxHandOff.open()
        try await texts(hotline, 2...5)
        let sender = ScriptedSender()
        let dispatcher = OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, sender), batchSize: 2)
        for _ in 1...3 { #expect(try await dispatcher.drainOnce() == 2) }
        #expect(Set(sender.sent.map(\.messageID)).isDisjoint(with: [2, 3]))     // the first text's replies
        #expect(try await dispatcher.drainOnce() == 4)                        // the fourth batch: the table's turn too
        #expect(Set(sender.sent.map(\.messageID)).isSuperset(of: [2, 3]))
        #expect(try await dispatcher.drainOnce() == 0)
        #expect(sender.sent.count == 10 && Set(sender.sent.map(\.outboxID)).count == 10)
        #expect(try await hotline.database.outboxCounts() == ["sent": 10])
    }

    /// Holds every send to `held` until ``release()``; accepts the rest at once.
    final class HoldingSender: MessageSender {
        let held: String
        private let state = Mutex<(sent: [String], waiting: [CheckedContinuation<Void, Never>], released: Bool)>(([], [], false))
        init(held: String) { self.held = held }
        var sent: [String] { state.withLock { $0.sent } }

        func send(_ item: OutboxItem) async -> SendOutcome {
            if item.to == held {
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    if state.withLock({ s in s.released ? true : { s.waiting.append(c); return false }() }) { c.resume() }
                }
            }
            state.withLock { $0.sent.append(item.to) }
            return .accepted(providerID: nil)
        }

        func release() {
            state.withLock { s in
                s.released = true
                defer { s.waiting = [] }
                return s.waiting
            }.forEach { $0.resume() }
        }
    }

    /// A gateway that does not answer costs the transport's whole timeout a batch: the other lanes
    /// go on sending meanwhile (they used to wait for the slowest lane before taking more).
    @Test func aSendThatHangsHoldsUpOnlyItsOwnLane() async throws {
        let hotline = try makeHotline()
        func text(_ i: Int) async throws {
            _ = try await hotline.receive(InboundText(providerID: "\(i)", from: "+861370000001\(i)", to: "10690001", text: "物业不管"),
                                          channel: .init(id: "json", kind: .json))
        }
        try await text(1)
        let sender = HoldingSender(held: "+8613700000011")
        let service = ServiceGroup(configuration: .init(services: [OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, sender))],
                                                         logger: Logger(label: "test")))
        let running = Task { try await service.run() }
        func eventually(_ condition: () -> Bool) async throws -> Bool {
            for _ in 0..<400 where !condition() { try await Task.sleep(for: .milliseconds(50)) }
            return condition()
        }
        // The first text's member notice is sent; its acknowledgement hangs, and its lane with it.
        #expect(try await eventually { sender.sent.count == 1 })
        try await text(2)
        #expect(try await eventually { sender.sent.contains("+8613700000012") }, "\(sender.sent)")
        #expect(!sender.sent.contains("+8613700000011"))
        sender.release()
        #expect(try await eventually { sender.sent.count == 4 })
        await service.triggerGracefulShutdown()
        try await running.value
        #expect(try await hotline.database.outboxCounts() == ["sent": 4])
    }

    /// A hand-over wakes one lane, and no lane claims from the table without news of rows there:
    /// each text costs the writer its intake and the record of its replies, nothing more (each
    /// hand-over woke all four lanes, and the three that found it taken each claimed an empty table).
    @Test func aHandOverCostsNoClaimOfTheTable() async throws {
        let hotline = try makeHotline()
        let sender = HoldingSender(held: "nobody")
        // No ticker in the minutes the test takes: its wake is news for the table.
        let dispatcher = OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, sender), idle: .seconds(3_600))
        let service = ServiceGroup(configuration: .init(services: [dispatcher], logger: Logger(label: "test")))
        let running = Task { try await service.run() }
        func textAndWait(_ i: Int) async throws {
            _ = try await hotline.receive(InboundText(providerID: "\(i)", from: "+86137000000\(10 + i)", to: "10690001", text: "物业不管"),
                                          channel: .init(id: "json", kind: .json))
            for _ in 0..<400 where try await hotline.database.outboxCounts()["sent"] != 2 * i { try await Task.sleep(for: .milliseconds(20)) }
        }
        // The first (after the start-up claim, the table's news at start).
        try await textAndWait(1)
        let before = hotline.database.writerLoad.writes
        for i in 2...11 { try await textAndWait(i) }
        #expect(try await hotline.database.outboxCounts() == ["sent": 22])
        #expect(hotline.database.writerLoad.writes - before == 20, "10 intakes and 10 records")
        await service.triggerGracefulShutdown()
        try await running.value
    }

    @Test func aHandedReplyToAResidentErasedMeanwhileIsNotSent() async throws {
        let hotline = try makeHotline()
        hotline.database.outboxHandOff.open()
        let resident = "+8613700000011"
        _ = try await hotline.receive(InboundText(providerID: "1", from: resident, to: "10690001", text: "物业不管"), channel: .init(id: "json", kind: .json))
        _ = try await hotline.database.forgetResident(phone: resident, actor: "test", now: thursday)
        let sender = HoldingSender(held: "nobody")
        let dispatcher = OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, sender))
        #expect(try await dispatcher.drainOnce() == 2)
        // The member's notice goes; the acknowledgement to the erased resident does not, and stays failed.
        #expect(sender.sent.count == 1 && !sender.sent.contains(resident), "\(sender.sent)")
        #expect(try await hotline.database.outboxCounts() == ["failed": 1, "sent": 1])
    }

    @Test func alwaysFailingSendEndsFailedAndVisible() async throws {
        let clock = StepClock(thursday)
        let hotline = try makeHotline(clock: clock.wall, retry: RetryPolicy(maxAttempts: 3, initialDelay: 1, maxDelay: 60, jitter: 0))
        _ = try await hotline.receive(InboundText(providerID: "1", from: "+8613700000001", to: "10690001", text: "物业不管"), channel: .init(id: "json", kind: .json))
        let sender = ScriptedSender(Array(repeating: .retryable("connection refused"), count: 10))
        let dispatcher = OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, sender), random: { 0.5 })
        for _ in 0..<5 {
            try await dispatcher.drainOnce()
            clock.advance(10)
        }
        #expect(sender.sent.count == 6)                         // 2 messages × 3 attempts, no more
        #expect(try await hotline.database.outboxCounts() == ["failed": 2])
        let outbound = try await hotline.database.messages().filter { $0.direction == .outbound }
        #expect(outbound.allSatisfy { $0.status == .failed && $0.error == "connection refused" })
    }

    @Test func permanentFailureIsNotRetried() async throws {
        let hotline = try makeHotline()
        _ = try await hotline.receive(InboundText(providerID: "1", from: "+8613700000001", to: "10690001", text: "物业不管"), channel: .init(id: "json", kind: .json))
        let sender = ScriptedSender([.permanent("400 bad number"), .accepted(providerID: nil)])
        try await OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, sender)).drainOnce()
        #expect(try await hotline.database.outboxCounts() == ["failed": 1, "sent": 1])
    }

    /// A trigger that refuses to record send results (claiming, which sets `sending`, still works)
    /// while the `fault` table has a row.
    static func refuseRecordingResults(_ hotline: HotlineParts) async throws {
        try await hotline.database.writer.write { db in
            try db.execute(sql: """
                CREATE TABLE fault(x INTEGER);
                INSERT INTO fault VALUES (1);
                CREATE TRIGGER refuse_record BEFORE UPDATE OF status ON outbox
                WHEN NEW.status <> 'sending' AND EXISTS (SELECT 1 FROM fault)
                BEGIN SELECT RAISE(ABORT, 'disk I/O error (injected)'); END;
                """)
        }
    }

    @Test func resultsAreRecordedAgainWhenRecordingFails() async throws {
        let hotline = try makeHotline()
        _ = try await hotline.receive(InboundText(providerID: "1", from: "+8613700000001", to: "10690001", text: "物业不管"), channel: .init(id: "json", kind: .json))
        try await Self.refuseRecordingResults(hotline)
        let retries = Mutex<[Int]>([])
        let sender = ScriptedSender()
        let dispatcher = OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, sender), beforeRecordRetry: { attempt in
            retries.withLock { $0.append(attempt) }
            if attempt == 2 { try? await hotline.database.writer.write { try $0.execute(sql: "DELETE FROM fault") } }
            return true
        })
        #expect(try await dispatcher.drainOnce() == 2)
        #expect(retries.withLock { $0 } == [1, 2])              // refused twice, recorded on the third try
        #expect(sender.sent.count == 2)                           // each reply sent once
        #expect(try await hotline.database.outboxCounts() == ["sent": 2])
    }

    @Test func givingUpLeavesTheRowsSendingForTheNextStart() async throws {
        let hotline = try makeHotline()
        _ = try await hotline.receive(InboundText(providerID: "1", from: "+8613700000001", to: "10690001", text: "物业不管"), channel: .init(id: "json", kind: .json))
        try await Self.refuseRecordingResults(hotline)
        let dispatcher = OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, ScriptedSender()),
                                          beforeRecordRetry: { $0 < 3 })
        await #expect(throws: (any Error).self) { try await dispatcher.drainOnce() }
        #expect(try await hotline.database.outboxCounts() == ["sending": 2])
        // The database mends, the service restarts: the rows go out again.
        try await hotline.database.writer.write { try $0.execute(sql: "DELETE FROM fault") }
        #expect(try hotline.database.recoverInterruptedSends(now: thursday) == 2)
        #expect(try await hotline.database.outboxCounts() == ["pending": 2])
    }
}

@Suite struct RateLimitTests {
    @Test func sendsAreSpacedToTheChannelsRate() async throws {
        var (settings, table) = try HotlineSetup.load(HotlinePaths(
            config: repoRoot.appendingPathComponent("config").path, intents: repoRoot.appendingPathComponent("Intents").path))
        settings.channels = settings.channels.map { var c = $0; if c.id == "dryrun" { c.rateLimit = 20 }; return c }
        let hotline = try HotlineParts(settings: settings, rules: table, database: .inMemory(), clock: .fixed(thursday))
        for i in 0..<5 {
            // Five residents: one number sending the same text five times at once would be held as a machine.
            _ = try await hotline.receive(InboundText(providerID: "\(i)", from: "+861370000010\(i)", to: "10690001", text: "物业不管"),
                                          channel: .init(id: "json", kind: .json))
        }
        let sender = ScriptedSender()
        let dispatcher = OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, sender))
        let start = ContinuousClock.now
        while try await dispatcher.drainOnce() > 0 {}
        let elapsed = ContinuousClock.now - start
        // 10 messages at 20/s: the first goes at once, the other nine wait for their slots (≥ 450 ms).
        #expect(sender.sent.count == 10)
        #expect(elapsed >= .milliseconds(440), "\(elapsed)")
    }
}

/// A follower's address on a channel of its own (`wx:<OpenID>`) is a resident, whatever digits
/// it holds: never a hotline texting a hotline.
@Suite struct FollowerIntakeTests {
    @Test func digitsInAnAddressDoNotMakeItAHotline() async throws {
        let hotline = try makeHotline()
        let channel = try #require(hotline.settings.channels.first { $0.kind == .json })
        let receipt = try await hotline.receive(InboundText(providerID: "f1", from: "wx:o10690001", to: "10690001", text: "小区路灯坏了"),
                                                channel: channel)
        #expect(receipt.caseNumber == 1)
        #expect(try await hotline.database.cases().map(\.residentPhone) == ["wx:o10690001"])
    }

    /// A channel that reaches only its own contacts (a WeChat account) answers the resident; the
    /// member hears of the case on the studio's outbound channel, which reaches phones.
    @Test func membersAreTextedOnAChannelThatReachesPhones() async throws {
        let account = ChannelSettings(id: "account", kind: ChannelKind("contacts-only", reach: .ownContacts))
        let hotline = try makeHotline { $0.channels.append(account) }
        let receipt = try await hotline.receive(InboundText(providerID: "f2", from: "wx:oFollower", to: "10690001", text: "5号楼外墙皮脱落,物业不管"),
                                                channel: account)
        #expect(receipt.caseNumber == 1)
        let outbound = try await hotline.database.messages().filter { $0.direction == .outbound }
        #expect(outbound.count == 2 && outbound.filter { PhoneNumber.isDialable($0.toNumber) }.count == 1, "the acknowledgement and the member's text")
        for message in outbound {
            #expect(message.channel == (message.toNumber == "wx:oFollower" ? "account" : "dryrun"), "\(message.toNumber) via \(message.channel)")
        }
    }
}
