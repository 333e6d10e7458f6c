import Foundation
import Testing
@testable import HotlineCore

/// The classification JSON stored with each case is written by hand (intake's hot path); it must be
/// what `JSONEncoder` with sorted keys writes, and read back equal.
@Suite struct ClassificationJSONTests {
    static let cases: [Classification] = [
        .unclassified,
        Classification(intent: .complaint, topic: .water, score: 3, matches: [
            RuleMatch(rule: "停水", intent: .complaint, topic: .water, weight: 2, words: ["停水", "没水"], location: "Intents/water.yaml:3"),
            RuleMatch(rule: "tone", intent: nil, topic: nil, weight: 0.5, words: [], location: "Intents/tone.yaml:12"),
        ]),
        Classification(intent: .question, topic: .other, score: 1.25, matches: [
            RuleMatch(rule: "quote\"back\\slash/", intent: .question, topic: nil, weight: -0.1, words: ["tab\there", "line\nbreak", "\u{01}"],
                      location: "a/b.yaml:1"),
        ], answer: "地址:龙湖路1号 \"东门\""),
        Classification(intent: .question, topic: .education, score: 4, matches: [
            { var m = RuleMatch(rule: "school", intent: nil, topic: .education, weight: 4, words: ["小学"], location: "t:1"); m.opening = true; return m }(),
        ]),
        Classification(intent: .complaint, topic: .utilities, score: 0.30000000000000004, matches: [
            RuleMatch(rule: "r", intent: nil, topic: .utilities, weight: 1e-5, words: ["电"], location: "x:1"),
            RuleMatch(rule: "big", intent: nil, topic: nil, weight: 123_456_789, words: [], location: "x:2"),
        ]),
    ]

    @Test(arguments: cases)
    func sameAsJSONEncoder(_ c: Classification) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let reference = String(decoding: try encoder.encode(c), as: UTF8.self)
        #expect(c.jsonText == reference)
        #expect(try JSONDecoder().decode(Classification.self, from: Data(c.jsonText.utf8)) == c)
    }

    /// A fresh classification writes its matches straight from the rules that fired (batch mode,
    /// intake): the bytes must be those of the same matches once built.
    @Test(arguments: ["请问小区停水了怎么办。家里没水三天了,路也坏了", "3号楼停水", "停水", "路坏了", "nothing at all", ""])
    func matchesWrittenStraightFromTheRules(text: String) throws {
        let classifier = try Classifier(table: RuleTable(rules: [
            IntentRule(id: "water", topic: .water, any: ["停水", "没水"], weight: 3),
            IntentRule(id: "ask \"quoted\"", intent: .question, any: ["请问", "怎么办"], weight: 2),
            IntentRule(id: "building", intent: .complaint, patterns: ["\\d+号楼"], weight: 1.5),
            IntentRule(id: "road", topic: .roads, all: ["路", "坏"], weight: 0.25),
        ]))
        let fresh = classifier.classify(text)
        var built = fresh
        built.matches = fresh.matches
        #expect(fresh.jsonText == built.jsonText)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(fresh.jsonText == String(decoding: try encoder.encode(built), as: UTF8.self))
        var bytes = Array("x".utf8)
        fresh.appendJSON(to: &bytes)
        #expect(bytes == Array(("x" + fresh.jsonText).utf8))
    }

    @Test(arguments: [
        ("龙湖社区停水", "龙湖社区", true), ("龙湖", "龙湖社区", false), ("abc", "", true), ("", "a", false),
        ("aab", "ab", true), ("停水了", "水了", true), ("停水了", "停了", false),
    ])
    func byteSearch(haystack: String, needle: String, found: Bool) {
        #expect(AreaFinder.contains(Array(haystack.utf8), Array(needle.utf8)) == found)
    }
}
