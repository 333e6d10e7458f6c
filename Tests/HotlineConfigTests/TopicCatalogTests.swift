import Foundation
import HotlineConfig
import HotlineCore
import Testing

/// Topics are data: declared with the rule table (`topics:`), checked where they are named.
@Suite struct TopicCatalogTests {
    @Test func theShippedFolderDeclaresTheStandardTen() throws {
        let table = try RuleTableLoader.load(directory: intentsDir)
        #expect(table.topics.ids == TopicCatalog.standard.ids)
        for (shipped, builtIn) in zip(table.topics.topics, TopicCatalog.standard.topics) {
            #expect(shipped.name == builtIn.name && shipped.englishName == builtIn.englishName && shipped.deadlines == builtIn.deadlines,
                    "\(shipped.id): Intents/topics.yaml and TopicCatalog.standard disagree")
        }
    }

    @Test func aFolderThatDeclaresNoTopicsGetsTheStandardTen() throws {
        let dir = try scratchIntents(["rules.yaml": "rules:\n  - { id: a, topic: water, any: [停水] }\n"])
        #expect(try RuleTableLoader.load(directory: dir).topics == .standard)
    }

    /// A studio adds `agriculture` in a file of its own next to the shipped ones.
    @Test func aStudioAddsATopic() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-intents-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: intentsDir, toPath: dir.path)
        try """
            topics:
              - { id: agriculture, name: 农业农村, name_en: Agriculture, deadlines: { accept_hours: 8 } }
            rules:
              - id: agriculture
                topic: agriculture
                any: [庄稼, 种粮补贴, 农机, 化肥]
                weight: 3
                examples:
                  - { text: 今年的种粮补贴什么时候发, expect: question/agriculture }
            """.write(to: dir.appendingPathComponent("zz-agriculture.yaml"), atomically: true, encoding: .utf8)
        let table = try RuleTableLoader.load(directory: dir.path)
        #expect(table.topics.ids.last == "agriculture" && table.topics.count == 11)
        #expect(table.topics.deadlines("agriculture") == CaseDeadlines(acceptHours: 8))
        #expect(try table.checkExamples().isEmpty)
        let classifier = try Classifier(table: table)
        #expect(classifier.classify("村里的庄稼被淹了没人管").topic == "agriculture")

        // A sector may now name it; with the shipped catalog it may not, and the error names the line.
        let shipped = try String(contentsOfFile: configDir + "/hotline.yaml", encoding: .utf8)
        let sector = "topics: [water, environment]"
        let line = try #require(shipped.components(separatedBy: "\n").firstIndex { $0.contains(sector) }) + 1
        let config = try scratchConfig(replacing: "hotline.yaml", with: shipped.replacingOccurrences(of: sector, with: "topics: [agriculture]"))
        #expect(try ConfigLoader.load(directory: config, topics: table.topics).deployment.sector("agriculture")?.topics == ["agriculture"])
        let errors = try #require(throws: ConfigErrors.self) { try ConfigLoader.load(directory: config, topics: .standard) }.errors
        #expect(errors.contains { $0.line == line && $0.message.contains("unknown topic 'agriculture'") }, "\(errors)")
    }

    /// The scores are sized by the catalog: the twentieth topic wins like the first.
    @Test(arguments: [0, 12, 19])
    func anyNumberOfTopicsIsScored(winner: Int) throws {
        let topics = (0..<20).map { TopicInfo(id: Topic("t\($0)"), name: "类\($0)", englishName: "T\($0)") } + [TopicInfo(id: .other, name: "其他", englishName: "Other")]
        let rules = (0..<20).map { IntentRule(id: "r\($0)", topic: Topic("t\($0)"), any: ["词\($0)号"], weight: $0 == winner ? 3 : 1) }
        let classifier = try Classifier(table: RuleTable(rules: rules, topics: TopicCatalog(topics)))
        #expect(classifier.classify("词0号 词12号 词19号").topic == Topic("t\(winner)"))
    }

    @Test func aRuleWithATopicOutsideTheCatalogDoesNotCompile() {
        let table = RuleTable(rules: [IntentRule(id: "a", topic: "forestry", any: ["树"])])
        #expect(throws: RuleTableError.self) { try Classifier(table: table) }
    }
}
