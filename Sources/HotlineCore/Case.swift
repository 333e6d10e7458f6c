/// Where a case is in its life (issue: received → assigned → accepted → replied → closed → surveyed, plus reopened).
public enum CaseState: String, Sendable, Codable, CaseIterable {
    case received, assigned, accepted, replied, closed, surveyed, reopened
    /// Transferred to a government department (转办): still open, the member chases it (督办)
    /// until they record the department's answer.
    case withDepartment = "with-department"
    /// A known question answered at once from the rule table.
    case answered

    /// Whether the case still waits for someone's work (counts towards a member's queue).
    public var isOpen: Bool {
        switch self {
        case .received, .assigned, .accepted, .replied, .reopened, .withDepartment: true
        case .closed, .surveyed, .answered: false
        }
    }

    /// States that count as open, for queries.
    public static var openStates: [CaseState] { allCases.filter(\.isOpen) }

    /// 已受理, 已办结, … for texts.
    public var label: String {
        switch self {
        case .received: "已收到,待分配"
        case .assigned: "已分配,待受理"
        case .accepted: "已受理,办理中"
        case .replied: "已答复,办理中"
        case .closed: "已办结"
        case .surveyed: "已办结并回访"
        case .reopened: "重新办理中"
        case .withDepartment: "已转部门办理中"
        case .answered: "已答复"
        }
    }
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
    /// A member's reply, passed on to the resident.
    case memberReply = "member-reply"
    /// News of the case to the resident: accepted, closed, status.
    case caseUpdate = "case-update"
    case survey
    /// The service's answer to a member's command.
    case commandReply = "command-reply"
    /// Reminders and escalations from the deadline service.
    case reminder
    case broadcast
    /// The confirmation of 退订 / 订阅.
    case subscription
    /// The confirmation of an answer to a notice (回执).
    case rsvp
    /// The receipt for a member's or liaison's free text passed on to the liaisons (counted
    /// against ``SenderLimits/rosterMaxForwards``).
    case forwardReceipt = "forward-receipt"

    /// Lower is sent first: case traffic ahead of broadcasts.
    public var priority: Int { self == .broadcast ? 10 : 0 }
}

/// A text the service decided to send.
public struct OutboundText: Sendable, Equatable {
    public var to: String
    public var text: String
    public var kind: OutboundKind
    /// The reply template the text was rendered from (`ack.complaint`), and the values it was
    /// filled with: what a channel that sends only templates approved in advance (template SMS, a
    /// WeChat template message) makes its own parameters from. Nil for a text no template made.
    public var template: String?
    public var values: [String: String]

    public init(to: String, text: String, kind: OutboundKind, template: String? = nil, values: [String: String] = [:]) {
        self.to = to
        self.text = text
        self.kind = kind
        self.template = template
        self.values = values
    }
}

extension OutboundText {
    /// The same text to `phone` (one text of a broadcast to each of its audience).
    public func addressed(to phone: String) -> OutboundText {
        var copy = self
        copy.to = phone
        return copy
    }
}

extension ReplyTemplates {
    /// The text of template `name` filled with `values` (in Traditional script if asked), keeping
    /// the name and the values for channels that send templates of their own.
    public func outbound(to: String, _ name: String, _ values: [String: String], kind: OutboundKind, traditional: Bool = false) -> OutboundText {
        let text = render(name, values)
        return OutboundText(to: to, text: traditional ? TextNormalizer.toTraditional(text) : text, kind: kind, template: name, values: values)
    }
}
