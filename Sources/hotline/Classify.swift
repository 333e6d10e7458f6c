import ArgumentParser
import Foundation
import HotlineApp
import HotlineConfig
import HotlineCore

struct Classify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify a text and show the rules that decided it; with no text, classify each line of standard input (JSON out).")

    @OptionGroup var files: FileOptions
    @Option(help: "Use this studio's rules (default: the shared rules).")
    var studio: String?
    @Flag(help: "JSON output for a single text too.")
    var json = false
    @Argument(help: "The text to classify.")
    var text: String?

    func run() async throws {
        let table: RuleTable
        do { table = try RuleTableLoader.load(directory: files.intents) } catch { throw CLI.fail(error) }
        let classifier: Classifier
        do { classifier = try Classifier(table: table, studio: studio) } catch { throw CLI.fail("\(error)") }
        guard let text else {
            while let line = readLine() {
                CLI.printLine(Self.json(classifier.classify(line)))
            }
            return
        }
        let result = classifier.classify(text)
        if json { CLI.printLine(Self.json(result)); return }
        CLI.printLine("intent: \(result.intent.rawValue)")
        CLI.printLine("topic:  \(result.topic.rawValue)")
        CLI.printLine("score:  \(result.score)")
        CLI.printLine("normalised: \(TextNormalizer.normalize(text))")
        if let answer = result.answer { CLI.printLine("answer: \(answer)") }
        for m in result.matches {
            let sets = [m.intent?.rawValue, m.topic?.rawValue].compactMap { $0 }.joined(separator: "/")
            CLI.printLine("  rule \(m.rule) (\(sets), weight \(m.weight)) words: \(m.words.joined(separator: ", "))  [\(m.location)]")
        }
    }

    static func json(_ c: Classification) -> String {
        let object: [String: Any] = [
            "intent": c.intent.rawValue, "topic": c.topic.rawValue, "score": c.score,
            "rules": c.matches.map { ["rule": $0.rule, "words": $0.words, "weight": $0.weight] },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate config/ and Intents/ and run the rule table's inline examples; exit 1 with file:line errors.")

    @OptionGroup var files: FileOptions

    func run() async throws {
        let settings: HotlineSettings
        let table: RuleTable
        do {
            (settings, table) = try HotlineSetup.load(HotlinePaths(config: files.config, intents: files.intents))
        } catch {
            throw CLI.fail(error)
        }
        let failures: [ExampleFailure]
        do { failures = try table.checkExamples() } catch { throw CLI.fail("\(error)") }
        if !failures.isEmpty {
            for f in failures { FileHandle.standardError.write(Data("\(f)\n".utf8)) }
            throw ExitCode(1)
        }
        let examples = table.rules.reduce(0) { $0 + $1.examples.count }
        CLI.printLine("ok: \(settings.deployment.studios.count) studios, \(settings.channels.count) channels, \(table.rules.count) rules, \(examples) examples pass")
    }
}
