/// `application/x-www-form-urlencoded` fields (also a URL's query), decoded by hand: `+` is a space,
/// `%XX` a byte, the bytes UTF-8. Blank values are kept (Twilio signs them too).
public enum FormFields {
    /// The fields of the first part of a body that was cut short: a percent-escape or a UTF-8
    /// character that the cut split is dropped from the last field, which is kept as far as it came.
    public static func parse(cut encoded: some Collection<UInt8>) throws(WebhookError) -> [String: String] {
        var bytes = Array(encoded)
        // An escape cut in the middle (`%` or `%E`) at the very end.
        if let percent = bytes.suffix(2).lastIndex(of: UInt8(ascii: "%")) { bytes.removeSubrange(percent...) }
        guard let lastField = bytes.lastIndex(of: UInt8(ascii: "&")).map({ $0 + 1 }) ?? (bytes.isEmpty ? nil : 0) else { return [:] }
        var fields = try parse(bytes[..<lastField])
        let last = bytes[lastField...]
        guard let equals = last.firstIndex(of: UInt8(ascii: "=")) else { return fields }
        let name = try decode(last[..<equals])
        var value = try rawDecode(last[(equals + 1)...])
        // A character whose bytes the cut split: up to three bytes of an unfinished sequence.
        while !value.isEmpty, String(validating: value, as: UTF8.self) == nil, value.count > 0 { value.removeLast() }
        fields[name] = String(decoding: value, as: UTF8.self)
        return fields
    }

    /// The fields of `encoded`; a later repeat of a name wins.
    public static func parse(_ encoded: some Collection<UInt8>) throws(WebhookError) -> [String: String] {
        // One pass over the bytes (the generic `split` cost more than decoding).
        let bytes = Array(encoded)
        var fields: [String: String] = [:]
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                var equals = start
                while equals < end && bytes[equals] != UInt8(ascii: "=") { equals += 1 }
                let name = try decode(bytes[start..<equals])
                fields[name] = equals < end ? try decode(bytes[(equals + 1)..<end]) : ""
            }
            start = end + 1
        }
        return fields
    }

    /// Percent-decodes one name or value.
    static func decode(_ bytes: some Collection<UInt8>) throws(WebhookError) -> String {
        let out = try rawDecode(bytes)
        guard let text = String(validating: out, as: UTF8.self) else { throw .malformed("form data is not valid UTF-8") }
        return text
    }

    /// The bytes of one percent-encoded name or value.
    static func rawDecode(_ bytes: some Collection<UInt8>) throws(WebhookError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%") {
                let h = bytes.index(after: i)
                guard h != bytes.endIndex, bytes.index(after: h) != bytes.endIndex,
                      let hi = hex(bytes[h]), let lo = hex(bytes[bytes.index(after: h)]) else {
                    throw .malformed("bad percent-encoding in form data")
                }
                out.append(hi << 4 | lo)
                i = bytes.index(after: h)
            } else {
                out.append(b)
            }
            i = bytes.index(after: i)
        }
        return out
    }

    static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Percent-encodes a value for a query string (RFC 3986 unreserved characters stay as they are).
    public static func encode(_ value: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count * 3)
        append(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func append(_ value: String, to out: inout [UInt8]) {
        for b in value.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hexDigits[Int(b >> 4)], hexDigits[Int(b & 0x0F)]]
            }
        }
    }

    /// `name=value&…` with each part encoded.
    public static func encode(_ fields: [(String, String)]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(fields.reduce(0) { $0 + $1.0.utf8.count + 3 * $1.1.utf8.count + 2 })
        for (i, (name, value)) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "&")) }
            append(name, to: &out)
            out.append(UInt8(ascii: "="))
            append(value, to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

