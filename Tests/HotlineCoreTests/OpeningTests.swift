import Testing
@testable import HotlineCore

/// A long message's title-like opening names its matter; topic words in it count twice.
@Suite struct OpeningTests {
    static let table = RuleTable(rules: [
        IntentRule(id: "school", intent: nil, topic: .education, any: ["小学", "入学"], weight: 4),
        IntentRule(id: "property", intent: nil, topic: .housing, any: ["物业"], weight: 3),
        IntentRule(id: "deed", intent: nil, topic: .housing, any: ["房产证"], weight: 3),
        IntentRule(id: "ask", intent: .question, topic: nil, any: ["咨询"], weight: 3),
    ], defaultIntent: .complaint)

    @Test(arguments: [
        ("咨询小学入学的问题。我家的房产证还没办好,物业也不管,孩子能入学吗", Topic.education, true),
        // The same words without an opening sentence: the body's two housing rules win.
        ("咨询小学入学的问题 我家的房产证还没办好,物业也不管,孩子能入学吗", .housing, false),
        // An opening needs text after it, and at least a few characters before its end.
        ("物业不管。", .housing, false),
    ])
    func openingWordsCountTwice(text: String, topic: Topic, opened: Bool) throws {
        let classifier = try Classifier(table: Self.table)
        let result = classifier.classify(text)
        #expect(result.topic == topic)
        #expect((result.matches.first { $0.rule == "school" }?.opening == true) == opened)
        #expect(result.matches.allSatisfy { $0.opening == nil || $0.topic != nil })
    }

    @Test func openingLength() {
        // The raw length bounds the normal form's (normalising never adds scalars).
        #expect(Classifier.opening(of: "咨询小学入学的问题。后面还有很多字") == 10)
        #expect(TextNormalizer.scalars("咨询小学入学的问题。").count <= 10)
        #expect(Classifier.opening(of: "短。后面还有很多字") == nil)
        #expect(Classifier.opening(of: String(repeating: "长", count: 70) + "。后面") == nil)
    }
}

