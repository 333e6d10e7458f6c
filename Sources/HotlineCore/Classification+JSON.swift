/// The classification as stored with its case: the JSON `JSONEncoder` would write with sorted keys,
/// written directly. Intake stores one per new case, and going through `Encoder` cost more than a
/// tenth of intake's time; `ClassificationJSONTests` checks that the two agree.
extension Classification {
    /// JSON with sorted keys (`answer` only when there is one), slashes not escaped.
    public var jsonText: String {
        // Built as UTF-8 bytes and made a String once: appending dozens of small Strings cost
        // intake a few percent.
        var out = JSONText(capacity: 160 + 160 * 8)
        write(&out)
        return out.text
    }

    /// Appends ``jsonText``'s UTF-8 bytes to `bytes` (batch classification writes them out as they are).
    public func appendJSON(to bytes: inout [UInt8]) {
        var out = JSONText(capacity: 0)
        swap(&out.bytes, &bytes)
        write(&out)
        swap(&out.bytes, &bytes)
    }

    func write(_ out: inout JSONText) {
        out.raw("{")
        if let answer {
            out.raw("\"answer\":")
            out.string(answer)
            out.raw(",")
        }
        out.raw("\"intent\":\""); out.raw(intent.rawValue); out.raw("\",\"matches\":[")
        if let explanation = lazyExplanation {
            // Straight from the rules that fired, without building the RuleMatch values.
            explanation.writeMatches(&out)
        } else {
            for (i, m) in matches.enumerated() {
                if i > 0 { out.raw(",") }
                Self.writeHead(&out, intent: m.intent, location: m.location)
                if m.opening == true { out.raw(",\"opening\":true") }
                Self.writeTail(&out, rule: m.rule, topic: m.topic, weight: m.weight)
                for (j, w) in m.words.enumerated() {
                    if j > 0 { out.raw(",") }
                    out.string(w)
                }
                out.raw("]}")
            }
        }
        out.raw("],\"score\":")
        out.number(score)
        out.raw(",\"topic\":")
        out.string(topic.rawValue)
        out.raw("}")
    }

    /// A match's keys before `opening`: `{"intent":…,"location":…`.
    static func writeHead(_ out: inout JSONText, intent: Intent?, location: String) {
        out.raw("{")
        if let intent { out.raw("\"intent\":\""); out.raw(intent.rawValue); out.raw("\",") }
        out.raw("\"location\":")
        out.string(location)
    }

    /// A match's keys after `opening`, up to its words: `,"rule":…,"topic":…,"weight":…,"words":[`.
    static func writeTail(_ out: inout JSONText, rule: String, topic: Topic?, weight: Double) {
        out.raw(",\"rule\":")
        out.string(rule)
        if let topic { out.raw(",\"topic\":"); out.string(topic.rawValue) }
        out.raw(",\"weight\":")
        out.number(weight)
        out.raw(",\"words\":[")
    }
}

/// JSON written the way Foundation's `JSONEncoder` writes its scalars, into UTF-8 bytes.
public struct JSONText {
    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends `s` as it is (punctuation, keys, enum raw values).
    mutating func raw(_ s: String) {
        // From the string's own buffer: appending `s.utf8` went through the generic
        // collection's witnesses a byte at a time (a text's template values, 3% of the writer).
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Appends bytes written earlier (a rule's precomputed keys).
    mutating func append(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    /// Appends `s` as a JSON string literal.
    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        let plain = s.withUTF8 { utf8 in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if !plain {
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": raw("\\\"")
                case "\\": raw("\\\\")
                case "\n": raw("\\n")
                case "\r": raw("\\r")
                case "\t": raw("\\t")
                case "\u{08}": raw("\\b")
                case "\u{0C}": raw("\\f")
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    raw("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                default: bytes.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `d` as JSONEncoder writes a Double.
    mutating func number(_ d: Double) {
        // Whole numbers without a fraction (1, not 1.0), as JSONEncoder writes them.
        if d == d.rounded(), abs(d) < 1e15 {
            raw(String(Int64(d)))
        } else {
            raw(d.description)
        }
    }
}
