/// The classification as stored with its case: the JSON `JSONEncoder` would write with sorted keys,
/// written directly. Intake stores one per new case, and going through `Encoder` cost more than a
/// tenth of intake's time; `ClassificationJSONTests` checks that the two agree.
extension Classification {
    /// JSON with sorted keys (`answer` only when there is one), slashes not escaped.
    public var jsonText: String {
        var out = "{"
        if let answer {
            out += "\"answer\":"
            JSONText.string(answer, into: &out)
            out += ","
        }
        out += "\"intent\":\"\(intent.rawValue)\",\"matches\":["
        for (i, m) in matches.enumerated() {
            if i > 0 { out += "," }
            out += "{"
            if let intent = m.intent { out += "\"intent\":\"\(intent.rawValue)\"," }
            out += "\"location\":"
            JSONText.string(m.location, into: &out)
            out += ",\"rule\":"
            JSONText.string(m.rule, into: &out)
            if let topic = m.topic { out += ",\"topic\":\"\(topic.rawValue)\"" }
            out += ",\"weight\":"
            JSONText.number(m.weight, into: &out)
            out += ",\"words\":["
            for (j, w) in m.words.enumerated() {
                if j > 0 { out += "," }
                JSONText.string(w, into: &out)
            }
            out += "]}"
        }
        out += "],\"score\":"
        JSONText.number(score, into: &out)
        out += ",\"topic\":\"\(topic.rawValue)\"}"
        return out
    }
}

/// JSON scalars the way Foundation's `JSONEncoder` writes them.
enum JSONText {
    static func string(_ s: String, into out: inout String) {
        out += "\""
        var plain = true
        for u in s.utf8 where u < 0x20 || u == 0x22 || u == 0x5C { plain = false; break }
        if plain {
            out += s
        } else {
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\u{08}": out += "\\b"
                case "\u{0C}": out += "\\f"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    static func number(_ d: Double, into out: inout String) {
        // Whole numbers without a fraction (1, not 1.0), as JSONEncoder writes them.
        if d == d.rounded(), abs(d) < 1e15 {
            out += String(Int64(d))
        } else {
            out += d.description
        }
    }
}
