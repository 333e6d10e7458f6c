import Foundation
import Testing
@testable import HotlineCore

@Suite struct ClassifierTests {
    static func table(_ rules: [IntentRule], defaultIntent: Intent = .complaint) -> Classifier {
        try! Classifier(table: RuleTable(rules: rules, defaultIntent: defaultIntent))
    }

    @Test func exclusionsStopARule() {
        let c = Self.table([
            IntentRule(id: "c", intent: .complaint, any: ["投诉"], none: ["不是投诉"], weight: 3),
            IntentRule(id: "q", intent: .question, any: ["请问"]),
        ])
        #expect(c.classify("我要投诉").intent == .complaint)
        #expect(c.classify("不是投诉,请问一下").intent == .question)
    }

    @Test func allOfNeedsEveryWord() {
        let c = Self.table([IntentRule(id: "w", topic: .water, all: ["水", "停"])])
        #expect(c.classify("停了水").topic == .water)
        #expect(c.classify("水很好").intent == .unclassified)
    }

    /// Several weak cues outvote one strong one; equal totals go to the stronger single rule, then to enum order.
    @Test(arguments: [
        ("噪音 臭 垃圾", Topic.environment),     // 1 + 1 + 1 = 3 > neighbour 2
        ("邻居 噪音", Topic.neighbour),          // 2 vs 1
        ("邻居 臭 噪音", Topic.neighbour),       // 2 vs 2: neighbour's single rule is stronger
        ("水管 马路", Topic.water),              // 1 vs 1, equal strength: water comes first
    ])
    func weightsAndTies(text: String, topic: Topic) {
        let c = Self.table([
            IntentRule(id: "env-noise", topic: .environment, any: ["噪音"]),
            IntentRule(id: "env-smell", topic: .environment, any: ["臭"]),
            IntentRule(id: "env-rubbish", topic: .environment, any: ["垃圾"]),
            IntentRule(id: "neighbour", topic: .neighbour, any: ["邻居"], weight: 2),
            IntentRule(id: "water", topic: .water, any: ["水管"]),
            IntentRule(id: "roads", topic: .roads, any: ["马路"]),
        ])
        #expect(c.classify(text).topic == topic)
    }

    @Test func regexRules() {
        let c = Self.table([IntentRule(id: "days", intent: .complaint, topic: .water, patterns: ["停水\\d+天"])])
        let r = c.classify("停水３天")   // full-width digit normalised before matching
        #expect(r.topic == .water)
        #expect(r.matches.first?.words == ["停水3天"])
        #expect(c.classify("停水很久").intent == .unclassified)
    }

    @Test func badRegexIsReportedWithItsLocation() {
        let rule = IntentRule(id: "bad", topic: .water, patterns: ["("], location: SourceLocation(file: "Intents/x.yaml", line: 7))
        #expect(throws: RuleTableError(location: rule.location, message: "rule bad: bad regex (")) {
            _ = try Classifier(table: RuleTable(rules: [rule]))
        }
    }

    @Test func studioRulesReplaceSharedOnesOfTheSameId() throws {
        let table = RuleTable(rules: [
            IntentRule(id: "w", topic: .water, any: ["井"]),
            IntentRule(id: "w", topic: .environment, any: ["井"], studio: "xinjiang"),
            IntentRule(id: "extra", topic: .roads, any: ["渡口"], studio: "xinjiang"),
        ])
        #expect(try Classifier(table: table, studio: "xujiawan").classify("井").topic == .water)
        #expect(try Classifier(table: table, studio: "xinjiang").classify("井").topic == .environment)
        #expect(try Classifier(table: table, studio: "xujiawan").classify("渡口").intent == .unclassified)
        #expect(try Classifier(table: table, studio: "xinjiang").classify("渡口").topic == .roads)
    }

    @Test func nothingMatchedIsUnclassifiedNeverGuessed() {
        let c = Self.table([IntentRule(id: "w", topic: .water, any: ["停水"])])
        #expect(c.classify("你好") == .unclassified)
    }

    @Test func topicWithoutIntentCueTakesTheDefaultIntent() {
        let c = Self.table([IntentRule(id: "w", topic: .water, any: ["停水"])], defaultIntent: .complaint)
        #expect(c.classify("停水").intent == .complaint)
    }

    @Test func questionRuleCarriesItsAnswer() {
        let c = Self.table([IntentRule(id: "duty", intent: .question, topic: .other, any: ["接待日"], weight: 3, answer: "每周三")])
        #expect(c.classify("接待日是哪天").answer == "每周三")
    }

    @Test func answersQuoteStudioFactsAndMissingFactsAreReported() {
        let table = RuleTable(rules: [IntentRule(id: "addr", intent: .question, any: ["地址"], answer: "{studio}在{address},{duty_day}",
                                                 location: SourceLocation(file: "a.yaml", line: 4))])
        var studio = Demo.studio
        #expect(table.missingFacts(studios: [studio]).map(\.fact) == ["address"])
        #expect(table.missingFacts(studios: [studio]).first?.description.hasPrefix("a.yaml:4: rule addr: answer quotes {address}") == true)
        studio.facts = ["address": "二楼"]
        #expect(table.missingFacts(studios: [studio]).isEmpty)
        #expect(studio.answerFacts["duty_day"] == "每周三" && studio.answerFacts["duty_members"] == "张委员、李委员")
    }

    @Test func explanationNamesRulesWordsAndLocation() {
        let c = Self.table([
            IntentRule(id: "neglect", intent: .complaint, any: ["没人管"], weight: 3, location: SourceLocation(file: "f.yaml", line: 3)),
            IntentRule(id: "water", topic: .water, any: ["停水", "断水"], weight: 2),
        ])
        let r = c.classify("停水三天没人管")
        #expect(r.score == 5)
        #expect(r.matches.map(\.rule) == ["neglect", "water"])
        #expect(r.matches[0].location == "f.yaml:3")
        #expect(r.matches[1].words == ["停水"])
    }
}
