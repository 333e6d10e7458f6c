import Foundation
import Testing
@testable import HotlineCore

@Suite struct RoutingTests {
    struct Row: Sendable, CustomStringConvertible {
        var name: String
        var area: String?
        var intent: Intent = .complaint
        var topic: Topic
        var now: Date
        var open: [String: Int] = [:]
        var unavailable: Set<String> = []
        var assignee: String
        var reason: RoutingReason
        var description: String { name }
    }

    static let rows: [Row] = [
        Row(name: "linked member whose sector fits", area: "龙湖社区", topic: .housing, now: thursday, assignee: "M3", reason: .linkedSectorFit),
        Row(name: "other linked member fits education", area: "龙湖社区", topic: .education, now: thursday, assignee: "M6", reason: .linkedSectorFit),
        Row(name: "linked but no sector fits: least loaded linked", area: "龙湖社区", topic: .water, now: thursday,
            open: ["M3": 2, "M6": 1], assignee: "M6", reason: .linkedArea),
        Row(name: "two fitting: fewest open cases", area: "徐家湾社区", topic: .neighbour, now: thursday, assignee: "M2", reason: .linkedSectorFit),
        Row(name: "no area, Wednesday: on duty, fewest open", area: nil, topic: .water, now: wednesday,
            open: ["M1": 3, "M2": 1], assignee: "M2", reason: .duty),
        Row(name: "no area, Thursday: a liaison", area: nil, topic: .water, now: thursday, open: ["L1": 1], assignee: "L2", reason: .liaison),
        Row(name: "unclassified goes to a liaison even on duty day", area: "龙湖社区", intent: .unclassified, topic: .other,
            now: wednesday, assignee: "L1", reason: .liaison),
        Row(name: "unavailable member skipped", area: "龙湖社区", topic: .housing, now: thursday, unavailable: ["M3"],
            assignee: "M6", reason: .linkedArea),
    ]

    @Test(arguments: rows)
    func routes(row: Row) throws {
        let decision = try #require(Routing.route(
            studio: Demo.studio, sectors: Demo.sectors, area: row.area, intent: row.intent, topic: row.topic,
            openCases: row.open, unavailable: row.unavailable, now: row.now))
        #expect(decision.assignee == row.assignee)
        #expect(decision.reason == row.reason)
        #expect(!decision.explanation.isEmpty)
    }

    @Test func weekdayIsTakenInTheStudioTimeZone() {
        // 2026-11-25T17:00Z is already Thursday 01:00 in Shanghai.
        let lateWednesdayUTC = ISO8601DateFormatter().date(from: "2026-11-25T17:00:00Z")!
        #expect(Weekday.of(lateWednesdayUTC, in: Demo.studio.timeZone) == .thursday)
        #expect(Weekday.of(wednesday, in: Demo.studio.timeZone) == .wednesday)
    }

    /// The weekday is computed from the zone's offset; it must be what a Gregorian calendar says,
    /// before 1970 too, west of Greenwich, at half-hour offsets and across DST changes.
    @Test(arguments: ["Asia/Shanghai", "UTC", "America/New_York", "America/St_Johns", "Pacific/Kiritimati", "Asia/Kolkata"])
    func weekdayAgreesWithTheCalendar(zone: String) throws {
        let timeZone = try #require(TimeZone(identifier: zone))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        // Every 7 hours and 13 minutes from 1969-12-20 for about two years, and around 2026's DST ends.
        let starts = [Date(timeIntervalSince1970: -1_036_800), ISO8601DateFormatter().date(from: "2026-10-20T00:00:00Z")!]
        for start in starts {
            for step in 0..<2_500 {
                let date = start.addingTimeInterval(Double(step) * (7 * 3_600 + 13 * 60))
                #expect(Weekday.of(date, in: timeZone).rawValue == calendar.component(.weekday, from: date), "\(date) in \(zone)")
            }
        }
    }

    @Test(arguments: [
        ("龍湖那边停水", "龙湖社区"), ("我住龙湖小区", "龙湖社区"), ("譚家莊的路", "谭家庄村"), ("燕村村口", "燕村"), ("没有地名", nil),
    ] as [(String, String?)])
    func findsAreasByNameOrAlias(text: String, area: String?) {
        #expect(AreaFinder(areas: Demo.studio.areas).find(in: text) == area)
    }
}

@Suite struct IntakeTests {
    static let classifier = try! Classifier(table: RuleTable(rules: [
        IntentRule(id: "water", topic: .water, any: ["停水"]),
        IntentRule(id: "roads", topic: .roads, any: ["路"]),
    ]))
    static let areas = AreaFinder(areas: Demo.studio.areas)

    static func context(registered: String? = nil, now: Date = thursday) -> IntakeContext {
        IntakeContext(studio: Demo.studio, sectors: Demo.sectors, registeredArea: registered, openCases: [:], nextCaseNumber: 5, now: now)
    }

    @Test(arguments: [
        ("登记 龙湖社区", "龙湖社区"), ("登記龍湖", "龙湖社区"), ("AREA 燕村", "燕村"), ("area 谭家庄", "谭家庄村"), ("登记 火星", nil),
    ] as [(String, String?)])
    func registration(text: String, area: String?) {
        guard case let .registration(_, found) = Intake.interpret(text, classifier: Self.classifier, areas: Self.areas) else {
            Issue.record("not a registration")
            return
        }
        #expect(found == area)
        guard case let .registration(planned, reply) = Intake.plan(.registration(name: "x", area: found), text: text,
                                                                     resident: "+8613700000009", context: Self.context()) else { return }
        #expect(planned == area)
        // A resident who writes Traditional gets the answer in Traditional.
        let expected = area ?? "可登记的社区/村"
        #expect(reply.text.contains(TextNormalizer.looksTraditional(text) ? TextNormalizer.toTraditional(expected) : expected))
    }

    @Test func areasGivesNoRegistrationToOrdinaryText() {
        #expect(Intake.registrationName("areas are nice") == nil)
        #expect(Intake.registrationName("登记") == nil)
    }

    /// Area precedence: known resident (config) > named in the text > registered earlier.
    @Test(arguments: [
        ("+8613700000001", "谭家庄的路坏了", nil, "龙湖社区", AreaSource.config),
        ("+8613700000009", "谭家庄的路坏了", "燕村", "谭家庄村", AreaSource.text),
        ("+8613700000009", "路坏了", "燕村", "燕村", AreaSource.registered),
    ] as [(String, String, String?, String, AreaSource)])
    func areaPrecedence(resident: String, text: String, registered: String?, area: String, source: AreaSource) {
        let interpretation = Intake.interpret(text, classifier: Self.classifier, areas: Self.areas)
        guard case let .newCase(plan) = Intake.plan(interpretation, text: text, resident: resident, context: Self.context(registered: registered)) else {
            Issue.record("expected a case")
            return
        }
        #expect(plan.area == area)
        #expect(plan.areaSource == source)
    }

    @Test func acknowledgementNamesTheMemberButNotTheirPhoneAndNoticeMasksTheResident() {
        let text = "龙湖停水了"
        let interpretation = Intake.interpret(text, classifier: Self.classifier, areas: Self.areas)
        guard case let .newCase(plan) = Intake.plan(interpretation, text: text, resident: "+8613700000009", context: Self.context()) else {
            Issue.record("expected a case")
            return
        }
        #expect(plan.number == 5)
        #expect(plan.state == .assigned)
        #expect(plan.replies.count == 2)
        let ack = plan.replies[0]
        let notice = plan.replies[1]
        #expect(ack.to == "+8613700000009" && ack.kind == .acknowledgement)
        #expect(ack.text.contains("编号5") && ack.text.contains("王委员") && !ack.text.contains("13800000003"))
        #expect(notice.to == "+8613800000003" && notice.kind == .memberNotice)
        #expect(notice.text.contains("+86137****0009") && !notice.text.contains("13700000009"))
        #expect(notice.text.contains(text) && notice.text.contains("接 5"))
    }
}
