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
public struct ReportPeriod: Sendable {
    private let calendar: Calendar

    public init(_ zone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        self.calendar = calendar
    }

    public func of(_ date: Date) -> (month: String, week: String) {
        let day = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
        // Weeks start on Monday (weekday 2).
        let back = ((day.weekday ?? 2) + 5) % 7
        let monday = calendar.dateComponents([.year, .month, .day],
                                             from: calendar.date(byAdding: .day, value: -back, to: calendar.startOfDay(for: date)) ?? date)
        return (String(format: "%04d-%02d", day.year ?? 0, day.month ?? 0),
                String(format: "%04d-%02d-%02d", monday.year ?? 0, monday.month ?? 0, monday.day ?? 0))
    }
}
