import Foundation
import HotlineCore

/// Loads the rule table from `Intents/*.yaml` (see `Intents/README.md` for the format).
public enum RuleTableLoader {
    static let fileKeys: Set<String> = ["default_intent", "studio", "rules"]
    static let ruleKeys: Set<String> = ["id", "intent", "topic", "any", "all", "none", "regex", "weight", "answer", "examples", "studio"]

    /// Loads every `.yaml` file in `directory` (sorted by name); throws every problem found.
    public static func load(directory: String) throws(ConfigErrors) -> RuleTable {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            .map { (directory as NSString).appendingPathComponent($0) }
        guard !files.isEmpty else {
            throw ConfigErrors([ConfigError(file: directory, line: 1, message: "no rule files (*.yaml) in the rule table folder")])
        }
        var errors: [ConfigError] = []
        var rules: [IntentRule] = []
        var defaultIntent: (Intent, ConfigError)?
        var ids: [String: SourceLocation] = [:]
        for file in files {
            do throws(ConfigError) {
                guard let root = try ConfigLoader.read(file) else { continue }
                let keys = try root.mapping(allowed: fileKeys, what: "rule file")
                if let d = keys["default_intent"] {
                    let intent = try self.intent(d)
                    if let earlier = defaultIntent {
                        errors.append(d.error("default_intent is already set at \(earlier.1.file):\(earlier.1.line)"))
                    }
                    defaultIntent = (intent, d.error(""))
                }
                let fileStudio = try keys["studio"]?.string("studio")
                for item in try keys["rules"]?.list("rules") ?? [] {
                    do throws(ConfigError) {
                        var rule = try self.rule(item)
                        rule.studio = rule.studio ?? fileStudio
                        let scopedID = "\(rule.studio ?? "*")/\(rule.id)"
                        if let earlier = ids[scopedID] {
                            throw item.error("duplicate rule id '\(rule.id)' (first at \(earlier))")
                        }
                        ids[scopedID] = rule.location
                        rules.append(rule)
                    } catch { errors.append(error) }
                }
            } catch {
                errors.append(error)
            }
        }
        let table = RuleTable(rules: rules, defaultIntent: defaultIntent?.0 ?? .complaint)
        // Compile per studio scope once, so a bad regex is reported here rather than at the first message.
        for studio in Set(rules.map(\.studio)) {
            do { _ = try Classifier(table: table, studio: studio) } catch {
                errors.append(ConfigError(file: error.location.file, line: error.location.line, message: error.message))
            }
        }
        guard errors.isEmpty else { throw ConfigErrors(errors.sorted { ($0.file, $0.line) < ($1.file, $1.line) }) }
        return table
    }

    static func intent(_ v: YAMLValue) throws(ConfigError) -> Intent {
        let name = try v.string("intent")
        guard let intent = Intent(rawValue: name), intent != .unclassified else {
            throw v.error("unknown intent '\(name)' (complaint or question)")
        }
        return intent
    }

    static func topic(_ v: YAMLValue) throws(ConfigError) -> Topic {
        let name = try v.string("topic")
        guard let topic = Topic(rawValue: name) else {
            throw v.error("unknown topic '\(name)' (known: \(Topic.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return topic
    }

    static func rule(_ item: YAMLValue) throws(ConfigError) -> IntentRule {
        let r = try item.mapping(allowed: ruleKeys, what: "rule")
        guard let idValue = r["id"] else { throw item.error("rule: 'id' is missing") }
        let id = try idValue.string("id")
        let location = SourceLocation(file: item.file, line: item.line)
        func words(_ key: String) throws(ConfigError) -> [String] {
            guard let v = r[key] else { return [] }
            let list = try v.strings("\(key) of rule \(id)")
            if list.isEmpty { throw v.error("rule \(id): '\(key)' is an empty list") }
            for w in list where TextNormalizer.normalize(w).isEmpty {
                throw v.error("rule \(id): '\(w)' in '\(key)' is only punctuation or spaces, which matching ignores")
            }
            return list
        }
        var rule = IntentRule(
            id: id, intent: try r["intent"].map(intent), topic: try r["topic"].map(topic),
            any: try words("any"), all: try words("all"), none: try words("none"),
            patterns: try r["regex"]?.strings("regex of rule \(id)") ?? [],
            weight: try r["weight"]?.double("weight of rule \(id)", in: 0.01...1000) ?? 1,
            studio: try r["studio"]?.string("studio"), answer: try r["answer"]?.string("answer"), location: location)
        if rule.intent == nil && rule.topic == nil { throw item.error("rule \(id): sets neither an intent nor a topic") }
        if rule.any.isEmpty && rule.all.isEmpty && rule.patterns.isEmpty {
            throw item.error("rule \(id): needs keywords ('any' or 'all') or a 'regex'")
        }
        if rule.answer != nil && rule.intent != .question { throw item.error("rule \(id): only question rules can carry an answer") }
        for example in try r["examples"]?.list("examples") ?? [] {
            rule.examples.append(try self.example(example, rule: id))
        }
        return rule
    }

    /// `- text: 小区停水三天了` with `expect: complaint/water` (or just an intent, or just a topic).
    static func example(_ v: YAMLValue, rule: String) throws(ConfigError) -> RuleExample {
        let e = try v.mapping(allowed: ["text", "expect"], what: "example of rule \(rule)")
        guard let text = e["text"], let expect = e["expect"] else { throw v.error("example of rule \(rule): needs 'text' and 'expect'") }
        var intent: Intent?
        var topic: Topic?
        for part in try expect.string("expect").split(separator: "/").map(String.init) {
            if let i = Intent(rawValue: part) { intent = i } else if let t = Topic(rawValue: part) { topic = t } else {
                throw expect.error("example of rule \(rule): '\(part)' is neither an intent nor a topic (write e.g. complaint/water)")
            }
        }
        return RuleExample(text: try text.string("text"), intent: intent, topic: topic,
                           location: SourceLocation(file: v.file, line: v.line))
    }
}
