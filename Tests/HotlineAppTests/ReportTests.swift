import Foundation
import HotlineCore
import HotlineStorage
import Testing
@testable import HotlineApp

/// The three rates on a fixture month whose answers are counted by hand below.
@Suite struct ReportTests {
    static var iso: ISO8601DateFormatter { ISO8601DateFormatter() }

    @Test func aMonthCountedByHand() async throws {
        // 2026-10-31 15:00 UTC is 23:00 in Shanghai: October there.
        let clock = StepClock(Self.iso.date(from: "2026-10-31T15:00:00Z")!)
        let phones = Phones(try makeHotline(clock: clock.wall))
        try await phones.text("+8613700000091", "小区停水三天了,龙湖的")      // case 1: October, not counted
        clock.advance(90 * 60)                                             // 00:30 on 1 November in Shanghai (still October in UTC)
        try await phones.text(resident, "小区停水三天了")                   // case 2 → M6 (M3 has case 1), water: accept within 4 h
        #expect(try await phones.case(2).assigneeId == "M6")
        clock.advance(3_600)
        try await phones.text(m6, "接 2")                                  // in time
        try await phones.text(m6, "办结 2 已修好")
        try await phones.text(resident, "1")                               // satisfied
        try await phones.text("+8613700000021", "燕村的路坏了,没人修")      // case 3 → M4 (燕村), roads: accept within 24 h
        clock.advance(30 * 3_600)
        try await phones.text("+8613800000004", "接 3")                    // late
        try await phones.text("+8613800000004", "无法解决 3 资金不足")
        try await phones.text("+8613700000021", "2")                       // basically satisfied
        try await phones.text("+8613700000093", "龙湖小区楼道灯坏了")       // case 4: never accepted
        clock.advance(3 * 86_400)
        let report = try await MonthReport.make(month: "2026-11", studio: nil, from: Reports(phones.hotline))
        // Cases 2, 3, 4. Assigned: 3; accepted in time: case 2 → 1/3. Closed: 2 and 3, case 3
        // unresolved → 1/2. Satisfaction answers: satisfied, basically satisfied → 2/2.
        let all = report.overall
        #expect(all.cases == 3)
        #expect(all.response == Rate(1, of: 3) && all.resolution == Rate(1, of: 2) && all.satisfaction == Rate(2, of: 2))
        let m4 = try #require(report.lines.first { $0.dimension == "member" && $0.key.contains("xujiawan/M4") })
        #expect(m4.rates.response == Rate(0, of: 1) && m4.rates.resolution == Rate(0, of: 1) && m4.rates.satisfaction == Rate(1, of: 1))
        #expect(report.overdue.map(\.number) == [1, 4])
        #expect(try await MonthReport.make(month: "2026-10", studio: nil, from: Reports(phones.hotline)).overall.cases == 1)

        // The CSV opens in Excel and reads back to the same figures.
        let csv = report.csv()
        #expect(csv.starts(with: [0xEF, 0xBB, 0xBF]))
        let text = String(decoding: csv.dropFirst(3), as: UTF8.self)
        #expect(text.hasSuffix("\r\n") && !text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let rows = text.split(separator: "\r\n").map { $0.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } }
        #expect(rows[0] == ["dimension", "key", "cases", "response_rate", "responded_in_time", "assigned", "resolution_rate", "resolved", "closed",
                            "satisfaction_rate", "satisfied", "answered"])
        #expect(rows[1] == ["all", "all", "3", "33.3", "1", "3", "50.0", "1", "2", "100.0", "2", "2"])
        await #expect(throws: ReportError.badMonth("2026-13")) { try await MonthReport.make(month: "2026-13", studio: nil, from: Reports(phones.hotline)) }
    }

    @Test(arguments: [
        // assigned, in time, outcome, satisfaction
        ([RateFacts(assigned: true, acceptedInTime: true, outcome: .resolved, satisfaction: .satisfied)], Rate(1, of: 1), Rate(1, of: 1), Rate(1, of: 1)),
        ([RateFacts(assigned: false, acceptedInTime: false, outcome: nil, satisfaction: nil)], Rate(0, of: 0), Rate(0, of: 0), Rate(0, of: 0)),
        ([RateFacts(assigned: true, acceptedInTime: false, outcome: .unresolved, satisfaction: .noAnswer),
          RateFacts(assigned: true, acceptedInTime: true, outcome: .transferred, satisfaction: .unsatisfied)], Rate(1, of: 2), Rate(1, of: 2), Rate(0, of: 1)),
    ])
    func rates(facts: [RateFacts], response: Rate, resolution: Rate, satisfaction: Rate) {
        let r = Rates(facts)
        #expect(r.response == response && r.resolution == resolution && r.satisfaction == satisfaction)
    }

    /// The digest: leading topics and areas against last month, masked examples, escalations.
    @Test func theSocialConditionsDigest() async throws {
        let clock = StepClock(Self.iso.date(from: "2026-10-20T02:00:00Z")!)
        let phones = Phones(try makeHotline(clock: clock.wall))
        try await phones.text("+8613700000101", "燕村的路坏了,没人修")                 // October: roads 1
        clock.advance(20 * 86_400)                                                    // 9 November
        try await phones.text("+8613700000102", "燕村的路坏了,电话13912345678,座机029-88886666")
        try await phones.text("+8613700000103", "燕村村口的路全是坑")
        try await phones.text(resident, "小区停水三天了")
        let roadsCase = try await phones.case(2)
        let member = try #require(phones.hotline.settings.deployment.studio(id: "xujiawan")?.person(roadsCase.assigneeId!))
        try await phones.text(member.phone, "接 2")
        try await phones.text(member.phone, "提案 2 建议区里统一修缮,联系人13800000004")
        let d = try await MonthDigest.make(month: "2026-11", studio: "xujiawan", from: Reports(phones.hotline))
        let roads = try #require(d.topics.first)
        #expect(roads.key == TopicCatalog.standard.name(.roads) && roads.cases == 2 && roads.lastMonth == 1 && roads.change == 1, "\(d.topics)")
        #expect(d.areas.first?.key == "燕村" && d.areas.first?.cases == 2)
        let example = try #require(d.examples.first { $0.ref == "xujiawan-2" })
        #expect(!example.text.contains("13912345678") && !example.text.contains("88886666") && example.text.contains("燕村的路坏了"), "\(example.text)")
        #expect(d.escalations.map(\.ref) == ["xujiawan-2"] && d.escalations[0].outcome == .proposal)
        #expect(!d.escalations[0].note.contains("13800000004"))
        #expect(!d.json().contains("13912345678") && !d.text().joined().contains("13800000004"))
        #expect(d.escalationsInAll == 1)
        // A second escalation: a limit (the reports page's) keeps the first received, and says how many in all.
        let third = try await phones.case(3)
        let other = try #require(phones.hotline.settings.deployment.studio(id: "xujiawan")?.person(third.assigneeId!))
        try await phones.text(other.phone, "接 3")
        try await phones.text(other.phone, "社情 3 村口道路情况报区里")
        let all = try await MonthDigest.make(month: "2026-11", studio: "xujiawan", from: Reports(phones.hotline))
        #expect(all.escalations.map(\.ref) == ["xujiawan-2", "xujiawan-3"] && all.escalationsInAll == 2, "\(all.escalations)")
        let first = try await MonthDigest.make(month: "2026-11", studio: "xujiawan", from: Reports(phones.hotline), escalationLimit: 1)
        #expect(first.escalations.map(\.ref) == ["xujiawan-2"] && first.escalationsInAll == 2)
        // Over an account's studios, only theirs (the reports page once gave an account of several
        // studios every studio's digest); nil is every studio.
        try await phones.text("+8613700000109", "新疆路那边的路也坏了,坑很多", to: "10690002")
        let mine = try await MonthDigest.make(month: "2026-11", studios: ["xujiawan"], from: Reports(phones.hotline))
        let every = try await MonthDigest.make(month: "2026-11", studios: nil, from: Reports(phones.hotline))
        #expect(mine.topics.reduce(0) { $0 + $1.cases } == 3 && !mine.json().contains("xinjiang-"), "\(mine.topics)")
        #expect(every.topics.reduce(0) { $0 + $1.cases } == 4, "\(every.topics)")
    }
}
