/// One topic of the catalog: its id, names and how urgent it is.
public struct TopicInfo: Sendable, Equatable {
    public var id: Topic
    /// Chinese name, used in texts to residents and members (供水, 道路交通, …).
    public var name: String
    /// English name, for the dashboard's English pages and the API.
    public var englishName: String
    /// Deadlines of their own for urgent topics (water and gas: hours, not days); nil: the studio's.
    public var deadlines: CaseDeadlines?
    /// Where the topic is declared (nil for the built-in catalog).
    public var location: SourceLocation?

    public init(id: Topic, name: String, englishName: String, deadlines: CaseDeadlines? = nil, location: SourceLocation? = nil) {
        self.id = id
        self.name = name
        self.englishName = englishName
        self.deadlines = deadlines
        self.location = location
    }
}

/// The topics a rule table sorts messages into, in declaration order (the order of reports, menus
/// and ties). Loaded with the rule table (`topics:` in `Intents/*.yaml`); ``standard`` when no file
/// declares any.
public struct TopicCatalog: Sendable, Equatable {
    /// The topics in declaration order.
    public let topics: [TopicInfo]
    private let positions: [Topic: Int]

    /// A catalog of `topics` (ids must be unique; the first of a repeated id wins).
    public init(_ topics: [TopicInfo]) {
        var positions: [Topic: Int] = [:]
        var kept: [TopicInfo] = []
        for t in topics where positions[t.id] == nil {
            positions[t.id] = kept.count
            kept.append(t)
        }
        self.topics = kept
        self.positions = positions
    }

    /// The shipped ten, also written out in `Intents/topics.yaml`; water and gas/heating/power are urgent.
    public static let standard = TopicCatalog([
        TopicInfo(id: .water, name: "供水", englishName: "Water supply", deadlines: .urgent),
        TopicInfo(id: .roads, name: "道路交通", englishName: "Roads and transport"),
        TopicInfo(id: .housing, name: "住房物业", englishName: "Housing and property management"),
        TopicInfo(id: .utilities, name: "燃气供暖电力", englishName: "Gas, heating and power", deadlines: .urgent),
        TopicInfo(id: .environment, name: "环境卫生", englishName: "Environment and sanitation"),
        TopicInfo(id: .neighbour, name: "邻里纠纷", englishName: "Neighbour disputes"),
        TopicInfo(id: .social, name: "社保医疗养老", englishName: "Social insurance, health and pensions"),
        TopicInfo(id: .education, name: "教育", englishName: "Education"),
        TopicInfo(id: .employment, name: "就业劳资", englishName: "Jobs and wages"),
        TopicInfo(id: .other, name: "其他", englishName: "Other"),
    ])

    /// The ids in declaration order.
    public var ids: [Topic] { topics.map(\.id) }
    public var count: Int { topics.count }

    /// The position of `topic` in the catalog, nil if it is not in it.
    public func index(of topic: Topic) -> Int? { positions[topic] }
    public func contains(_ topic: Topic) -> Bool { positions[topic] != nil }
    public func info(_ topic: Topic) -> TopicInfo? { positions[topic].map { topics[$0] } }

    /// The Chinese name of `topic`; its id if the catalog no longer has it (an old case).
    public func name(_ topic: Topic) -> String { info(topic)?.name ?? topic.rawValue }
    /// The English name of `topic`; its id if the catalog no longer has it.
    public func englishName(_ topic: Topic) -> String { info(topic)?.englishName ?? topic.rawValue }
    /// The topic's own deadlines, if it is urgent.
    public func deadlines(_ topic: Topic) -> CaseDeadlines? { info(topic)?.deadlines }

    /// "water, roads, …": for error messages that list what is known.
    public var idList: String { ids.map(\.rawValue).joined(separator: ", ") }
}

extension CaseDeadlines {
    /// The shipped deadlines of urgent topics: accept within 4 hours, reply within a day, close within 5.
    public static let urgent = CaseDeadlines(acceptHours: 4, replyDays: 1, closeDays: 5)
}
