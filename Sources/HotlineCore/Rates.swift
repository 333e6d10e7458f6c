import Foundation

/// One rate with its counts: `numerator` of `denominator` (nil value when there is nothing to count).
public struct Rate: Sendable, Equatable, Codable {
    public var numerator: Int
    public var denominator: Int

    public init(_ numerator: Int, of denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// 0…1, or nil with nothing to count.
    public var value: Double? { denominator == 0 ? nil : Double(numerator) / Double(denominator) }

    /// `92.3% (12/13)` or `- (0/0)`.
    public var description: String {
        (value.map { String(format: "%.1f%%", $0 * 100) } ?? "-") + " (\(numerator)/\(denominator))"
    }
}

/// What the three rates need to know of one case.
public struct RateFacts: Sendable, Equatable {
    /// Given to someone (a member or a liaison): it had an accept deadline to meet.
    public var assigned: Bool
    /// Accepted, and no later than its accept deadline.
    public var acceptedInTime: Bool
    /// Closed, with this outcome (nil: not closed).
    public var outcome: CaseOutcome?
    /// The resident's answer to the satisfaction question (nil: not asked or not yet answered).
    public var satisfaction: Satisfaction?

    public init(assigned: Bool, acceptedInTime: Bool, outcome: CaseOutcome?, satisfaction: Satisfaction?) {
        self.assigned = assigned
        self.acceptedInTime = acceptedInTime
        self.outcome = outcome
        self.satisfaction = satisfaction
    }

    /// The facts of a case as it stands: assigned when someone holds it (a question answered at
    /// once from the rule table never was); closed when it is closed or surveyed (a reopened case
    /// counts again when it closes again).
    public init(_ p: CaseProgress) {
        var inTime = false
        if let accepted = p.acceptedAt { inTime = p.acceptDue.map { accepted <= $0 } ?? true }
        let closed = p.state == .closed || p.state == .surveyed
        self.init(assigned: p.assignee != nil && p.state != .answered, acceptedInTime: inTime,
                  outcome: closed ? p.outcome : nil, satisfaction: p.satisfaction)
    }
}

/// The three rates districts rank hotlines by (响应率, 解决率, 满意率), defined here and nowhere else:
/// - **response rate**: cases accepted within their accept deadline / cases assigned;
/// - **resolution rate**: cases closed with an outcome other than `unresolved` / cases closed;
/// - **satisfaction rate**: satisfied + basically satisfied / satisfaction answers given (no answer
///   is not counted).
public struct Rates: Sendable, Equatable, Codable {
    public var response: Rate
    public var resolution: Rate
    public var satisfaction: Rate
    /// How many cases they were computed over.
    public var cases: Int

    public init(_ facts: some Sequence<RateFacts>) {
        self.init()
        for f in facts { add(f) }
    }

    /// Nothing counted yet.
    public init() {
        response = Rate(0, of: 0)
        resolution = Rate(0, of: 0)
        satisfaction = Rate(0, of: 0)
        cases = 0
    }

    /// Counts one more case.
    public mutating func add(_ f: RateFacts) {
        cases += 1
        if f.assigned {
            response.denominator += 1
            if f.acceptedInTime { response.numerator += 1 }
        }
        if let outcome = f.outcome {
            resolution.denominator += 1
            if outcome != .unresolved { resolution.numerator += 1 }
        }
        switch f.satisfaction {
        case .satisfied?, .basicallySatisfied?: satisfaction.denominator += 1; satisfaction.numerator += 1
        case .unsatisfied?: satisfaction.denominator += 1
        case .noAnswer?, nil: break
        }
    }

    /// Two counts together (a breakdown's groups summed).
    public static func + (a: Rates, b: Rates) -> Rates {
        var r = a
        r.cases += b.cases
        r.response = Rate(a.response.numerator + b.response.numerator, of: a.response.denominator + b.response.denominator)
        r.resolution = Rate(a.resolution.numerator + b.resolution.numerator, of: a.resolution.denominator + b.resolution.denominator)
        r.satisfaction = Rate(a.satisfaction.numerator + b.satisfaction.numerator, of: a.satisfaction.denominator + b.satisfaction.denominator)
        return r
    }
}
