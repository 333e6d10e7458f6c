/// What a message is: a complaint (投诉/诉求) or a question (咨询), or nothing the rule table recognised.
public enum Intent: String, Sendable, Codable, CaseIterable, Comparable {
    case complaint
    case question
    /// No rule matched: routed to a liaison, never guessed.
    case unclassified

    /// Chinese label for texts: 诉求, 咨询, 来信 (not classified).
    public var label: String {
        switch self {
        case .complaint: "诉求"
        case .question: "咨询"
        case .unclassified: "来信"
        }
    }

    /// `allCases`, stored once (`allCases` builds a new array on each call).
    public static let ordered = allCases

    public static func < (lhs: Intent, rhs: Intent) -> Bool {
        ordered.firstIndex(of: lhs)! < ordered.firstIndex(of: rhs)!
    }
}

/// What a case is about (类别); decides who is best placed to handle it.
public enum Topic: String, Sendable, Codable, CaseIterable, Comparable {
    case water, roads, housing, utilities, environment, neighbour, social, education, employment, other

    /// Chinese label for texts.
    public var label: String {
        switch self {
        case .water: "供水"
        case .roads: "道路交通"
        case .housing: "住房物业"
        case .utilities: "燃气供暖电力"
        case .environment: "环境卫生"
        case .neighbour: "邻里纠纷"
        case .social: "社保医疗养老"
        case .education: "教育"
        case .employment: "就业劳资"
        case .other: "其他"
        }
    }

    /// `allCases`, stored once (`allCases` builds a new array on each call).
    public static let ordered = allCases

    public static func < (lhs: Topic, rhs: Topic) -> Bool {
        ordered.firstIndex(of: lhs)! < ordered.firstIndex(of: rhs)!
    }
}
