/// A rule's answer quotes a fact a studio does not have.
public struct MissingFact: Sendable, Equatable, CustomStringConvertible {
    public var rule: String
    public var location: SourceLocation
    public var studio: String
    public var fact: String

    public var message: String {
        "rule \(rule): answer quotes {\(fact)}, which studio \(studio) does not define (add it under facts: in its config)"
    }

    public var description: String { "\(location): \(message)" }
}

extension RuleTable {
    /// Every `{fact}` an answer quotes that a studio it applies to cannot fill.
    public func missingFacts(studios: [Studio]) -> [MissingFact] {
        var missing: [MissingFact] = []
        for studio in studios {
            let facts = studio.answerFacts
            for rule in rules(for: studio.id) {
                guard let answer = rule.answer else { continue }
                for fact in ReplyTemplates.placeholders(in: answer) where facts[fact] == nil {
                    missing.append(MissingFact(rule: rule.id, location: rule.location, studio: studio.id, fact: fact))
                }
            }
        }
        return missing
    }
}
