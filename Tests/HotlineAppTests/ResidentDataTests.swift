import Foundation
import GRDB
import HotlineCore
@testable import HotlineStorage
import Testing
@testable import HotlineApp

/// A resident's own data: all of it shown, and forgotten everywhere, the reports unchanged and
/// other residents untouched; both recorded in the data audit with the number masked.
@Suite struct ResidentDataTests {
    static let a = "+8613700000021", b = "+8613700000022"

    /// Every text value in every table, for looking through the whole database.
    static func everything(_ hotline: HotlineParts) async throws -> [String] {
        try await hotline.database.writer.read { db in
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'case_words%'")
            return try tables.flatMap { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"").flatMap { row in row.databaseValues.compactMap { String.fromDatabaseValue($0) } }
            }
        }
    }

    @Test func showThenForget() async throws {
        let clock = StepClock(thursday)
        let phones = Phones(try makeHotline(clock: clock.wall))
        let hotline = phones.hotline
        try await phones.text(Self.a, "登记 龙湖社区")
        try await phones.text(Self.a, "小区停水三天了,没人管")           // case 1, M3
        try await phones.text(Self.b, "燕村的路坏了,没人修")            // case 2
        clock.advance(3_600)
        try await phones.text(m3, "办结 1 已修好,联系人13700000021")  // a member's note naming the number
        try await phones.text(Self.a, "1")                               // satisfied
        try await phones.text(Self.a, "楼道灯坏了")                       // case 3, open, its texts waiting
        let reports = Reports(hotline)
        let month = "2026-11"
        let before = (try await MonthReport.make(month: month, studios: nil, from: reports, withOverdue: false).lines,
                      try await MonthReport.counted(month: month, studios: nil, from: reports).lines)

        let held = try await hotline.database.residentData(phone: Self.a, actor: "test", now: clock.wall.now())
        #expect(held["cases"]?.count == 2 && held["cases"]?.allSatisfy { $0["studio_id"] == "xujiawan" } == true)
        #expect(held["cases"]?.map { $0["text"] } == ["小区停水三天了,没人管", "楼道灯坏了"])
        #expect(held["residents"]?.first?["area"] == "龙湖社区")
        let texts = held["messages"]?.compactMap { $0["text"] } ?? []
        #expect(texts.contains("登记 龙湖社区") && texts.contains("1") && texts.count >= 8)
        // Nothing of the other resident's.
        let shown = "\(held)"
        #expect(!shown.contains(Self.b) && !shown.contains("燕村的路坏了"))

        let counts = try await hotline.database.forgetResident(phone: Self.a, actor: "test", now: clock.wall.now())
        #expect(counts.cases == 2 && counts.residents == 1 && counts.cancelled > 0 && counts.optOutsKept == 0, "\(counts)")
        // Their number and texts are nowhere, in any spelling the masking knows (the member's note too).
        let all = try await Self.everything(hotline)
        #expect(!all.contains { $0.contains("13700000021") || $0.contains("小区停水") || $0.contains("楼道灯") || $0 == "登记 龙湖社区" },
                "\(all.filter { $0.contains("13700000021") || $0.contains("停水") || $0.contains("楼道灯") || $0 == "登记 龙湖社区" })")
        // The other resident untouched; the month's counts the same.
        #expect(all.contains(Self.b) && all.contains("燕村的路坏了,没人修"))
        let after = (try await MonthReport.make(month: month, studios: nil, from: reports, withOverdue: false).lines,
                     try await MonthReport.counted(month: month, studios: nil, from: reports).lines)
        #expect(after.0 == before.0 && after.1 == before.1)
        // Nothing waits to go to them.
        let waiting = try await hotline.database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.to_number = ? AND o.status IN ('pending', 'waiting')",
                             arguments: [PhoneNumber.mask(Self.a)])
        }
        #expect(waiting == 0)
        let audit = try await hotline.database.dataAudit()
        #expect(audit.map(\.action) == ["forget", "show"])
        #expect(audit.allSatisfy { $0.detail.contains("+86137****0021") && !$0.detail.contains(Self.a) })
        // A second look finds nothing left.
        let again = try await hotline.database.residentData(phone: Self.a, actor: "test", now: clock.wall.now())
        #expect(again.values.allSatisfy { $0.isEmpty })
    }

    /// A resident who opted out and was then forgotten is still skipped by a notice to a roll that
    /// names them, though nothing readable of the number is left; 订阅 from them lifts it; a
    /// forgotten resident who had not opted out keeps nothing. (The demo deployment's opt-out
    /// covers both its studios: so does what is kept of it.)
    @Test func anOptOutOutlivesTheErasure() async throws {
        let clock = StepClock(thursday)
        let phones = Phones(try makeHotline(clock: clock.wall))
        let hotline = phones.hotline
        let desk = NoticeService(hotline)
        try await phones.text(Self.a, "退订")
        try await phones.text(Self.b, "燕村的路坏了,没人修")
        let roll = Data("name,phone,role\n甲,\(Self.a.dropFirst(3)),居民代表\n乙,\(Self.b.dropFirst(3)),居民代表\n".utf8)
        @Sendable func notices() async throws -> [String: [String]] {
            var reached: [String: [String]] = [:]
            for studio in ["xujiawan", "xinjiang"] {
                try await desk.importRoll(studio: studio, name: "议事会", csv: roll)
                let draft = NoticeDraft(kind: .general, title: "停车协商", body: "周四下午", audience: [.roll("议事会")])
                let plan = try await desk.create(studio: studio, draft, by: "test").1
                reached[studio] = plan.recipients.map(\.phone)
                #expect(plan.skipped.map(\.recipient.phone) == (reached[studio]!.contains(Self.a) ? [] : [Self.a]))
            }
            return reached
        }
        #expect(try await notices() == ["xujiawan": [Self.b], "xinjiang": [Self.b]])

        let counts = try await hotline.database.forgetResident(phone: Self.a, actor: "test", now: clock.wall.now())
        #expect(counts.residents == 2 && counts.rolls == 2 && counts.optOutsKept == 2, "\(counts)")
        #expect(try await hotline.database.forgetResident(phone: Self.b, actor: "test", now: clock.wall.now()).optOutsKept == 0)
        let all = try await Self.everything(hotline)
        #expect(!all.contains { $0.contains("13700000021") }, "\(all.filter { $0.contains("13700000021") })")
        // The roll imported again, naming them: still skipped.
        #expect(try await notices() == ["xujiawan": [Self.b], "xinjiang": [Self.b]])
        // What is kept is shown to them, and to the admin API's look-up once they are back.
        let held = try await hotline.database.residentData(phone: Self.a, actor: "test", now: clock.wall.now())
        #expect(held["kept_opt_outs"]?.compactMap { $0["studio_id"] }.sorted() == ["xinjiang", "xujiawan"])
        try await phones.text(Self.a, "楼道灯坏了")
        #expect(try await hotline.database.resident(studio: "xujiawan", phone: Self.a).0?.optedOutAt != nil)
        #expect(try await hotline.database.isOptedOut(studio: "xujiawan", phone: Self.a))
        // 订阅 lifts it, and says so.
        _ = try await phones.inbox(Self.a)
        try await phones.text(Self.a, "订阅")
        let said = try await phones.inbox(Self.a)
        #expect(said.count == 1 && said[0].contains("已恢复接收"), "\(said)")
        #expect(try await !hotline.database.isOptedOut(studio: "xujiawan", phone: Self.a))
        #expect(try await notices() == ["xujiawan": [Self.a, Self.b], "xinjiang": [Self.a, Self.b]])
    }

    /// Retention removes a resident long unseen who had opted out (their row held nothing else)
    /// and keeps the opt-out as the erasure does: a roll naming them still skips them.
    @Test func aPurgeKeepsAnOptOutWithoutTheRow() async throws {
        let clock = StepClock(thursday)
        let phones = Phones(try makeHotline(clock: clock.wall))
        let hotline = phones.hotline
        try await phones.text(Self.a, "退订")
        try await phones.text(Self.b, "登记 龙湖社区")
        let now = clock.wall.now().addingTimeInterval(800 * 86_400)
        // Sent, as the dispatcher (not running here) would have: a text still waiting to go is kept.
        try await hotline.database.writer.write { try $0.execute(sql: "UPDATE outbox SET status = 'sent' WHERE status = 'pending'") }
        let planned = try await hotline.database.purge(RetentionPolicy(), now: now, actor: "test", dryRun: true)
        let done = try await hotline.database.purge(RetentionPolicy(), now: now, actor: "test")
        // a in both studios (the deployment's opt-out), b in one.
        #expect(done.residents == 3 && done == planned, "\(done)")
        #expect(try await hotline.database.resident(studio: "xujiawan", phone: Self.a).0 == nil)
        let all = try await Self.everything(hotline)
        #expect(!all.contains { $0.contains("13700000021") }, "\(all.filter { $0.contains("13700000021") })")
        let desk = NoticeService(hotline)
        let roll = Data("name,phone,role\n甲,\(Self.a.dropFirst(3)),居民代表\n乙,\(Self.b.dropFirst(3)),居民代表\n".utf8)
        try await desk.importRoll(studio: "xujiawan", name: "议事会", csv: roll)
        let plan = try await desk.create(studio: "xujiawan", NoticeDraft(kind: .general, title: "停车协商", audience: [.roll("议事会")]), by: "test").1
        #expect(plan.recipients.map(\.phone) == [Self.b] && plan.skipped.map(\.reason) == [.optedOut])
    }
}
