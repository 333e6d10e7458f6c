import Foundation
import HotlineCore

/// Loads the rule table from `Intents/*.yaml` (see `Intents/README.md` for the format).
public enum RuleTableLoader {
    static let fileKeys: Set<String> = ["default_intent", "studio", "topics", "rules"]
    static let topicKeys: Set<String> = ["id", "name", "name_en", "deadlines"]
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
        var topics: [TopicInfo] = []
        var topicsNode: YAMLValue?
        // Topics that rules and examples name, checked once every file (and so the catalog) is read.
        var named: [NamedTopic] = []
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
                if let list = keys["topics"] {
                    if fileStudio != nil { throw list.error("topics are shared by every studio: declare them in a file without 'studio:'") }
                    topicsNode = topicsNode ?? list
                    for item in try list.list("topics") {
                        do throws(ConfigError) {
                            let topic = try self.topic(item)
                            if let earlier = topics.first(where: { $0.id == topic.id }) {
                                throw item.error("topic '\(topic.id)' is declared twice (first at \(earlier.location?.description ?? "?"))")
                            }
                            topics.append(topic)
                        } catch { errors.append(error) }
                    }
                }
                for item in try keys["rules"]?.list("rules") ?? [] {
                    do throws(ConfigError) {
                        var rule = try self.rule(item, named: &named)
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
        // No file declares topics: the shipped ten.
        var catalog = TopicCatalog.standard
        if let topicsNode {
            catalog = TopicCatalog(topics)
            if !catalog.contains(.other) && errors.isEmpty {
                errors.append(topicsNode.error("the topics must include 'other': where a message that names no topic goes"))
            }
        }
        let topicErrors = named.filter { !catalog.contains($0.topic) }.map {
            ConfigError(file: $0.location.file, line: $0.location.line, message: "unknown topic '\($0.topic)' in \($0.what) (known: \(catalog.idList))")
        }
        errors += topicErrors
        let table = RuleTable(rules: rules, defaultIntent: defaultIntent?.0 ?? .complaint, topics: catalog)
        // Compile per studio scope once, so a bad regex is reported here rather than at the first message.
        // (A rule with an unknown topic is reported once, above, rather than again by the compiler.)
        for studio in Set(rules.map(\.studio)) where topicErrors.isEmpty {
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

    /// A rule's topic, checked against the catalog once every file is read.
    static func topicID(_ v: YAMLValue) throws(ConfigError) -> Topic {
        let name = try v.string("topic")
        guard Topic.isValidID(name) else { throw v.error("'\(name)' is not a topic id (lower-case letters, digits and _)") }
        return Topic(name)
    }

    /// One entry of `topics:`: `{ id: water, name: 供水, name_en: Water supply, deadlines: { accept_hours: 4 } }`.
    static func topic(_ item: YAMLValue) throws(ConfigError) -> TopicInfo {
        let t = try item.mapping(allowed: topicKeys, what: "topic")
        guard let idValue = t["id"] else { throw item.error("topic: 'id' is missing") }
        let id = try idValue.string("id")
        guard Topic.isValidID(id) else {
            throw idValue.error("topic id '\(id)' must be lower-case ASCII letters, digits or _, starting with a letter (at most 40): it is stored with cases and used in URLs")
        }
        guard let nameValue = t["name"] else { throw item.error("topic \(id): 'name' (the Chinese name texts show) is missing") }
        // Names go into texts and pages: one line, bounded.
        func line(_ v: YAMLValue, _ what: String, max: Int) throws(ConfigError) -> String? {
            let text = try v.string(what).trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty, text.count <= max, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return nil }
            return text
        }
        guard let name = try line(nameValue, "name of topic \(id)", max: 20) else {
            throw nameValue.error("topic \(id): the name must be 1 to 20 characters on one line (it goes into texts)")
        }
        var english = id
        if let v = t["name_en"] {
            guard let text = try line(v, "name_en of topic \(id)", max: 60) else { throw v.error("topic \(id): name_en must be 1 to 60 characters on one line") }
            english = text
        }
        var deadlines: CaseDeadlines?
        if let d = t["deadlines"] {
            let keys = try d.mapping(allowed: ["accept_hours", "reply_days", "close_days"], what: "deadlines of topic \(id)")
            deadlines = try ConfigLoader.deadlines(keys, over: CaseDeadlines(), what: "deadlines of topic \(id)")
        }
        return TopicInfo(id: Topic(id), name: name, englishName: english,
                         deadlines: deadlines, location: SourceLocation(file: item.file, line: item.line))
    }

    /// A topic a rule or an example names, and where.
    struct NamedTopic {
        var topic: Topic
        var location: SourceLocation
        var what: String
    }

    static func rule(_ item: YAMLValue, named: inout [NamedTopic]) throws(ConfigError) -> IntentRule {
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
            id: id, intent: try r["intent"].map(intent), topic: try r["topic"].map(topicID),
            any: try words("any"), all: try words("all"), none: try words("none"),
            patterns: try r["regex"]?.strings("regex of rule \(id)") ?? [],
            weight: try r["weight"]?.double("weight of rule \(id)", in: 0.01...1000) ?? 1,
            studio: try r["studio"]?.string("studio"), answer: try r["answer"]?.string("answer"), location: location)
        if let topic = rule.topic, let node = r["topic"] {
            named.append(NamedTopic(topic: topic, location: SourceLocation(file: node.file, line: node.line), what: "rule \(id)"))
        }
        if rule.intent == nil && rule.topic == nil { throw item.error("rule \(id): sets neither an intent nor a topic") }
        if rule.any.isEmpty && rule.all.isEmpty && rule.patterns.isEmpty {
            throw item.error("rule \(id): needs keywords ('any' or 'all') or a 'regex'")
        }
        if rule.answer != nil && rule.intent != .question { throw item.error("rule \(id): only question rules can carry an answer") }
        for example in try r["examples"]?.list("examples") ?? [] {
            let e = try self.example(example, rule: id)
            if let topic = e.topic { named.append(NamedTopic(topic: topic, location: e.location, what: "an example of rule \(id)")) }
            rule.examples.append(e)
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
            if let i = Intent(rawValue: part) { intent = i } else if Topic.isValidID(part) { topic = Topic(part) } else {
                throw expect.error("example of rule \(rule): '\(part)' is neither an intent nor a topic (write e.g. complaint/water)")
            }
        }
        return RuleExample(text: try text.string("text"), intent: intent, topic: topic,
                           location: SourceLocation(file: v.file, line: v.line))
    }
}
