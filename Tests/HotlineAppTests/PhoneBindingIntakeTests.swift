import Foundation
import HotlineChannels
import HotlineCore
@testable import HotlineStorage
import GRDB
import Synchronization
import Testing
@testable import HotlineApp

/// A WeChat follower binds a phone number by a code texted to it; then the number's and the
/// follower's cases are one resident's.
@Suite struct PhoneBindingIntakeTests {
    let account = ChannelSettings(id: "account", kind: ChannelKind("contacts-only", reach: .ownContacts))
    let sms = ChannelSettings(id: "json", kind: .json)
    static let phone = "+8613700000001"

    /// A clock that moves on by `pace` with each text: the sender guard answers five texts in ten minutes.
    func hotline(_ clock: StepClock) throws -> HotlineParts {
        try makeHotline(clock: clock.wall) { $0.channels.append(account) }
    }

    func say(_ hotline: HotlineParts, _ text: String, from: String = "wx:oFollower", on channel: ChannelSettings? = nil, id: String = UUID().uuidString,
             then clock: StepClock? = nil) async throws {
        _ = try await hotline.receive(InboundText(providerID: id, from: from, to: "10690001", text: text), channel: channel ?? account)
        // At a person's pace (the sender guard answers five texts in ten minutes).
        clock?.advance(121)
    }

    /// The newest text to `address`: its template and values.
    func lastTo(_ hotline: HotlineParts, _ address: String) async throws -> MessageRecord {
        try #require(try await hotline.database.messages().filter { $0.direction == .outbound && $0.toNumber == address }.max { $0.id! < $1.id! })
    }

    func code(_ hotline: HotlineParts) async throws -> String {
        let text = try await lastTo(hotline, Self.phone)
        #expect(text.template == "bind.code" && text.channel == "dryrun", "the code goes by SMS, on a channel that reaches phones")
        return try #require(text.templateValues.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }?["code"])
    }

    @Test func aCodeTextedToTheNumberBindsIt() async throws {
        let clock = StepClock(thursday)
        let hotline = try hotline(clock)
        // The number opened a case by SMS before.
        try await say(hotline, "5号楼外墙皮脱落,物业不管", from: Self.phone, on: sms, then: clock)
        try await say(hotline, "绑定 137-0000-0001", then: clock)
        #expect(try await lastTo(hotline, "wx:oFollower").template == "resident.bind.sent")
        #expect(try await lastTo(hotline, "wx:oFollower").text.contains("****0001"))
        #expect(try await !lastTo(hotline, "wx:oFollower").text.contains("13700000001"), "the follower sees the number masked")
        let code = try await code(hotline)
        // Before binding, the follower is not the number: its case is unknown to them.
        try await say(hotline, "查询 1", then: clock)
        #expect(try await lastTo(hotline, "wx:oFollower").template == "resident.status.unknown")
        let wrong = code == "000000" ? "111111" : "000000"
        try await say(hotline, "绑定 \(wrong)", then: clock)
        #expect(try await lastTo(hotline, "wx:oFollower").template == "resident.bind.wrong")
        try await say(hotline, "绑定 \(code)", then: clock)
        #expect(try await lastTo(hotline, "wx:oFollower").template == "resident.bind.done")
        let bound = try await hotline.database.writer.read { try CaseLedger(db: $0, now: thursday).boundPhone(studio: "xujiawan", follower: "wx:oFollower") }
        #expect(bound == Self.phone)
        // Now one resident: the status of the number's case, and more words about it, from WeChat.
        try await say(hotline, "查询 1", then: clock)
        let status = try await lastTo(hotline, "wx:oFollower")
        #expect(status.template == "resident.status" && status.caseId != nil && status.channel == "account", "answered where asked")
        try await say(hotline, "外墙皮今天又掉了一块,物业还是不管", then: clock)
        #expect(try await hotline.database.cases().count == 1, "added to the number's open case, no second case")
        #expect(try await lastTo(hotline, "wx:oFollower").template == "resident.added")
        // The code is used: answering it again binds nothing more.
        try await say(hotline, "绑定 \(code)", then: clock)
        #expect(try await lastTo(hotline, "wx:oFollower").template == "resident.bind.nocode")
    }

    @Test func fiveWrongCodesVoidIt() async throws {
        let clock = StepClock(thursday)
        let hotline = try hotline(clock)
        try await say(hotline, "绑定 13700000001")
        let code = try await code(hotline)
        let wrong = (0..<5).map { String(format: "%06d", (Int(code)! + 1 + $0) % 1_000_000) }
        clock.advance(121)
        for guess in wrong { try await say(hotline, "绑定 \(guess)", then: clock) }
        #expect(try await lastTo(hotline, "wx:oFollower").template == "resident.bind.nocode", "the fifth wrong answer voids the code")
        try await say(hotline, "绑定 \(code)")
        #expect(try await lastTo(hotline, "wx:oFollower").template == "resident.bind.nocode", "the right code comes too late")
        let bound = try await hotline.database.writer.read { try CaseLedger(db: $0, now: thursday).boundPhone(studio: "xujiawan", follower: "wx:oFollower") }
        #expect(bound == nil)
    }

    @Test func anExpiredCodeBindsNothing() async throws {
        let clock = StepClock(thursday)
        let hotline = try hotline(clock)
        try await say(hotline, "绑定 13700000001")
        let code = try await code(hotline)
        clock.advance(PhoneBinding.codeLifetime + 1)
        try await say(hotline, "绑定 \(code)")
        #expect(try await lastTo(hotline, "wx:oFollower").template == "resident.bind.nocode")
    }

    /// Binding is no way to flood someone's phone: a number gets three codes a day, whoever asks.
    @Test func aNumberGetsFewCodesADay() async throws {
        let clock = StepClock(thursday)
        let hotline = try hotline(clock)
        for i in 0..<5 {
            try await say(hotline, "绑定 13700000001", from: "wx:oBot\(i)")
            clock.advance(60)
        }
        let codes = try await hotline.database.messages().filter { $0.toNumber == Self.phone }
        #expect(codes.count == PhoneBinding.codesPerPhonePerDay)
        #expect(try await lastTo(hotline, "wx:oBot4").template == "resident.bind.toomany")
        clock.advance(86_400)
        try await say(hotline, "绑定 13700000001", from: "wx:oBot4")
        #expect(try await lastTo(hotline, "wx:oBot4").template == "resident.bind.sent", "a day later, again")
    }

    /// Many bot followers asking codes for many numbers: the studio sends its day's codes and no more.
    @Test func aStudioSendsFewCodesADay() async throws {
        let clock = StepClock(thursday)
        let hotline = try hotline(clock)
        for i in 0..<(PhoneBinding.codesPerStudioPerDay + 5) {
            try await say(hotline, "绑定 137\(String(format: "%08d", i))", from: "wx:oBot\(i)")
        }
        let codes = try await hotline.database.messages().filter { $0.template == "bind.code" }
        #expect(codes.count == PhoneBinding.codesPerStudioPerDay)
    }

    /// Whoever proves the number last holds it; an older code of the same follower is void once a new one is asked for.
    @Test func theLastToProveTheNumberHoldsIt() async throws {
        let clock = StepClock(thursday)
        let hotline = try hotline(clock)
        try await say(hotline, "绑定 13700000001", from: "wx:oA")
        let first = try await code(hotline)
        try await say(hotline, "绑定 \(first)", from: "wx:oA")
        try await say(hotline, "绑定 13700000001", from: "wx:oB")
        let second = try await code(hotline)
        try await say(hotline, "绑定 \(first)", from: "wx:oB")
        if first != second { #expect(try await lastTo(hotline, "wx:oB").template == "resident.bind.wrong", "A's code is not B's") }
        try await say(hotline, "绑定 \(second)", from: "wx:oB")
        let (a, b) = try await hotline.database.writer.read { db in
            let ledger = CaseLedger(db: db, now: thursday)
            return (try ledger.boundPhone(studio: "xujiawan", follower: "wx:oA"), try ledger.boundPhone(studio: "xujiawan", follower: "wx:oB"))
        }
        #expect(a == nil && b == Self.phone)
    }

    @Test(arguments: [
        ("绑定 13700000001", "+8613700000002", "resident.bind.phone"),  // a number texting needs no binding
        ("绑定", "wx:oFollower", "resident.bind.help"),
        ("绑定 12345678901234567", "wx:oFollower", "resident.bind.help"),
        ("绑定 +86 10690001", "wx:oFollower", "resident.bind.help"),  // the hotline's own number
        ("绑定 8610690001", "wx:oFollower", "resident.bind.help"),
        ("绑定 123456", "wx:oFollower", "resident.bind.nocode"),
    ])
    func otherAnswers(text: String, from: String, template: String) async throws {
        let hotline = try hotline(StepClock(thursday))
        try await say(hotline, text, from: from, on: PhoneNumber.isDialable(from) ? sms : account)
        #expect(try await lastTo(hotline, from).template == template)
        #expect(try await hotline.database.cases().isEmpty, "a command opens no case")
    }
}

/// A text WeChat can no longer carry goes by SMS to the number the follower bound; without one it
/// waits, said on the case, until the follower writes again.
@Suite struct UndeliverableTextTests {
    let account = ChannelSettings(id: "account", kind: ChannelKind("contacts-only", reach: .ownContacts))

    /// Refuses every text to a follower, as WeChat does past the 48 hours with no template; sends the rest.
    final class RefusingFollowers: MessageSender {
        let refusing = Mutex(true)
        let sent = Mutex<[OutboxItem]>([])
        func send(_ item: OutboxItem) async -> SendOutcome {
            if item.to.hasPrefix("wx:"), refusing.withLock({ $0 }) { return .permanent("wechat errcode 45015: response out of time limit") }
            sent.withLock { $0.append(item) }
            return .accepted(providerID: nil)
        }
    }

    func drain(_ hotline: HotlineParts, _ sender: RefusingFollowers) async throws {
        let dispatcher = OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, sender))
        while try await dispatcher.drainOnce() > 0 {}
    }

    func ack(_ hotline: HotlineParts) async throws -> MessageRecord {
        try #require(try await hotline.database.messages().first { $0.direction == .outbound && $0.toNumber == "wx:oF" && $0.template?.hasPrefix("ack.") == true })
    }

    func events(_ hotline: HotlineParts) async throws -> [CaseEventRecord] {
        try await hotline.database.writer.read { try CaseEventRecord.filter(Column("kind") == CaseEventKind.undelivered.rawValue).fetchAll($0) }
    }

    @Test func withoutABoundNumberItWaitsForTheFollowerToWrite() async throws {
        let clock = StepClock(thursday)
        let hotline = try makeHotline(clock: clock.wall) { $0.channels.append(account) }
        let sender = RefusingFollowers()
        _ = try await hotline.receive(InboundText(providerID: "1", from: "wx:oF", to: "10690001", text: "5号楼外墙皮脱落,物业不管"), channel: account)
        try await drain(hotline, sender)
        #expect(try await ack(hotline).status == .waiting)
        #expect(try await ack(hotline).error?.contains("45015") == true)
        let said = try await events(hotline)
        #expect(said.count == 1 && said[0].detail?.contains("等居民再次留言") == true, "the case says why: \(said.map(\.detail))")
        // The follower writes again: the 48 hours open anew, and what waited goes out.
        sender.refusing.withLock { $0 = false }
        clock.advance(3600)
        _ = try await hotline.receive(InboundText(providerID: "2", from: "wx:oF", to: "10690001", text: "请问什么时候处理"), channel: account)
        try await drain(hotline, sender)
        #expect(try await ack(hotline).status == .sent)
        #expect(sender.sent.withLock { $0.contains { $0.to == "wx:oF" && $0.template?.hasPrefix("ack.") == true } })
    }

    @Test func aBoundNumberGetsItBySMS() async throws {
        let clock = StepClock(thursday)
        let hotline = try makeHotline(clock: clock.wall) { $0.channels.append(account) }
        let sender = RefusingFollowers()
        try await hotline.database.writer.write { db in
            try db.execute(sql: "INSERT INTO residents(studio_id, phone, first_seen_at, last_seen_at, bound_phone) VALUES ('xujiawan', 'wx:oF', ?, ?, '+8613700000001')",
                           arguments: [thursday, thursday])
        }
        _ = try await hotline.receive(InboundText(providerID: "1", from: "wx:oF", to: "10690001", text: "5号楼外墙皮脱落,物业不管"), channel: account)
        try await drain(hotline, sender)
        #expect(try await ack(hotline).status == .failed)
        let copy = try #require(try await hotline.database.messages().first { $0.toNumber == "+8613700000001" })
        #expect(copy.channel == "dryrun" && copy.template?.hasPrefix("ack.") == true && copy.caseId != nil && copy.status == .sent)
        #expect(try await events(hotline).first?.detail?.contains("已改发短信到+86137****0001") == true)
    }

    @Test func bindingANumberSendsWhatWaited() async throws {
        let clock = StepClock(thursday)
        let hotline = try makeHotline(clock: clock.wall) { $0.channels.append(account) }
        let sender = RefusingFollowers()
        _ = try await hotline.receive(InboundText(providerID: "1", from: "wx:oF", to: "10690001", text: "5号楼外墙皮脱落,物业不管"), channel: account)
        try await drain(hotline, sender)
        #expect(try await ack(hotline).status == .waiting)
        clock.advance(121)
        _ = try await hotline.receive(InboundText(providerID: "2", from: "wx:oF", to: "10690001", text: "绑定 13700000001"), channel: account)
        // Writing released the acknowledgement; WeChat still refuses: waiting again.
        try await drain(hotline, sender)
        let code = try #require(try await hotline.database.messages().first { $0.template == "bind.code" }?.templateValues)
        let values = try JSONDecoder().decode([String: String].self, from: Data(code.utf8))
        clock.advance(121)
        _ = try await hotline.receive(InboundText(providerID: "3", from: "wx:oF", to: "10690001", text: "绑定 \(values["code"]!)"), channel: account)
        try await drain(hotline, sender)
        let copies = try await hotline.database.messages().filter { $0.toNumber == "+8613700000001" && $0.template != "bind.code" }
        #expect(copies.contains { $0.template?.hasPrefix("ack.") == true && $0.status == .sent }, "\(copies.map(\.template))")
    }
}
