/// An inline example whose classification differs from what it expects.
public struct ExampleFailure: Sendable, Equatable, CustomStringConvertible {
    public var example: RuleExample
    public var rule: String
    public var studio: String?
    public var actual: Classification

    public var description: String {
        let expected = [example.intent?.rawValue, example.topic?.rawValue].compactMap { $0 }.joined(separator: "/")
        let scope = studio.map { " (studio \($0))" } ?? ""
        return "\(example.location): example of rule \(rule)\(scope): \"\(example.text)\" expected \(expected), got \(actual.intent.rawValue)/\(actual.topic.rawValue)"
    }
}

extension RuleTable {
    /// Classifies every rule's inline examples with the rules in force for the rule's studio; returns the ones that fail.
    public func checkExamples() throws(RuleTableError) -> [ExampleFailure] {
        var failures: [ExampleFailure] = []
        var classifiers: [String: Classifier] = [:]
        for rule in rules where !rule.examples.isEmpty {
            let key = rule.studio ?? ""
            if classifiers[key] == nil { classifiers[key] = try Classifier(table: self, studio: rule.studio) }
            for example in rule.examples {
                let actual = classifiers[key]!.classify(example.text)
                let ok = (example.intent.map { $0 == actual.intent } ?? true) && (example.topic.map { $0 == actual.topic } ?? true)
                if !ok { failures.append(ExampleFailure(example: example, rule: rule.id, studio: rule.studio, actual: actual)) }
            }
        }
        return failures
    }
}
