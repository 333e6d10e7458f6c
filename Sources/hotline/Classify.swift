import ArgumentParser
import Foundation
import HotlineApp
import HotlineConfig
import HotlineCore

struct Classify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify a text and show the rules that decided it; with no text, classify each line of standard input (JSON out); --evaluate a labelled set.")

    @OptionGroup var files: FileOptions
    @Option(help: "Use this studio's rules (default: the shared rules).")
    var studio: String?
    @Flag(help: "JSON output for a single text too.")
    var json = false
    @Option(help: "Measure the table on a labelled JSON-lines file ({text, lang, topic, intent} per line): accuracy per language, confusion, precision and recall, the messages it gets wrong.")
    var evaluate: String?
    @Option(help: "With --evaluate: how many misclassified messages to list (default all).")
    var misses: Int?
    @Argument(help: "The text to classify.")
    var text: String?

    func run() async throws {
        let table: RuleTable
        do { table = try RuleTableLoader.load(directory: files.intents) } catch { throw CLI.fail(error) }
        let classifier: Classifier
        do { classifier = try Classifier(table: table, studio: studio) } catch { throw CLI.fail("\(error)") }
        if let evaluate {
            let items = try Self.labelled(evaluate)
            for line in Evaluation(items, classifier: classifier).lines(showMisses: misses ?? .max) { CLI.printLine(line) }
            return
        }
        guard let text else {
            Self.batch(classifier)
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

    /// Batch mode: one message per standard-input line → one JSON line out, in order, with the
    /// explanation (the form stored with each case). Reads and writes a mebibyte at a time and
    /// classifies each block's lines on every core; a per-line read, a JSONSerialization and a print
    /// per message held it to a few thousand messages a second.
    static func batch(_ classifier: Classifier) {
        let input = FileHandle.standardInput
        let output = FileHandle.standardOutput
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        var pending: [UInt8] = []
        func emit(_ block: ArraySlice<UInt8>) {
            var split = block.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            if split.last?.isEmpty == true, block.last == UInt8(ascii: "\n") { split.removeLast() }
            let lines = split
            // Each worker classifies a contiguous share of the lines into a buffer of its own; the
            // buffers are written in order.
            var results = [[UInt8]](repeating: [], count: workers)
            results.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let out = buffer
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    let share = lines.count * w / workers..<lines.count * (w + 1) / workers
                    var bytes: [UInt8] = []
                    bytes.reserveCapacity(share.count * 400)
                    for i in share {
                        var line = lines[i]
                        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                        classifier.classify(String(decoding: line, as: UTF8.self)).appendJSON(to: &bytes)
                        bytes.append(UInt8(ascii: "\n"))
                    }
                    out[w] = bytes
                }
            }
            for bytes in results where !bytes.isEmpty { output.write(Data(bytes)) }
        }
        while true {
            let data = input.readData(ofLength: 1 << 20)
            if data.isEmpty { break }
            pending += data
            guard let end = pending.lastIndex(of: UInt8(ascii: "\n")) else { continue }
            emit(pending[...end])
            pending.removeSubrange(...end)
        }
        if !pending.isEmpty { emit(pending[...]) }
    }

    /// The labelled messages of a JSON-lines file; an unreadable line is an error naming file and line.
    static func labelled(_ path: String) throws -> [Evaluation.Item] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw CLI.fail("\(path): cannot read: \(error.localizedDescription)") }
        var items: [Evaluation.Item] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let body = object["text"] as? String,
                  let intent = (object["intent"] as? String).flatMap(Intent.init(rawValue:)), let topic = (object["topic"] as? String).map(Topic.init(rawValue:))
            else { throw CLI.fail("\(path):\(i + 1): expected {\"text\", \"intent\", \"topic\"} with a known intent and a topic") }
            items.append(Evaluation.Item(id: object["id"] as? String ?? "line \(i + 1)", text: body, lang: object["lang"] as? String ?? "?",
                                         intent: intent, topic: topic))
        }
        return items
    }

    static func json(_ c: Classification) -> String { c.jsonText }
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
        CLI.printLine("ok: \(settings.deployment.studios.count) studios, \(settings.channels.count) channels, \(table.topics.count) topics, \(table.rules.count) rules, \(examples) examples pass")
    }
}
