import Foundation

/// One rule that fired for a message, and the words that made it fire.
public struct RuleMatch: Sendable, Equatable, Codable {
    public var rule: String
    public var intent: Intent?
    public var topic: Topic?
    public var weight: Double
    public var words: [String]
    public var location: String
    /// The rule's words appear in the message's title-like opening, so it counted twice for its topic.
    public var opening: Bool?

    public init(rule: String, intent: Intent?, topic: Topic?, weight: Double, words: [String], location: String) {
        self.rule = rule
        self.intent = intent
        self.topic = topic
        self.weight = weight
        self.words = words
        self.location = location
    }
}

/// The classifier's answer, with its explanation.
public struct Classification: Sendable, Equatable, Codable {
    public var intent: Intent
    public var topic: Topic
    /// Sum of the weights of the rules that fired.
    public var score: Double
    /// A ready answer, when a rule that carries one decided the message is a question.
    public var answer: String?
    /// The explanation as given, or nil while it is still to be built from `explanation`.
    private var given: [RuleMatch]?
    private var explanation: Explanation?

    /// The rules that fired, strongest first, with their words (built on first read).
    public var matches: [RuleMatch] {
        get { given ?? explanation?.matches ?? [] }
        set {
            given = newValue
            explanation = nil
        }
    }

    public init(intent: Intent, topic: Topic, score: Double, matches: [RuleMatch], answer: String? = nil) {
        self.intent = intent
        self.topic = topic
        self.score = score
        self.answer = answer
        self.given = matches
    }

    init(intent: Intent, topic: Topic, score: Double, explanation: Explanation, answer: String?) {
        self.intent = intent
        self.topic = topic
        self.score = score
        self.answer = answer
        self.explanation = explanation
    }

    /// The explanation still to be built, if the matches were not given or set.
    var lazyExplanation: Explanation? { given == nil ? explanation : nil }

    /// Nothing matched.
    public static let unclassified = Classification(intent: .unclassified, topic: .other, score: 0, matches: [])

    enum CodingKeys: String, CodingKey { case intent, topic, score, matches, answer }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(intent: try c.decode(Intent.self, forKey: .intent), topic: try c.decode(Topic.self, forKey: .topic),
                  score: try c.decode(Double.self, forKey: .score), matches: try c.decode([RuleMatch].self, forKey: .matches),
                  answer: try c.decodeIfPresent(String.self, forKey: .answer))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(intent, forKey: .intent)
        try c.encode(topic, forKey: .topic)
        try c.encode(score, forKey: .score)
        try c.encode(matches, forKey: .matches)
        try c.encodeIfPresent(answer, forKey: .answer)
    }

    public static func == (a: Classification, b: Classification) -> Bool {
        a.intent == b.intent && a.topic == b.topic && a.score == b.score && a.answer == b.answer && a.matches == b.matches
    }
}
