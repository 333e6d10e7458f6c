/// How well a rule table reads a labelled set of messages: intent and topic accuracy per language,
/// the topics' confusion matrix, per-topic precision and recall, and every message it got wrong
/// with the rules that fired (so a rule writer sees why). Pure: the caller reads the file.
public struct Evaluation: Sendable {
    /// One labelled message.
    public struct Item: Sendable {
        public var id: String
        public var text: String
        public var lang: String
        public var intent: Intent
        public var topic: Topic

        public init(id: String, text: String, lang: String, intent: Intent, topic: Topic) {
            self.id = id
            self.text = text
            self.lang = lang
            self.intent = intent
            self.topic = topic
        }
    }

    /// A message read wrong, and what the table made of it.
    public struct Miss: Sendable {
        public var item: Item
        public var got: Classification
    }

    /// Right answers of a count.
    public struct Score: Sendable, Equatable {
        public var right = 0
        public var total = 0
        public var accuracy: Double { total == 0 ? 0 : Double(right) / Double(total) }
    }

    public var items = 0
    /// Per language (`zh-Hans`, `en`, …).
    public var intent: [String: Score] = [:]
    public var topic: [String: Score] = [:]
    /// Expected topic → got topic → count.
    public var confusion: [Topic: [Topic: Int]] = [:]
    public var misses: [Miss] = []
    /// The catalog's topics, then any the labels name that it lacks (each a row of the matrix).
    public var topics: [Topic]

    public init(_ items: [Item], classifier: Classifier) {
        self.items = items.count
        topics = classifier.topics.ids
        for item in items where !topics.contains(item.topic) { topics.append(item.topic) }
        for item in items {
            let got = classifier.classify(item.text)
            let intentRight = got.intent == item.intent
            let topicRight = got.topic == item.topic
            intent[item.lang, default: Score()].total += 1
            topic[item.lang, default: Score()].total += 1
            if intentRight { intent[item.lang]!.right += 1 }
            if topicRight { topic[item.lang]!.right += 1 }
            confusion[item.topic, default: [:]][got.topic, default: 0] += 1
            if !intentRight || !topicRight { misses.append(Miss(item: item, got: got)) }
        }
    }

    /// Precision and recall of one topic over every language.
    public func precisionRecall(_ t: Topic) -> (precision: Double?, recall: Double?) {
        let truePositives = confusion[t]?[t] ?? 0
        let predicted = confusion.values.reduce(0) { $0 + ($1[t] ?? 0) }
        let actual = confusion[t]?.values.reduce(0, +) ?? 0
        return (predicted == 0 ? nil : Double(truePositives) / Double(predicted), actual == 0 ? nil : Double(truePositives) / Double(actual))
    }

    /// The report as lines of text: accuracy per language, the confusion matrix, precision and
    /// recall per topic, then up to `showMisses` misclassified messages with the rules that fired.
    public func lines(showMisses: Int = .max) -> [String] {
        func pct(_ s: Score) -> String { "\(String(format: "%.1f", s.accuracy * 100))% (\(s.right)/\(s.total))" }
        var out = ["\(items) messages"]
        for lang in intent.keys.sorted() {
            out.append("\(lang): intent \(pct(intent[lang]!))  topic \(pct(topic[lang]!))")
        }
        out.append("")
        out.append("confusion (rows: expected, columns: got)")
        out.append(([String(repeating: " ", count: 12)] + topics.map { String($0.rawValue.prefix(5)).padding(toLength: 6, withPad: " ", startingAt: 0) })
            .joined())
        for t in topics {
            let row = confusion[t] ?? [:]
            guard !row.isEmpty else { continue }
            out.append(t.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                + topics.map { String(row[$0] ?? 0).padding(toLength: 6, withPad: " ", startingAt: 0) }.joined())
        }
        out.append("")
        out.append("topic        precision  recall")
        for t in topics {
            let (p, r) = precisionRecall(t)
            func f(_ v: Double?) -> String { v.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
            out.append(t.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + f(p).padding(toLength: 10, withPad: " ", startingAt: 0) + " " + f(r))
        }
        out.append("")
        out.append("misclassified: \(misses.count)")
        for m in misses.prefix(showMisses) {
            let rules = m.got.matches.map { "\($0.rule)[\($0.words.joined(separator: ","))]" }.joined(separator: " ")
            out.append("\(m.item.id) expected \(m.item.intent.rawValue)/\(m.item.topic.rawValue) got \(m.got.intent.rawValue)/\(m.got.topic.rawValue): "
                + "\(String(m.item.text.prefix(80)))  rules: \(rules.isEmpty ? "none" : rules)")
        }
        return out
    }
}
