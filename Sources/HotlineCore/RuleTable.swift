import Foundation

/// Where a rule or an error comes from: file and line.
public struct SourceLocation: Sendable, Equatable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// An example text a rule carries, with the result it must give (checked by `hotline check`).
public struct RuleExample: Sendable, Equatable {
    public var text: String
    public var intent: Intent?
    public var topic: Topic?
    public var location: SourceLocation

    public init(text: String, intent: Intent?, topic: Topic?, location: SourceLocation) {
        self.text = text
        self.intent = intent
        self.topic = topic
        self.location = location
    }
}

/// One rule of the table (`Intents/*.yaml`): when it fires it adds its weight to an intent and/or a topic.
///
/// It fires when the text contains any of `any` (if given), all of `all` (if given), matches one of
/// `patterns` (if given), and contains none of `none`.
public struct IntentRule: Sendable, Equatable {
    public var id: String
    public var intent: Intent?
    public var topic: Topic?
    public var any: [String]
    public var all: [String]
    public var none: [String]
    /// Regular expressions matched against the normalised text.
    public var patterns: [String]
    public var weight: Double
    /// Only for this studio (nil: every studio). A studio rule with the id of a shared rule replaces it there.
    public var studio: String?
    /// A reply that answers a question outright.
    public var answer: String?
    public var examples: [RuleExample]
    public var location: SourceLocation

    public init(
        id: String, intent: Intent? = nil, topic: Topic? = nil, any: [String] = [], all: [String] = [],
        none: [String] = [], patterns: [String] = [], weight: Double = 1, studio: String? = nil,
        answer: String? = nil, examples: [RuleExample] = [], location: SourceLocation = .init(file: "<memory>", line: 0)
    ) {
        self.id = id
        self.intent = intent
        self.topic = topic
        self.any = any
        self.all = all
        self.none = none
        self.patterns = patterns
        self.weight = weight
        self.studio = studio
        self.answer = answer
        self.examples = examples
        self.location = location
    }
}

/// The whole rule table as loaded from `Intents/`.
public struct RuleTable: Sendable, Equatable {
    public var rules: [IntentRule]
    /// The intent given to a message that names a topic but has no intent cue.
    public var defaultIntent: Intent
    /// The topics rules may name (``TopicCatalog/standard`` unless the files declare their own).
    public var topics: TopicCatalog

    public init(rules: [IntentRule], defaultIntent: Intent = .complaint, topics: TopicCatalog = .standard) {
        self.rules = rules
        self.defaultIntent = defaultIntent
        self.topics = topics
    }

    /// The rules in force for `studio`: shared rules, with the studio's own replacing those of the same id.
    public func rules(for studio: String?) -> [IntentRule] {
        let own = rules.filter { $0.studio != nil && $0.studio == studio }
        let replaced = Set(own.map(\.id))
        return rules.filter { $0.studio == nil && !replaced.contains($0.id) } + own
    }
}
