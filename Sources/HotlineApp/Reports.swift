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
    public var overdue: [CaseRecord]

    public var overall: Rates { lines.first { $0.dimension == "all" }!.rates }

    /// The month's cases as each studio's calendar counts them (a case received at 23:30 on the
    /// last day in Shanghai belongs to that month there).
    public static func make(month: String, studio: String?, hotline: Hotline) async throws -> MonthReport {
        try await make(month: month, studios: studio.map { [$0] }, hotline: hotline)
    }

    /// The report over some studios (nil: every studio), as the admin API asks for a staff member's studios.
    public static func make(month: String, studios: [String]?, hotline: Hotline) async throws -> MonthReport {
        let deployment = hotline.settings.deployment
        let (start, end, year, number) = try bounds(month, studios: studios, deployment: deployment)
        // Narrow rows rather than whole cases: a busy district's month is counted in milliseconds.
        let facts = try await hotline.database.caseFacts(receivedFrom: start, to: end, studios: studios)
            .filter { inMonth($0.createdAt, studio: $0.studioId, year: year, month: number, deployment: deployment) }
        func name(_ c: CaseFacts) -> String {
            guard let id = c.assigneeId else { return "-" }
            return deployment.studio(id: c.studioId)?.person(id).map { "\($0.name)(\(c.studioId)/\(id))" } ?? id
        }
        var lines = [Line(dimension: "all", key: "all", rates: Rates(facts.map { RateFacts($0.progress) }))]
        for (dimension, key) in [("studio", { (c: CaseFacts) in c.studioId }), ("member", name), ("area", { $0.area ?? "-" }),
                                 ("topic", { $0.topic.rawValue })] as [(String, (CaseFacts) -> String)] {
            let groups = Dictionary(grouping: facts, by: key)
            lines += groups.keys.sorted().map { Line(dimension: dimension, key: $0, rates: Rates(groups[$0]!.map { RateFacts($0.progress) })) }
        }
        let overdue = try await hotline.database.overdueCases(now: hotline.clock.now(), studios: studios)
        return MonthReport(month: month, studio: studios?.count == 1 ? studios?.first : nil, lines: lines, overdue: overdue)
    }

    /// The UTC span that holds `month` in every studio's calendar (a day either side covers every
    /// time zone; each case is then placed in its studio's month).
    static func bounds(_ month: String, studios: [String]?, deployment: Deployment) throws -> (Date, Date, Int, Int) {
        guard let (year, number) = parse(month) else { throw ReportError.badMonth(month) }
        for s in studios ?? [] where deployment.studio(id: s) == nil { throw ReportError.unknownStudio(s) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.date(from: DateComponents(year: year, month: number, day: 1))!
        let end = calendar.date(byAdding: .month, value: 1, to: start)!
        return (start.addingTimeInterval(-86_400), end.addingTimeInterval(86_400), year, number)
    }

    /// Whether a case received at `date` falls in the month by its studio's calendar (a case received
    /// at 23:30 on the last day in Shanghai belongs to that month there).
    static func inMonth(_ date: Date, studio: String, year: Int, month: Int, deployment: Deployment) -> Bool {
        var local = Calendar(identifier: .gregorian)
        local.timeZone = deployment.studio(id: studio)?.timeZone ?? TimeZone(identifier: "UTC")!
        let d = local.dateComponents([.year, .month], from: date)
        return d.year == year && d.month == month
    }

    /// The cases received in `month`, each placed by its studio's calendar, oldest first.
    static func cases(month: String, studio: String?, hotline: Hotline) async throws -> [CaseRecord] {
        let deployment = hotline.settings.deployment
        let studios = studio.map { [$0] }
        let (start, end, year, number) = try bounds(month, studios: studios, deployment: deployment)
        return try await hotline.database.cases(receivedFrom: start, to: end, studio: studio)
            .filter { inMonth($0.createdAt, studio: $0.studioId, year: year, month: number, deployment: deployment) }
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
            rows.append([l.dimension, l.key, String(r.cases), pct(r.response), String(r.response.numerator), String(r.response.denominator),
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
            let d = c.progress.currentDeadline!
            out.append("  \(c.studioId)-\(c.number)\t\(c.assigneeId ?? "-")\t\(d.kind.rawValue) due \(Listings.isoString(d.due))\t\(c.topic.rawValue)\t\(c.area ?? "-")")
        }
        return out
    }

    /// JSON: the lines and the overdue cases.
    public func json() -> String {
        func rate(_ r: Rate) -> [String: Any] { ["rate": r.value.map { $0 as Any } ?? NSNull(), "numerator": r.numerator, "denominator": r.denominator] }
        let object: [String: Any?] = [
            "month": month, "studio": studio,
            "lines": lines.map { ["dimension": $0.dimension, "key": $0.key, "cases": $0.rates.cases, "response": rate($0.rates.response),
                                  "resolution": rate($0.rates.resolution), "satisfaction": rate($0.rates.satisfaction)] as [String: Any] },
            "overdue": overdue.map { ["ref": "\($0.studioId)-\($0.number)", "member": $0.assigneeId.map { $0 as Any } ?? NSNull(),
                                      "step": $0.progress.currentDeadline!.kind.rawValue, "due": Listings.isoString($0.progress.currentDeadline!.due)] },
        ]
        return Listings.line(object)
    }
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

    /// Texts in a digest name no one's number: mobiles however written and every run of seven or
    /// more digits are masked (as in logs), one line each.
    static func masked(_ text: String) -> String { LogText.clean(text) }

    public static func make(month: String, studio: String?, hotline: Hotline, examplesPerTopic: Int = 1, top: Int = 5) async throws -> MonthDigest {
        guard let (year, number) = MonthReport.parse(month) else { throw ReportError.badMonth(month) }
        let previous = number == 1 ? String(format: "%04d-12", year - 1) : String(format: "%04d-%02d", year, number - 1)
        let this = try await MonthReport.cases(month: month, studio: studio, hotline: hotline)
        let last = try await MonthReport.cases(month: previous, studio: studio, hotline: hotline)
        func counts(_ key: (CaseRecord) -> String) -> [Count] {
            let now = Dictionary(grouping: this, by: key).mapValues(\.count)
            let before = Dictionary(grouping: last, by: key).mapValues(\.count)
            return now.map { Count(key: $0.key, cases: $0.value, lastMonth: before[$0.key] ?? 0) }
                .sorted { ($0.cases, $1.key) > ($1.cases, $0.key) }.prefix(top).map { $0 }
        }
        let topics = counts { $0.topic.label }
        var examples: [Example] = []
        for t in topics {
            for c in this.filter({ $0.topic.label == t.key }).prefix(examplesPerTopic) {
                examples.append(Example(topic: t.key, ref: "\(c.studioId)-\(c.number)", text: masked(c.text)))
            }
        }
        let escalations = this.compactMap { c -> Escalation? in
            guard let o = c.outcome, o == .proposal || o == .socialReport, c.state == .closed || c.state == .surveyed else { return nil }
            return Escalation(ref: "\(c.studioId)-\(c.number)", outcome: o, topic: c.topic.label, area: c.area ?? "-",
                              note: masked(c.outcomeNote ?? ""))
        }
        return MonthDigest(month: month, topics: topics, areas: counts { $0.area ?? "未知" }, examples: examples, escalations: escalations)
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
