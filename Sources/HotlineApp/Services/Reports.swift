import Foundation
import HotlineCore
import HotlineStorage

/// A month's follow-through: the three rates (``Rates``) over the cases received that month, overall
/// and by studio, member, area and topic, and the cases overdue now.
public struct MonthReport: Sendable {
    /// One line of a breakdown: what it is about and its rates.
    public struct Line: Sendable, Equatable {
        /// `studio`, `member`, `area`, `topic` (or `all`).
        public var dimension: String
        public var key: String
        public var rates: Rates
    }

    /// `2026-11`.
    public var month: String
    public var studio: String?
    public var lines: [Line]
    /// Open cases whose current deadline has passed, most overdue first.
    public var overdue: [OverdueCase]
    /// Cases per week of the month (its Monday, `2026-11-23`), topic and area: the dashboard's volume charts.
    public var weeks: [WeekCount] = []

    public struct WeekCount: Sendable, Equatable {
        public var week: String
        public var topic: Topic
        public var area: String?
        public var cases: Int
    }

    public var overall: Rates { lines.first { $0.dimension == "all" }!.rates }

    /// The month's cases as each studio's calendar counts them (a case received at 23:30 on the
    /// last day in Shanghai belongs to that month there).
    public static func make(month: String, studio: String?, from reports: Reports) async throws -> MonthReport {
        try await make(month: month, studios: studio.map { [$0] }, from: reports)
    }

    /// The report over some studios (nil: every studio), as the admin API asks for a staff member's
    /// studios, from the tallies kept as cases change: a few hundred rows however many cases.
    /// - Parameter withOverdue: false leaves the overdue list (a property of now, not of the month) empty.
    public static func make(month: String, studios: [String]?, from reports: Reports, withOverdue: Bool = true) async throws -> MonthReport {
        let deployment = reports.deployment
        let ids = try spans(month, studios: studios, deployment: deployment).map(\.studio)
        let sums = try await reports.database.tallyBreakdown(month: month, studios: ids)
        var byMember: [MemberKey: TallyCounts] = [:]
        for (m, counts) in sums.byMember { byMember[MemberKey(studio: m.studio, id: m.assignee)] = counts }
        let byArea = Dictionary(uniqueKeysWithValues: sums.byArea.map { ($0.key.isEmpty ? "-" : $0.key, $0.value) })
        let overdue = withOverdue ? try await reports.database.overdueList(now: reports.clock.now(), studios: studios) : []
        var report = assemble(month: month, studios: studios, deployment: deployment, all: sums.all.rates,
                              byStudio: sums.byStudio.mapValues(\.rates), byMember: byMember.mapValues(\.rates),
                              byArea: byArea.mapValues(\.rates), byTopic: sums.byTopic.mapValues(\.rates), overdue: overdue)
        report.weeks = sums.weeks.map { WeekCount(week: $0.week, topic: Topic(rawValue: $0.topic), area: $0.area.isEmpty ? nil : $0.area, cases: $0.cases) }
            .sorted { ($0.week, $0.topic.rawValue, $0.area ?? "") < ($1.week, $1.topic.rawValue, $1.area ?? "") }
        return report
    }

    /// The same report counted from the cases themselves, one by one: what the tallies are checked
    /// against (tests, `hotline report --recount`). No overdue list.
    public static func counted(month: String, studios: [String]?, from reports: Reports) async throws -> MonthReport {
        let deployment = reports.deployment
        // Narrow rows rather than whole cases, each studio's month by its own calendar, through the (studio_id, created_at) index.
        let facts = try await reports.database.caseFacts(received: try spans(month, studios: studios, deployment: deployment))
        var all = Rates(), byStudio: [String: Rates] = [:], byMember: [MemberKey: Rates] = [:], byArea: [String: Rates] = [:]
        var byTopic: [String: Rates] = [:]
        for c in facts {
            let f = RateFacts(c.progress)
            all.add(f)
            byStudio[c.studioId, default: Rates()].add(f)
            byMember[MemberKey(studio: c.studioId, id: c.assigneeId), default: Rates()].add(f)
            byArea[c.area ?? "-", default: Rates()].add(f)
            byTopic[c.topic.rawValue, default: Rates()].add(f)
        }
        return assemble(month: month, studios: studios, deployment: deployment, all: all, byStudio: byStudio, byMember: byMember,
                        byArea: byArea, byTopic: byTopic, overdue: [])
    }

    /// The report's lines from its groups: overall, then by studio, member (named), area and topic, each sorted.
    static func assemble(month: String, studios: [String]?, deployment: Deployment, all: Rates, byStudio: [String: Rates],
                         byMember: [MemberKey: Rates], byArea: [String: Rates], byTopic: [String: Rates], overdue: [OverdueCase]) -> MonthReport {
        func name(_ key: MemberKey) -> String {
            guard let id = key.id else { return "-" }
            return deployment.studio(id: key.studio)?.person(id).map { "\($0.name)(\(key.studio)/\(id))" } ?? id
        }
        func breakdown(_ dimension: String, _ groups: [String: Rates]) -> [Line] {
            groups.keys.sorted().map { Line(dimension: dimension, key: $0, rates: groups[$0]!) }
        }
        var members: [String: Rates] = [:]
        for (k, r) in byMember { members[name(k)] = members[name(k)].map { $0 + r } ?? r }
        let lines = [Line(dimension: "all", key: "all", rates: all)] + breakdown("studio", byStudio) + breakdown("member", members)
            + breakdown("area", byArea) + breakdown("topic", byTopic)
        return MonthReport(month: month, studio: studios?.count == 1 ? studios?.first : nil, lines: lines, overdue: overdue)
    }

    /// Each studio's `month` as a UTC span by the studio's own calendar (a case received at 23:30
    /// on the last day in Shanghai belongs to that month there); every studio when `studios` is nil.
    public static func spans(_ month: String, studios: [String]?, deployment: Deployment) throws -> [(studio: String, from: Date, to: Date)] {
        guard let (year, number) = parse(month) else { throw ReportError.badMonth(month) }
        for s in studios ?? [] where deployment.studio(id: s) == nil { throw ReportError.unknownStudio(s) }
        return (studios ?? deployment.studios.map(\.id)).map { id in
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = deployment.studio(id: id)?.timeZone ?? TimeZone(identifier: "UTC")!
            let start = calendar.date(from: DateComponents(year: year, month: number, day: 1))!
            return (id, start, calendar.date(byAdding: .month, value: 1, to: start)!)
        }
    }

    /// `2026-11` → (2026, 11).
    static func parse(_ month: String) -> (Int, Int)? {
        let parts = month.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m) else { return nil }
        return (y, m)
    }

    /// CSV as Excel opens it: UTF-8 with a byte-order mark, CRLF line ends, every field quoted.
    public func csv() -> Data {
        var rows = [["dimension", "key", "cases", "response_rate", "responded_in_time", "assigned",
                     "resolution_rate", "resolved", "closed", "satisfaction_rate", "satisfied", "answered"]]
        func pct(_ r: Rate) -> String { r.value.map { String(format: "%.1f", $0 * 100) } ?? "" }
        for l in lines {
            let r = l.rates
            rows.append([l.dimension, SpreadsheetCell.neutralised(l.key), String(r.cases), pct(r.response), String(r.response.numerator), String(r.response.denominator),
                         pct(r.resolution), String(r.resolution.numerator), String(r.resolution.denominator),
                         pct(r.satisfaction), String(r.satisfaction.numerator), String(r.satisfaction.denominator)])
        }
        let text = rows.map { $0.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
        return Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
    }

    /// Readable lines for the terminal.
    public func text() -> [String] {
        var out = ["\(studio.map { "studio \($0), " } ?? "")cases received in \(month): \(overall.cases)",
                   "response rate \(overall.response.description)  resolution rate \(overall.resolution.description)  satisfaction rate \(overall.satisfaction.description)"]
        for dimension in ["studio", "member", "area", "topic"] {
            out.append("by \(dimension):")
            for l in lines where l.dimension == dimension {
                out.append("  \(l.key)\t\(l.rates.cases) cases\tresponse \(l.rates.response.description)\tresolution \(l.rates.resolution.description)\tsatisfaction \(l.rates.satisfaction.description)")
            }
        }
        out.append("overdue now: \(overdue.count)")
        for c in overdue {
            out.append("  \(c.studioId)-\(c.number)\t\(c.assigneeId ?? "-")\t\(c.step.rawValue) due \(Listings.isoString(c.due))\t\(c.topic.rawValue)\t\(c.area ?? "-")")
        }
        return out
    }

    /// JSON: the lines and the overdue cases.
    /// JSON: the lines and the overdue cases (encoded from structs: a busy month's report is
    /// tens of kilobytes, and JSONSerialization of dictionaries cost more than counting it).
    public func json() -> String {
        let data = (try? Self.encoder.encode(JSONReport(self))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    private struct JSONReport: Encodable {
        struct RateJSON: Encodable {
            let r: Rate
            enum CodingKeys: CodingKey { case rate, numerator, denominator }
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(r.value, forKey: .rate)  // null when there is nothing to count
                try c.encode(r.numerator, forKey: .numerator)
                try c.encode(r.denominator, forKey: .denominator)
            }
        }
        struct LineJSON: Encodable {
            let dimension: String, key: String, cases: Int
            let response: RateJSON, resolution: RateJSON, satisfaction: RateJSON
        }
        struct OverdueJSON: Encodable {
            let ref: String, member: String?, step: String, due: String
            enum CodingKeys: CodingKey { case ref, member, step, due }
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(ref, forKey: .ref)
                try c.encode(member, forKey: .member)  // null when nobody holds it
                try c.encode(step, forKey: .step)
                try c.encode(due, forKey: .due)
            }
        }
        let month: String, studio: String?, lines: [LineJSON], overdue: [OverdueJSON]

        init(_ r: MonthReport) {
            month = r.month
            studio = r.studio
            lines = r.lines.map { LineJSON(dimension: $0.dimension, key: $0.key, cases: $0.rates.cases, response: RateJSON(r: $0.rates.response),
                                           resolution: RateJSON(r: $0.rates.resolution), satisfaction: RateJSON(r: $0.rates.satisfaction)) }
            overdue = r.overdue.map { OverdueJSON(ref: "\($0.studioId)-\($0.number)", member: $0.assigneeId, step: $0.step.rawValue, due: Listings.isoString($0.due)) }
        }
    }
}

/// A member's group in a report: studio and roster id (nil: nobody held the case).
struct MemberKey: Hashable {
    var studio: String
    var id: String?
}

/// Why a report cannot be made.
public enum ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    case badMonth(String)
    case unknownStudio(String)

    public var description: String {
        switch self {
        case let .badMonth(m): "'\(m)' is not a month like 2026-11"
        case let .unknownStudio(s): "no studio '\(s)'"
        }
    }
}

/// The monthly social-conditions digest (社情民意): what residents raised most, where, how that
/// moved since last month, a representative message per leading topic (every number masked), and
/// the cases escalated to proposals and social-conditions reports.
public struct MonthDigest: Sendable {
    public struct Count: Sendable, Equatable {
        public var key: String
        public var cases: Int
        public var lastMonth: Int
        public var change: Int { cases - lastMonth }
    }
    public struct Example: Sendable, Equatable {
        public var topic: String
        public var ref: String
        public var text: String
    }
    public struct Escalation: Sendable, Equatable {
        public var ref: String
        public var outcome: CaseOutcome
        public var topic: String
        public var area: String
        public var note: String
    }

    public var month: String
    public var topics: [Count]
    public var areas: [Count]
    public var examples: [Example]
    public var escalations: [Escalation]
    /// How many escalations the month has (more than `escalations` when a limit cut them short).
    public var escalationsInAll: Int

    /// Texts in a digest name no one's number: mobiles however written and every run of seven or
    /// more digits are masked (as in logs), one line each.
    static func masked(_ text: String) -> String { LogText.clean(text) }

    /// From the tallies (the counts of this month and the last) and a few cases read by index (the
    /// examples, the escalations): never the month's every case.
    public static func make(month: String, studio: String?, from reports: Reports, examplesPerTopic: Int = 1, top: Int = 5,
                            escalationLimit: Int = .max) async throws -> MonthDigest {
        try await make(month: month, studios: studio.map { [$0] }, from: reports, examplesPerTopic: examplesPerTopic, top: top,
                       escalationLimit: escalationLimit)
    }

    /// The digest over some studios (nil: every studio), as a staff member's studios are.
    /// - Parameter escalationLimit: at most this many escalations, the first received (the page's list).
    public static func make(month: String, studios: [String]?, from reports: Reports, examplesPerTopic: Int = 1, top: Int = 5,
                            escalationLimit: Int = .max) async throws -> MonthDigest {
        guard let (year, number) = MonthReport.parse(month) else { throw ReportError.badMonth(month) }
        let previous = number == 1 ? String(format: "%04d-12", year - 1) : String(format: "%04d-%02d", year, number - 1)
        let spans = try MonthReport.spans(month, studios: studios, deployment: reports.deployment)
        let this = try await reports.database.tallyBreakdown(month: month, studios: spans.map(\.studio))
        let last = try await reports.database.tallyBreakdown(month: previous, studios: spans.map(\.studio))
        let catalog = reports.rules.topics
        func counts(_ groups: KeyPath<TallyBreakdown, [String: TallyCounts]>, _ key: (String) -> String) -> [Count] {
            var now: [String: Int] = [:], before: [String: Int] = [:]
            for (k, c) in this[keyPath: groups] { now[key(k), default: 0] += c.cases }
            for (k, c) in last[keyPath: groups] { before[key(k), default: 0] += c.cases }
            return now.filter { $0.value > 0 }.map { Count(key: $0.key, cases: $0.value, lastMonth: before[$0.key] ?? 0) }
                .sorted { ($0.cases, $1.key) > ($1.cases, $0.key) }.prefix(top).map { $0 }
        }
        let topics = counts(\.byTopic) { catalog.name(Topic(rawValue: $0)) }
        var examples: [Example] = []
        for t in topics {
            // The topics with this name (a name is one topic's, as the catalog gives them).
            let named = Set(this.byTopic.keys.map(Topic.init(rawValue:)).filter { catalog.name($0) == t.key })
            var found: [CaseRecord] = []
            for topic in named { found += try await reports.database.firstCases(topic: topic, received: spans, limit: examplesPerTopic) }
            for c in found.sorted(by: { ($0.createdAt, $0.id ?? 0) < ($1.createdAt, $1.id ?? 0) }).prefix(examplesPerTopic) {
                examples.append(Example(topic: t.key, ref: "\(c.studioId)-\(c.number)", text: masked(c.text)))
            }
        }
        let escalated = try await reports.database.escalatedCases(received: spans, limit: escalationLimit)
        let escalations = escalated.cases.compactMap { c -> Escalation? in
            guard let o = c.outcome else { return nil }
            return Escalation(ref: "\(c.studioId)-\(c.number)", outcome: o, topic: catalog.name(c.topic), area: c.area ?? "-",
                              note: masked(c.outcomeNote ?? ""))
        }
        return MonthDigest(month: month, topics: topics, areas: counts(\.byArea) { $0.isEmpty ? "未知" : $0 }, examples: examples, escalations: escalations,
                           escalationsInAll: escalated.total)
    }

    /// Readable lines.
    public func text() -> [String] {
        func line(_ c: Count) -> String { "  \(c.key)\t\(c.cases) cases\t\(c.change >= 0 ? "+" : "")\(c.change) since last month" }
        var out = ["社情民意 \(month)", "topics:"] + topics.map(line) + ["areas:"] + areas.map(line) + ["representative messages:"]
        out += examples.map { "  [\($0.topic)] \($0.ref): \($0.text)" }
        out.append("escalations: \(escalations.count)")
        out += escalations.map { "  \($0.ref)\t\($0.outcome.label)\t\($0.topic)\t\($0.area)\t\($0.note)" }
        return out
    }

    public func json() -> String {
        func count(_ c: Count) -> [String: Any] { ["key": c.key, "cases": c.cases, "last_month": c.lastMonth, "change": c.change] }
        return Listings.line([
            "month": month, "topics": topics.map(count), "areas": areas.map(count),
            "examples": examples.map { ["topic": $0.topic, "ref": $0.ref, "text": $0.text] },
            "escalations": escalations.map { ["ref": $0.ref, "outcome": $0.outcome.rawValue, "topic": $0.topic, "area": $0.area, "note": $0.note] },
        ])
    }
}

/// What reports are read from: the storage door's report queries, the deployment's studios and
/// people, the rule book's topic names, the clock (for what is overdue now).
public struct Reports: Sendable {
    let database: AppDatabase, deployment: Deployment, rules: RuleBook, clock: WallClock

    public init(_ parts: HotlineParts) {
        (database, deployment, rules, clock) = (parts.database, parts.settings.deployment, parts.rules, parts.clock)
    }
}
