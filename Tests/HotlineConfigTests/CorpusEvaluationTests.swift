import Foundation
import HotlineConfig
import HotlineCore
import Testing

/// The rule table measured on the development set of real citizen messages (../shared/corpus,
/// never copied into the repository; the test is skipped where it is absent). The floors hold what
/// the table reaches today so that no edit loses ground; issue 16's targets (zh intent 96%, topic
/// 88%; en intent 90%, topic 75%) are above them and the issue stays open until they hold.
@Suite struct CorpusEvaluationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let corpus = root.deletingLastPathComponent().appendingPathComponent("shared/corpus/dev.jsonl")

    static func items() throws -> [Evaluation.Item] {
        let text = try String(contentsOf: corpus, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return Evaluation.Item(id: o["id"] as! String, text: o["text"] as! String, lang: o["lang"] as! String,
                                   intent: try #require(Intent(rawValue: o["intent"] as! String)), topic: try #require(Topic(rawValue: o["topic"] as! String)))
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: corpus.path)))
    func theTableHoldsItsGroundOnRealMessages() throws {
        let table = try RuleTableLoader.load(directory: Self.root.appendingPathComponent("Intents").path)
        let result = Evaluation(try Self.items(), classifier: try Classifier(table: table))
        let zh = (result.intent["zh-Hans"]!.accuracy, result.topic["zh-Hans"]!.accuracy)
        let en = (result.intent["en"]!.accuracy, result.topic["en"]!.accuracy)
        #expect(zh.0 >= 0.91 && zh.1 >= 0.88, "zh intent \(zh.0), topic \(zh.1)")
        #expect(en.0 >= 0.90 && en.1 >= 0.75, "en intent \(en.0), topic \(en.1)")
        // The report names what a rule writer needs: the rules that fired on each miss.
        let lines = result.lines(showMisses: 3)
        #expect(lines.contains { $0.hasPrefix("confusion") } && lines.contains { $0.contains(" rules: ") })
    }
}
