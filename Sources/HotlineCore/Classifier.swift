import Foundation

/// A rule table compiled for one studio: every keyword in one automaton, regexes compiled once.
public final class Classifier: Sendable {
    /// A rule ready for matching: keyword indices instead of words. A class, so that the hot loop
    /// touches one reference per rule rather than copying every field.
    private final class Compiled: Sendable {
        let id: String
        let intent: Intent?
        let topic: Topic?
        let weight: Double
        let answer: String?
        let any: [Int]
        let all: [Int]
        let none: [Int]
        let patterns: [NSRegularExpressionBox]
        let intentIndex: Int?
        let topicIndex: Int?
        let location: String

        init(_ rule: IntentRule, topicIndex: Int?, any: [Int], all: [Int], none: [Int], patterns: [NSRegularExpressionBox]) {
            id = rule.id
            intent = rule.intent
            topic = rule.topic
            weight = rule.weight
            answer = rule.answer
            self.any = any
            self.all = all
            self.none = none
            self.patterns = patterns
            intentIndex = rule.intent.flatMap { Intent.ordered.firstIndex(of: $0) }
            self.topicIndex = topicIndex
            location = rule.location.description
        }
    }

    private let rules: [Compiled]
    private let keywords: [String]
    private let automaton: AhoCorasick
    /// Where rules name each keyword (rule, role, keyword packed by ``Posting``): keyword k's
    /// postings are `postings[postingStart[k]..<postingStart[k+1]]`. Flat, so the hot loop retains nothing.
    private let postings: [UInt64]
    private let postingStart: [Int32]
    /// Per rule, flat for the hot loop: needs an `any` word, how many `all` words, has regexes.
    private let needsAny: [Bool]
    private let allCount: [Int32]
    private let hasPatterns: [Bool]
    private let weights: [Double]
    private let intentIndex: [Int?]
    private let topicIndex: [Int?]
    /// Rules that can fire without a keyword (regex only): always candidates.
    private let keywordlessRules: [Int]
    private let defaultIntent: Intent
    /// The topics scored, in catalog order (ties go to the earlier).
    public let topics: TopicCatalog
    /// Each rule's position when sorted strongest first, then by id: the order of explanations.
    private let rank: [Int32]
    /// Each rule's JSON keys before and after `opening`, and each keyword as a JSON string, written
    /// once so that batch output and intake copy bytes instead of building ``RuleMatch`` values.
    private let jsonHead: [[UInt8]]
    private let jsonTail: [[UInt8]]
    private let keywordJSON: [[UInt8]]

    /// Compiles the rules of `table` in force for `studio`. Throws on a bad regex or a topic the
    /// table's catalog does not have.
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
            var topicIndex: Int?
            if let topic = rule.topic {
                guard let i = table.topics.index(of: topic) else {
                    throw RuleTableError(location: rule.location, message: "rule \(rule.id): unknown topic '\(topic)' (known: \(table.topics.idList))")
                }
                topicIndex = i
            }
            func unique(_ words: [String]) -> [Int] { Array(Set(words.compactMap(index))).sorted() }
            compiled.append(Compiled(rule, topicIndex: topicIndex, any: unique(rule.any), all: unique(rule.all), none: unique(rule.none), patterns: patterns))
        }
        var byKeyword = Array(repeating: [UInt64](), count: keywords.count)
        var keywordless: [Int] = []
        for (r, rule) in compiled.enumerated() {
            if rule.any.isEmpty && rule.all.isEmpty { keywordless.append(r) }
            for (role, list) in [(Posting.any, rule.any), (.all, rule.all), (.none, rule.none)] {
                for k in list { byKeyword[k].append(Posting.make(rule: r, role: role, keyword: k)) }
            }
        }
        var rank = Array(repeating: Int32(0), count: compiled.count)
        let byStrength = compiled.indices.sorted { a, b in
            compiled[a].weight != compiled[b].weight ? compiled[a].weight > compiled[b].weight : compiled[a].id < compiled[b].id
        }
        for (position, r) in byStrength.enumerated() { rank[r] = Int32(position) }
        self.rank = rank
        self.rules = compiled
        self.keywords = keywords
        self.automaton = AhoCorasick(patterns: keywords.map { Array($0.unicodeScalars) })
        self.postingStart = byKeyword.reduce(into: [Int32(0)]) { $0.append($0.last! + Int32($1.count)) }
        self.postings = byKeyword.flatMap { $0 }
        self.needsAny = compiled.map { !$0.any.isEmpty }
        self.allCount = compiled.map { Int32($0.all.count) }
        self.hasPatterns = compiled.map { !$0.patterns.isEmpty }
        self.weights = compiled.map(\.weight)
        self.intentIndex = compiled.map(\.intentIndex)
        self.topicIndex = compiled.map(\.topicIndex)
        self.keywordlessRules = keywordless
        self.defaultIntent = table.defaultIntent
        self.topics = table.topics
        func json(_ write: (inout JSONText) -> Void) -> [UInt8] {
            var out = JSONText(capacity: 64)
            write(&out)
            return out.bytes
        }
        jsonHead = compiled.map { rule in json { Classification.writeHead(&$0, intent: rule.intent, location: rule.location) } }
        jsonTail = compiled.map { rule in json { Classification.writeTail(&$0, rule: rule.id, topic: rule.topic, weight: rule.weight) } }
        keywordJSON = keywords.map { word in json { $0.string(word) } }
    }

    /// Classifies `text`: normalises, finds every keyword in one pass, scores the rules that fire.
    public func classify(_ text: String) -> Classification {
        classify(normalized: TextNormalizer.scalars(text), opening: Self.opening(of: text))
    }

    /// How many normalised scalars the opening sentence of `text` takes, when it has one that reads
    /// like a title: up to the first 。！？!?； within its first 60 characters, at least 4 before it,
    /// and more text after. Residents' longer messages put the matter there ("咨询…的问题。",
    /// "…噪音扰民。"); the story after it names other topics' words in passing.
    public static func opening(of text: String) -> Int? {
        // Asked for every message: scalars, not Characters (grapheme breaking cost more than the
        // classification).
        var count = 0
        var end: String.UnicodeScalarView.Index?
        let scalars = text.unicodeScalars
        var i = scalars.startIndex
        while i != scalars.endIndex {
            let v = scalars[i].value
            count += 1
            if end == nil {
                if count > 60 { return nil }
                // 。！？!?；;
                if v == 0x3002 || v == 0xFF01 || v == 0xFF1F || v == 0x21 || v == 0x3F || v == 0xFF1B || v == 0x3B {
                    guard count > 4 else { return nil }
                    end = scalars.index(after: i)
                    count = 0
                }
            } else if count > 4 {
                // The opening's length in the normal form: normalising maps a scalar to at most one
                // (runs of punctuation and spaces become one space, symbols none), so the raw length
                // bounds it; counted without normalising the prefix a second time.
                return scalars.distance(from: scalars.startIndex, to: end!)
            }
            i = scalars.index(after: i)
        }
        return nil
    }

    /// Classifies text already normalised (`TextNormalizer.scalars`), for callers that need the
    /// normal form themselves too. Topic rules whose words appear within the first `opening`
    /// scalars (the message's title-like opening, ``opening(of:)``) count twice for their topic.
    public func classify(normalized scalars: [Unicode.Scalar], opening: Int? = nil) -> Classification {
        // Few keywords match one SMS: small sorted arrays beat sets here.
        var found: [Int] = []
        found.reserveCapacity(32)
        var inOpening: [Int] = []
        let openingEnd = opening ?? 0
        automaton.scan(scalars) { keyword, end in
            found.append(keyword)
            if end <= openingEnd { inOpening.append(keyword) }
        }
        guard !found.isEmpty || !keywordlessRules.isEmpty else { return .unclassified }
        found.sort()
        found.removeDuplicates()
        // Every place a found keyword is named, sorted so that each rule's postings are adjacent.
        var hits: [UInt64] = []
        hits.reserveCapacity(found.count * 4)
        for k in found { hits.append(contentsOf: postings[Int(postingStart[k])..<Int(postingStart[k + 1])]) }
        hits.sort()

        var normalised: String?
        var fired = FiredRules()
        func evaluate(_ r: Int, _ group: ArraySlice<UInt64>) {
            var anyHit = false
            var allHits = 0
            for p in group {
                switch Posting.role(p) {
                case .any: anyHit = true
                case .all: allHits += 1
                case .none: return
                }
            }
            if needsAny[r] && !anyHit { return }
            if allHits != allCount[r] { return }
            var regexHit: String?
            if hasPatterns[r] {
                let rule = rules[r]
                if normalised == nil {
                    var view = String.UnicodeScalarView()
                    view.append(contentsOf: scalars)
                    normalised = String(view)
                }
                guard let hit = rule.patterns.lazy.compactMap({ $0.firstMatch(in: normalised!) }).first else { return }
                regexHit = hit
            }
            fired.append(rule: r, keywords: group.lazy.map(Posting.keyword), regexHit: regexHit)
        }
        var i = hits.startIndex
        while i < hits.endIndex {
            let r = Posting.rule(hits[i])
            var j = i + 1
            while j < hits.endIndex && Posting.rule(hits[j]) == r { j += 1 }
            evaluate(r, hits[i..<j])
            i = j
        }
        for r in keywordlessRules { evaluate(r, []) }
        guard !fired.rules.isEmpty else { return .unclassified }
        if !inOpening.isEmpty {
            inOpening.sort()
            inOpening.removeDuplicates()
            fired.markOpening(inOpening) { self.topicIndex[$0] != nil }
        }
        return decide(fired)
    }

    private func decide(_ fired: FiredRules) -> Classification {
        // Scores per intent (0..<3) then per catalog topic, in two scratch buffers on the stack.
        let topicBase = Intent.ordered.count
        let size = topicBase + topics.count
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * size) { scratch in
            scratch.initialize(repeating: 0)
            let totals = UnsafeMutableBufferPointer(rebasing: scratch[0..<size])
            let best = UnsafeMutableBufferPointer(rebasing: scratch[size..<(2 * size)])
            return decide(fired, totals: totals, best: best)
        }
    }

    private func decide(_ fired: FiredRules, totals: UnsafeMutableBufferPointer<Double>, best: UnsafeMutableBufferPointer<Double>) -> Classification {
        let topicBase = Intent.ordered.count
        var total = 0.0
        for r in fired.rules {
            let r = Int(r)
            let weight = weights[r]
            total += weight
            if let i = intentIndex[r] {
                totals[i] += weight
                best[i] = max(best[i], weight)
            }
            if let t = topicIndex[r] {
                totals[topicBase + t] += weight
                best[topicBase + t] = max(best[topicBase + t], weight)
            }
        }
        // Topic rules that fired in the opening count once more for their topic.
        for i in fired.opening {
            let r = Int(fired.rules[i])
            if let t = topicIndex[r] { totals[topicBase + t] += weights[r] }
        }
        // Ties: higher total, then the stronger single rule, then declaration order (intents, catalog).
        func winner(_ range: Range<Int>) -> Int? {
            var found: Int?
            for i in range where totals[i] > 0 {
                guard let b = found else { found = i; continue }
                if totals[i] > totals[b] || (totals[i] == totals[b] && best[i] > best[b]) { found = i }
            }
            return found.map { $0 - range.lowerBound }
        }
        let topic = winner(topicBase..<totals.count).map { topics.topics[$0].id }
        var intent = winner(0..<topicBase).map { Intent.ordered[$0] }
        if intent == nil && topic != nil { intent = defaultIntent }
        guard let intent else { return .unclassified }
        var answer: String?
        if intent == .question {
            answer = fired.rules.lazy.map { self.rules[Int($0)] }.first { $0.answer != nil && ($0.topic == nil || $0.topic == topic) }?.answer
        }
        return Classification(intent: intent, topic: topic ?? .other, score: total,
                               explanation: Explanation(classifier: self, fired: fired), answer: answer)
    }

    /// The explanation of `fired`, strongest rule first (then by id): what ``Classification/matches`` shows.
    fileprivate func matches(_ fired: FiredRules) -> [RuleMatch] {
        order(fired).map { i in
            let rule = rules[Int(fired.rules[i])]
            var words = fired.keywords(of: i).map { keywords[$0] }
            if let hit = fired.regexHits[i] { words.append(hit) }
            var match = RuleMatch(rule: rule.id, intent: rule.intent, topic: rule.topic, weight: rule.weight, words: words, location: rule.location)
            if fired.opening.contains(i) { match.opening = true }
            return match
        }
    }
}

extension Classifier {
    /// Positions in `fired.rules`, strongest rule first (then by id). Insertion sort: a message fires a handful of rules.
    fileprivate func order(_ fired: FiredRules) -> [Int] {
        var order = Array(fired.rules.indices)
        for i in order.indices.dropFirst() {
            let key = order[i]
            let keyRank = rank[Int(fired.rules[key])]
            var j = i
            while j > 0 && rank[Int(fired.rules[order[j - 1]])] > keyRank {
                order[j] = order[j - 1]
                j -= 1
            }
            order[j] = key
        }
        return order
    }

    /// Writes the JSON of ``matches(_:)`` (the array's elements) without building them: the same
    /// bytes `Classification.jsonText` writes for given matches.
    fileprivate func writeMatches(_ fired: FiredRules, _ out: inout JSONText) {
        for (n, i) in order(fired).enumerated() {
            if n > 0 { out.raw(",") }
            let r = Int(fired.rules[i])
            out.append(jsonHead[r])
            if fired.opening.contains(i) { out.raw(",\"opening\":true") }
            out.append(jsonTail[r])
            var first = true
            for k in fired.keywordRange(of: i) {
                if !first { out.raw(",") }
                out.append(keywordJSON[k])
                first = false
            }
            if let hit = fired.regexHits[i] {
                if !first { out.raw(",") }
                out.string(hit)
            }
            out.raw("]}")
        }
    }
}

/// The rules that fired for one message, compactly: their words as keyword indices in one flat array.
struct FiredRules: Sendable {
    private(set) var rules: [Int32] = []
    private var wordEnds: [Int32] = []
    private var words: [Int32] = []
    /// Regex matches, by position in `rules` (rare: kept out of the flat arrays).
    private(set) var regexHits: [Int: String] = [:]
    /// Positions in `rules` of the topic rules with a word in the message's opening.
    private(set) var opening: [Int] = []

    init() {
        rules.reserveCapacity(16)
        wordEnds.reserveCapacity(16)
        words.reserveCapacity(32)
    }

    mutating func append(rule: Int, keywords: some Sequence<Int>, regexHit: String?) {
        if let regexHit { regexHits[rules.count] = regexHit }
        rules.append(Int32(rule))
        for k in keywords { words.append(Int32(k)) }
        wordEnds.append(Int32(words.count))
    }

    /// Notes the rules (those `eligible`) with one of `keywords` (sorted) among their words.
    mutating func markOpening(_ keywords: [Int], eligible: (Int) -> Bool) {
        var start = 0
        for (i, rule) in rules.enumerated() {
            let end = Int(wordEnds[i])
            defer { start = end }
            guard eligible(Int(rule)) else { continue }
            if words[start..<end].contains(where: { keywords.binarySearchContains(Int($0)) }) { opening.append(i) }
        }
    }

    func keywords(of i: Int) -> [Int] { keywordRange(of: i).map { $0 } }

    /// The keyword indices of the `i`th rule, without copying them out.
    func keywordRange(of i: Int) -> LazyMapSequence<ArraySlice<Int32>, Int> {
        let start = i == 0 ? 0 : Int(wordEnds[i - 1])
        return words[start..<Int(wordEnds[i])].lazy.map(Int.init)
    }
}

/// Builds a classification's explanation when it is first read, so that classifying stays cheap.
final class Explanation: Sendable {
    private let classifier: Classifier
    private let fired: FiredRules

    init(classifier: Classifier, fired: FiredRules) {
        self.classifier = classifier
        self.fired = fired
    }

    var matches: [RuleMatch] { classifier.matches(fired) }

    func writeMatches(_ out: inout JSONText) { classifier.writeMatches(fired, &out) }
}

extension Array where Element: Comparable {
    /// Removes adjacent duplicates of a sorted array.
    @inlinable mutating func removeDuplicates() {
        guard count > 1 else { return }
        var write = 1
        for read in 1..<count where self[read] != self[write - 1] {
            self[write] = self[read]
            write += 1
        }
        removeLast(count - write)
    }

    /// Whether a sorted array contains `value`.
    @inlinable func binarySearchContains(_ value: Element) -> Bool {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid] < value { low = mid + 1 } else if self[mid] > value { high = mid } else { return true }
        }
        return false
    }
}

/// Where a keyword is named: rule index (high 32 bits), role (2 bits), keyword index (30 bits).
/// Sorting packed postings groups them by rule.
enum Posting: UInt64 {
    case any = 0, all = 1, none = 2

    static func make(rule: Int, role: Posting, keyword: Int) -> UInt64 {
        UInt64(rule) << 32 | role.rawValue << 30 | UInt64(keyword)
    }

    @inline(__always) static func rule(_ p: UInt64) -> Int { Int(p >> 32) }
    @inline(__always) static func role(_ p: UInt64) -> Posting { Posting(rawValue: (p >> 30) & 3)! }
    @inline(__always) static func keyword(_ p: UInt64) -> Int { Int(p & 0x3FFF_FFFF) }
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
