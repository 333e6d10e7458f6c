import Foundation

/// What the reports count of cases: kept per studio, month, week, member, area and topic as cases
/// change (storage's `case_tallies`), so that a month's report and a year's trend read a few
/// hundred rows rather than every case. ``rates`` gives the same ``Rates`` as counting the cases.
public struct TallyCounts: Sendable, Equatable {
    public var cases = 0
    /// Given to someone: the response rate's denominator.
    public var assigned = 0
    /// Assigned and accepted within the deadline: its numerator.
    public var acceptedInTime = 0
    /// Closed: the resolution rate's denominator.
    public var closed = 0
    /// Closed with an outcome other than unresolved: its numerator.
    public var resolved = 0
    /// Answered the satisfaction question (not "no answer"): the satisfaction rate's denominator.
    public var answered = 0
    /// Satisfied or basically satisfied: its numerator.
    public var satisfied = 0

    public init() {}

    /// One case's counts.
    public init(_ f: RateFacts) {
        cases = 1
        if f.assigned { assigned = 1; if f.acceptedInTime { acceptedInTime = 1 } }
        if let outcome = f.outcome { closed = 1; if outcome != .unresolved { resolved = 1 } }
        switch f.satisfaction {
        case .satisfied?, .basicallySatisfied?: (answered, satisfied) = (1, 1)
        case .unsatisfied?: answered = 1
        case .noAnswer?, nil: break
        }
    }

    public init(cases: Int, assigned: Int, acceptedInTime: Int, closed: Int, resolved: Int, answered: Int, satisfied: Int) {
        (self.cases, self.assigned, self.acceptedInTime, self.closed) = (cases, assigned, acceptedInTime, closed)
        (self.resolved, self.answered, self.satisfied) = (resolved, answered, satisfied)
    }

    /// The columns in the order ``values`` gives them.
    public static let columns = ["cases", "assigned", "accepted_in_time", "closed", "resolved", "answered", "satisfied"]
    public var values: [Int] { [cases, assigned, acceptedInTime, closed, resolved, answered, satisfied] }

    public static func + (a: TallyCounts, b: TallyCounts) -> TallyCounts {
        TallyCounts(cases: a.cases + b.cases, assigned: a.assigned + b.assigned, acceptedInTime: a.acceptedInTime + b.acceptedInTime,
                    closed: a.closed + b.closed, resolved: a.resolved + b.resolved, answered: a.answered + b.answered, satisfied: a.satisfied + b.satisfied)
    }

    /// The three rates over what was counted.
    public var rates: Rates {
        var r = Rates()
        r.cases = cases
        r.response = Rate(acceptedInTime, of: assigned)
        r.resolution = Rate(resolved, of: closed)
        r.satisfaction = Rate(satisfied, of: answered)
        return r
    }
}

/// The month (`2026-11`) and week (its Monday, `2026-11-23`) a moment falls in on a studio's calendar.
/// Computed from the zone's offset at that moment with integer arithmetic (``CivilTime``;
/// Foundation's Calendar cost intake tens of microseconds a case).
public struct ReportPeriod: Sendable {
    private let zone: TimeZone

    public init(_ zone: TimeZone) { self.zone = zone }

    public func of(_ date: Date) -> (month: String, week: String) {
        let local = Int((date.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: date))).rounded(.down))
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        // 1970-01-01 was a Thursday: days since a Monday are (day + 3) mod 7.
        let monday = day - ((day % 7 + 7 + 3) % 7)
        let date = CivilTime(milliseconds: Int64(day) * 86_400_000), start = CivilTime(milliseconds: Int64(monday) * 86_400_000)
        return (Self.pad(Int(date.year), 4) + "-" + Self.pad(Int(date.month), 2),
                Self.pad(Int(start.year), 4) + "-" + Self.pad(Int(start.month), 2) + "-" + Self.pad(Int(start.day), 2))
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
