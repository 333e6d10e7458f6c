/// Where a case is in its life (issue: received → assigned → accepted → replied → closed → surveyed, plus reopened).
public enum CaseState: String, Sendable, Codable, CaseIterable {
    case received, assigned, accepted, replied, closed, surveyed, reopened
    /// A known question answered at once from the rule table.
    case answered

    /// Whether the case still waits for someone's work (counts towards a member's queue).
    public var isOpen: Bool {
        switch self {
        case .received, .assigned, .accepted, .replied, .reopened: true
        case .closed, .surveyed, .answered: false
        }
    }

    /// States that count as open, for queries.
    public static var openStates: [CaseState] { allCases.filter(\.isOpen) }
}

/// How the resident's area was known for a case.
public enum AreaSource: String, Sendable, Codable {
    /// Listed among the studio's known residents in config.
    case config
    /// Named in the message text.
    case text
    /// Registered earlier by the resident (登记 …).
    case registered
}

/// Who gets an outbound text, so that the outbox can prioritise and reports can count.
public enum OutboundKind: String, Sendable, Codable {
    case acknowledgement
    case answer
    case memberNotice = "member-notice"
    case registration
    case broadcast

    /// Lower is sent first: case traffic ahead of broadcasts.
    public var priority: Int { self == .broadcast ? 10 : 0 }
}

/// A text the service decided to send.
public struct OutboundText: Sendable, Equatable {
    public var to: String
    public var text: String
    public var kind: OutboundKind

    public init(to: String, text: String, kind: OutboundKind) {
        self.to = to
        self.text = text
        self.kind = kind
    }
}
