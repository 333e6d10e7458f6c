extension JSONText {
    /// `[1,2,3]`.
    public static func array(_ numbers: [Int64]) -> String {
        "[" + numbers.map(String.init).joined(separator: ",") + "]"
    }

    /// `{"key":"value",…}` with the keys sorted (a text's template values).
    public static func object(_ fields: [String: String]) -> String {
        var out = JSONText(capacity: 64)
        out.raw("{")
        for (i, key) in fields.keys.sorted().enumerated() {
            if i > 0 { out.raw(",") }
            out.string(key)
            out.raw(":")
            out.string(fields[key] ?? "")
        }
        out.raw("}")
        return out.text
    }

    /// A flat JSON object, `{"key":value,…}` with the keys sorted: strings, booleans and numbers,
    /// nil left out, anything else as its description in a string (a webhook's answer, a text's
    /// template values). Foundation's `JSONSerialization` with sorted keys compares the keys
    /// through ICU with a locale made for each comparison: on intake's path that was half of its CPU.
    public static func object(_ fields: [String: (any Sendable)?]) -> String {
        var out = JSONText(capacity: 64)
        out.raw("{")
        var first = true
        for key in fields.keys.sorted() {
            guard let value = fields[key] ?? nil else { continue }
            if !first { out.raw(",") }
            first = false
            out.string(key)
            out.raw(":")
            switch value {
            case let s as String: out.string(s)
            case let b as Bool: out.raw(b ? "true" : "false")
            case let n as any BinaryInteger: out.raw("\(n)")
            case let d as Double where d.isFinite: out.number(d)
            default: out.string("\(value)")
            }
        }
        out.raw("}")
        return out.text
    }
}

extension Sequence<UInt8> {
    /// Lowercase hex of the bytes (digests, signatures), without `String(format:)`, which goes
    /// through a locale for every byte (9% of a signed webhook's CPU).
    public var lowercaseHex: String {
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        // Two appends, not `+= [a, b]`: that made an array a byte (a webhook signature's 32).
        for b in self {
            out.append(hexDigit(b >> 4))
            out.append(hexDigit(b & 0xF))
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The ASCII of one lowercase hex digit (0–15).
@inline(__always) private func hexDigit(_ n: UInt8) -> UInt8 { n < 10 ? 0x30 + n : 0x57 + n }
