import Foundation
import HotlineCore
import HotlineTestSupport
@testable import HotlineStorage
import GRDB
import Testing
@testable import HotlineApp

/// The reports' tallies, kept as cases change, give the same report as counting the cases one by
/// one, after a random mix of intake, acceptances, replies, transfers, closes, reopenings and surveys
/// across a month's end; and counting them all again changes nothing.
@Suite struct TallyTests {
    /// Replayable by its seed.
    typealias Seeded = SeededRandom

    static let texts = ["小区停水三天了,龙湖的", "燕村的路坏了,没人修", "龙湖小区楼道灯坏了", "孩子上学的事想咨询一下", "垃圾没人清运,臭得很",
                        "邻居装修天天吵", "物业不管外墙脱落", "公交站台坏了", "找不到工作,有什么补贴", "河里有人偷排污水"]

    @Test(arguments: [UInt64(1), 2, 3])
    func tallyIsTheCountOfTheCases(seed: UInt64) async throws {
        var random = Seeded(state: seed)
        // 2026-10-29 10:00 Shanghai: the mix crosses into November there.
        let clock = StepClock(ISO8601DateFormatter().date(from: "2026-10-29T02:00:00Z")!)
        let phones = Phones(try makeHotline(clock: clock.wall))
        let hotline = phones.hotline
        let studio = try #require(hotline.settings.deployment.studio(id: "xujiawan"))
        var residents: [Int: String] = [:]
        for step in 0..<160 {
            clock.advance(Double(Int.random(in: 600...20_000, using: &random)))
            try await Self.randomStep(phones, studio: studio, step: step, residents: &residents, random: &random)
        }
        let reports = Reports(hotline)
        for month in ["2026-10", "2026-11"] {
            let counted = try await MonthReport.counted(month: month, studios: nil, from: reports)
            let kept = try await MonthReport.make(month: month, studios: nil, from: reports, withOverdue: false)
            #expect(counted.overall.cases > 0, "the mix made cases in \(month)")
            #expect(kept.lines == counted.lines, "seed \(seed), \(month)")
            #expect(kept.weeks.reduce(0) { $0 + $1.cases } == counted.overall.cases)
            // The dashboard's trend reads each month's totals in one go: the month's rates again.
            let totals = try await hotline.database.monthTotals(months: ["2026-10", "2026-11"], studios: nil)
            #expect(totals[month]?.rates == counted.overall, "seed \(seed), \(month)")
        }
        // Counting every case again gives the same rows.
        let before = try await hotline.database.writer.read { try Row.fetchAll($0, sql: "SELECT * FROM case_tallies WHERE cases <> 0 ORDER BY 1, 2, 3, 4, 5, 6") }
        let monthsBefore = try await hotline.database.writer.read { try Row.fetchAll($0, sql: "SELECT * FROM case_month_totals WHERE cases <> 0 ORDER BY 1, 2") }
        _ = try await hotline.database.recountTallies()
        let after = try await hotline.database.writer.read { try Row.fetchAll($0, sql: "SELECT * FROM case_tallies ORDER BY 1, 2, 3, 4, 5, 6") }
        #expect(before == after)
        // The month totals kept as cases changed are the tallies' sums.
        let monthsAfter = try await hotline.database.writer.read { try Row.fetchAll($0, sql: "SELECT * FROM case_month_totals ORDER BY 1, 2") }
        #expect(monthsBefore == monthsAfter && monthsAfter.count >= 2)
    }

    /// One step of the random mix: a new resident's text, or a member's acceptance, reply, close or
    /// transfer of a case, or a resident's survey answer, or a pass of the deadline service.
    static func randomStep(_ phones: Phones, studio: Studio, step: Int, residents: inout [Int: String], random: inout Seeded) async throws {
        let hotline = phones.hotline
        let cases = try await hotline.database.cases()
        let pick = cases.randomElement(using: &random)
        let member = pick?.assigneeId.flatMap { studio.person($0) }?.phone
        switch Int.random(in: 0..<10, using: &random) {
        case 0...3, _ where pick == nil:
            let who = "+86137\(String(format: "%08d", step))"
            let receipt = try await phones.text(who, Self.texts.randomElement(using: &random)!)
            if let n = receipt.caseNumber { residents[n] = who }
        case 4:
            if let pick, let member { try await phones.text(member, "接 \(pick.number)") }
        case 5:
            if let pick, let member { try await phones.text(member, "回复 \(pick.number) 已经联系社区处理") }
        case 6:
            if let pick, let member { try await phones.text(member, ["办结 \(pick.number) 已修好", "无法解决 \(pick.number) 资金不足"].randomElement(using: &random)!) }
        case 7:
            if let pick, let member { try await phones.text(member, ["转 \(pick.number) M6", "转 \(pick.number) 区水务局", "转 \(pick.number) M3"].randomElement(using: &random)!) }
        case 8:
            // The resident's survey answer: satisfied, basically, or not (which reopens the case).
            if let pick, let who = residents[pick.number] { try await phones.text(who, ["1", "2", "3"].randomElement(using: &random)!) }
        default:
            _ = try await hotline.followUp()
        }
    }

    /// A case received at 23:30 on the last day in Shanghai is October's there; its week starts on Monday.
    @Test func periodsAreTheStudiosCalendar() {
        let shanghai = ReportPeriod(TimeZone(identifier: "Asia/Shanghai")!)
        let date = ISO8601DateFormatter().date(from: "2026-10-31T15:30:00Z")!   // Saturday 23:30 there
        #expect(shanghai.of(date) == ("2026-10", "2026-10-26"))
        #expect(ReportPeriod(TimeZone(identifier: "UTC")!).of(date.addingTimeInterval(9 * 3600)) == ("2026-11", "2026-10-26"))
        #expect(shanghai.of(ISO8601DateFormatter().date(from: "2026-11-01T16:00:00Z")!) == ("2026-11", "2026-11-02"), "Monday 00:00 starts its week")
    }

    /// The arithmetic agrees with Foundation's calendar on random moments in zones with and without
    /// summer time and with half-hour offsets, before and after 1970.
    @Test func periodsAgreeWithTheCalendar() {
        var random = Seeded(state: 7)
        for name in ["Asia/Shanghai", "UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"] {
            let zone = TimeZone(identifier: name)!
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let period = ReportPeriod(zone)
            for _ in 0..<400 {
                let date = Date(timeIntervalSince1970: Double(Int.random(in: -1_000_000_000...4_000_000_000, using: &random)))
                let c = calendar.dateComponents([.year, .month], from: date)
                let monday = calendar.dateInterval(of: .weekOfYear, for: date).map { _ -> DateComponents in
                    var iso = calendar
                    iso.firstWeekday = 2
                    return iso.dateComponents([.year, .month, .day], from: iso.dateInterval(of: .weekOfYear, for: date)!.start)
                }!
                let expected = (String(format: "%04d-%02d", c.year!, c.month!), String(format: "%04d-%02d-%02d", monday.year!, monday.month!, monday.day!))
                #expect(period.of(date) == expected, "\(name) \(date)")
            }
        }
    }
}
