import Foundation

/// One rule that fired for a message, and the words that made it fire.
public struct RuleMatch: Sendable, Equatable, Codable {
    public var rule: String
    public var intent: Intent?
    public var topic: Topic?
    public var weight: Double
    public var words: [String]
    public var location: String

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
    /// The rules that fired, strongest first.
    public var matches: [RuleMatch]
    /// A ready answer, when a rule that carries one decided the message is a question.
    public var answer: String?

    public init(intent: Intent, topic: Topic, score: Double, matches: [RuleMatch], answer: String? = nil) {
        self.intent = intent
        self.topic = topic
        self.score = score
        self.matches = matches
        self.answer = answer
    }

    /// Nothing matched.
    public static let unclassified = Classification(intent: .unclassified, topic: .other, score: 0, matches: [])
}

/// A rule table compiled for one studio: every keyword in one automaton, regexes compiled once.
public struct Classifier: Sendable {
    private struct Compiled: Sendable {
        var rule: IntentRule
        var any: [Int]
        var all: [Int]
        var none: [Int]
        var patterns: [NSRegularExpressionBox]
    }

    private let rules: [Compiled]
    private let keywords: [String]
    private let automaton: AhoCorasick
    /// For each keyword, the rules that name it in `any` or `all` (the candidates when it matches).
    private let rulesByKeyword: [[Int]]
    /// Rules that can fire without a keyword (regex only): always candidates.
    private let keywordlessRules: [Int]
    private let defaultIntent: Intent

    /// Compiles the rules of `table` in force for `studio`. Throws on a bad regex.
    public init(table: RuleTable, studio: String? = nil) throws(RuleTableError) {
        let selected = table.rules(for: studio)
        var keywordIndex: [String: Int] = [:]
        var keywords: [String] = []
        func index(_ word: String) -> Int? {
            let normal = TextNormalizer.normalize(word)
            guard !normal.isEmpty else { return nil }
            if let i = keywordIndex[normal] { return i }
            keywordIndex[normal] = keywords.count
            keywords.append(normal)
            return keywords.count - 1
        }
        var compiled: [Compiled] = []
        for rule in selected {
            var patterns: [NSRegularExpressionBox] = []
            for pattern in rule.patterns {
                guard let regex = try? NSRegularExpression(pattern: pattern) else {
                    throw RuleTableError(location: rule.location, message: "rule \(rule.id): bad regex \(pattern)")
                }
                patterns.append(NSRegularExpressionBox(regex))
            }
            compiled.append(Compiled(
                rule: rule, any: rule.any.compactMap(index), all: rule.all.compactMap(index),
                none: rule.none.compactMap(index), patterns: patterns))
        }
        var byKeyword = Array(repeating: [Int](), count: keywords.count)
        var keywordless: [Int] = []
        for (r, rule) in compiled.enumerated() {
            let words = Set(rule.any + rule.all)
            if words.isEmpty { keywordless.append(r) }
            for w in words { byKeyword[w].append(r) }
        }
        self.rules = compiled
        self.keywords = keywords
        self.automaton = AhoCorasick(patterns: keywords.map { Array($0.unicodeScalars) })
        self.rulesByKeyword = byKeyword
        self.keywordlessRules = keywordless
        self.defaultIntent = table.defaultIntent
    }

    /// Classifies `text`: normalises, finds every keyword in one pass, scores the rules that fire.
    public func classify(_ text: String) -> Classification {
        let scalars = TextNormalizer.scalars(text)
        var found = Set<Int>()
        automaton.scan(scalars) { found.insert($0) }
        var candidates = Set(keywordlessRules)
        for k in found { candidates.formUnion(rulesByKeyword[k]) }
        guard !candidates.isEmpty else { return .unclassified }

        var normalised: String?
        var fired: [(index: Int, words: [String])] = []
        for r in candidates.sorted() {
            let rule = rules[r]
            if rule.none.contains(where: found.contains) { continue }
            if !rule.all.allSatisfy(found.contains) { continue }
            let anyHit = rule.any.filter(found.contains)
            if !rule.any.isEmpty && anyHit.isEmpty { continue }
            var words = (rule.all + anyHit).map { keywords[$0] }
            if !rule.patterns.isEmpty {
                if normalised == nil {
                    var view = String.UnicodeScalarView()
                    view.append(contentsOf: scalars)
                    normalised = String(view)
                }
                guard let hit = rule.patterns.lazy.compactMap({ $0.firstMatch(in: normalised!) }).first else { continue }
                words.append(hit)
            }
            fired.append((r, words))
        }
        guard !fired.isEmpty else { return .unclassified }
        return decide(fired)
    }

    private func decide(_ fired: [(index: Int, words: [String])]) -> Classification {
        var intentScore: [Intent: (total: Double, best: Double)] = [:]
        var topicScore: [Topic: (total: Double, best: Double)] = [:]
        var matches: [RuleMatch] = []
        var total = 0.0
        for (r, words) in fired {
            let rule = rules[r].rule
            total += rule.weight
            if let intent = rule.intent {
                let s = intentScore[intent] ?? (0, 0)
                intentScore[intent] = (s.total + rule.weight, max(s.best, rule.weight))
            }
            if let topic = rule.topic {
                let s = topicScore[topic] ?? (0, 0)
                topicScore[topic] = (s.total + rule.weight, max(s.best, rule.weight))
            }
            matches.append(RuleMatch(
                rule: rule.id, intent: rule.intent, topic: rule.topic, weight: rule.weight,
                words: words, location: rule.location.description))
        }
        // Ties: higher total, then the stronger single rule, then declaration order of the enum.
        func winner<T: Comparable & Hashable>(_ scores: [T: (total: Double, best: Double)]) -> T? {
            scores.filter { $0.value.total > 0 }.max { a, b in
                if a.value.total != b.value.total { return a.value.total < b.value.total }
                if a.value.best != b.value.best { return a.value.best < b.value.best }
                return a.key > b.key
            }?.key
        }
        let topic = winner(topicScore)
        var intent = winner(intentScore)
        if intent == nil && topic != nil { intent = defaultIntent }
        guard let intent else { return .unclassified }
        matches.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.rule < $1.rule }
        let answer = intent == .question
            ? fired.lazy.map { self.rules[$0.index].rule }.first { $0.answer != nil && ($0.topic == nil || $0.topic == topic) }?.answer
            : nil
        return Classification(intent: intent, topic: topic ?? .other, score: total, matches: matches, answer: answer)
    }
}

/// A rule table that cannot be compiled, with where.
public struct RuleTableError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// NSRegularExpression is thread-safe for matching but not marked Sendable on Linux.
struct NSRegularExpressionBox: @unchecked Sendable {
    let regex: NSRegularExpression

    init(_ regex: NSRegularExpression) { self.regex = regex }

    func firstMatch(in text: String) -> String? {
        let range = NSRange(text.startIndex..., in: text)
        guard let match = regex.firstMatch(in: text, range: range), let r = Range(match.range, in: text) else { return nil }
        return String(text[r])
    }
}
