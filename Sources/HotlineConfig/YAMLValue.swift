import Foundation
import Yams

/// A problem in a configuration or rule file, with the file and line it is on.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}

/// Every problem found while loading, so that `hotline check` can report them all at once.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]

    public init(_ errors: [ConfigError]) { self.errors = errors }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// A YAML node with the file it came from: typed accessors whose errors name file and line.
struct YAMLValue {
    let node: Node
    let file: String

    var line: Int { node.mark?.line ?? 1 }

    func error(_ message: String) -> ConfigError { ConfigError(file: file, line: line, message: message) }

    /// Parses `text` from `file`; a syntax error names the line libyaml stopped at.
    static func parse(_ text: String, file: String) throws(ConfigError) -> YAMLValue? {
        do {
            guard let node = try Yams.compose(yaml: text) else { return nil }
            return YAMLValue(node: node, file: file)
        } catch let error as YamlError {
            switch error {
            case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
                 let .composer(context, problem, mark, _):
                let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
                throw ConfigError(file: file, line: mark.line, message: "YAML syntax: \(what)")
            default:
                throw ConfigError(file: file, line: 1, message: "YAML: \(error)")
            }
        } catch {
            throw ConfigError(file: file, line: 1, message: "YAML: \(error)")
        }
    }

    /// The keys of a mapping; rejects keys outside `allowed` and repeated keys.
    func mapping(allowed: Set<String>? = nil, what: String) throws(ConfigError) -> [String: YAMLValue] {
        guard let mapping = node.mapping else { throw error("\(what) must be a mapping of key: value") }
        var out: [String: YAMLValue] = [:]
        for (key, value) in mapping {
            let k = YAMLValue(node: key, file: file)
            guard let name = key.scalar?.string else { throw k.error("\(what): keys must be plain words") }
            if let allowed, !allowed.contains(name) {
                throw k.error("\(what): unknown key '\(name)' (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
            if out[name] != nil { throw k.error("\(what): key '\(name)' appears twice") }
            out[name] = YAMLValue(node: value, file: file)
        }
        return out
    }

    /// The pairs of a mapping in file order (for maps keyed by id).
    func pairs(what: String) throws(ConfigError) -> [(key: String, value: YAMLValue)] {
        guard let mapping = node.mapping else { throw error("\(what) must be a mapping") }
        var seen = Set<String>()
        var out: [(String, YAMLValue)] = []
        for (key, value) in mapping {
            let k = YAMLValue(node: key, file: file)
            guard let name = key.scalar?.string else { throw k.error("\(what): keys must be plain words") }
            guard seen.insert(name).inserted else { throw k.error("\(what): '\(name)' appears twice") }
            out.append((name, YAMLValue(node: value, file: file)))
        }
        return out
    }

    func string(_ what: String) throws(ConfigError) -> String {
        guard let s = node.scalar?.string else { throw error("\(what) must be a single value") }
        let trimmed = s.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw error("\(what) must not be empty") }
        return trimmed
    }

    func int(_ what: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let v = Int(try string(what)), range.contains(v) else {
            throw error("\(what) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return v
    }

    func double(_ what: String, in range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard let v = Double(try string(what)), range.contains(v) else {
            throw error("\(what) must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return v
    }

    func bool(_ what: String) throws(ConfigError) -> Bool {
        switch try string(what).lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("\(what) must be true or false")
        }
    }

    /// A list of values; a single value counts as a list of one.
    func list(_ what: String) throws(ConfigError) -> [YAMLValue] {
        if let seq = node.sequence { return seq.map { YAMLValue(node: $0, file: file) } }
        if node.scalar != nil { return [self] }
        throw error("\(what) must be a list")
    }

    func strings(_ what: String) throws(ConfigError) -> [String] {
        var out: [String] = []
        for item in try list(what) { out.append(try item.string("an item of \(what)")) }
        return out
    }
}
