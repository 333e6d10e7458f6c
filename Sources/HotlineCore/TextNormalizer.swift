import Foundation

/// Normalises text the way residents really write it, before any matching:
/// NFKC (full-width → half-width), Traditional → Simplified, case folding, and every run of
/// whitespace, punctuation (but `?`), symbols and emoji collapsed to one space.
///
/// The hot path (ASCII, CJK ideographs, full-width forms) runs without allocating: the
/// Traditional → Simplified step is one array lookup per ideograph, in a table built once from
/// ICU's transform; only rarer scalars go through Foundation's NFKC.
public enum TextNormalizer {
    /// The normalised form of `text`, as Unicode scalars.
    public static func scalars(_ text: String) -> [Unicode.Scalar] {
        var builder = Builder(capacity: text.utf8.count / 2 + 4)
        for raw in text.unicodeScalars {
            let v = raw.value
            if v < 0x80 {
                builder.ascii(v)
            } else if v >= cjkFirst && v <= cjkLast {
                builder.keep(Unicode.Scalar(t2sFlat[Int(v - cjkFirst)])!)
            } else if v >= 0xFF01 && v <= 0xFF5E {
                builder.ascii(v - 0xFEE0)          // full-width ASCII block
            } else if v == 0x3000 {
                builder.separate()                 // ideographic space
            } else {
                for scalar in String(raw).precomposedStringWithCompatibilityMapping.unicodeScalars {
                    builder.general(scalar)
                }
            }
        }
        return builder.out
    }

    /// The normalised form of `text` as a string.
    public static func normalize(_ text: String) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars(text))
        return String(s)
    }

    /// Accumulates kept scalars, turning each run of dropped ones into a single space.
    private struct Builder {
        var out: [Unicode.Scalar] = []
        var pendingSpace = false

        init(capacity: Int) { out.reserveCapacity(capacity) }

        @inline(__always) mutating func keep(_ scalar: Unicode.Scalar) {
            if pendingSpace && !out.isEmpty { out.append(" ") }
            pendingSpace = false
            out.append(scalar)
        }

        @inline(__always) mutating func separate() { pendingSpace = true }

        /// ASCII: letters (folded to lower case), digits and `?` are kept.
        @inline(__always) mutating func ascii(_ v: UInt32) {
            switch v {
            case 0x30...0x39, 0x61...0x7A, 0x3F: keep(Unicode.Scalar(v)!)
            case 0x41...0x5A: keep(Unicode.Scalar(v + 0x20)!)
            default: separate()
            }
        }

        /// Any other scalar (already NFKC): kept if a letter, digit or mark, then folded and simplified.
        mutating func general(_ scalar: Unicode.Scalar) {
            let v = scalar.value
            if v < 0x80 { ascii(v); return }
            if v >= cjkFirst && v <= cjkLast { keep(Unicode.Scalar(t2sFlat[Int(v - cjkFirst)])!); return }
            guard isKept(scalar) else { separate(); return }
            let lower = scalar.properties.lowercaseMapping.unicodeScalars
            let folded = lower.count == 1 ? lower.first! : scalar
            keep(traditionalToSimplified[folded] ?? folded)
        }
    }

    /// Letters, digits and marks are kept; punctuation, symbols, spaces and emoji separate words.
    static func isKept(_ scalar: Unicode.Scalar) -> Bool {
        let props = scalar.properties
        if props.isEmojiPresentation || (props.isEmoji && scalar.value > 0x2000) { return false }
        switch props.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark:
            return true
        default:
            return false
        }
    }

    private static let cjkFirst: UInt32 = 0x4E00
    private static let cjkLast: UInt32 = 0x9FFF

    /// Traditional → Simplified for the CJK Unified Ideographs block, one entry per scalar (identity where unchanged).
    private static let t2sFlat: [UInt32] = (cjkFirst...cjkLast).map { traditionalToSimplified[Unicode.Scalar($0)!]?.value ?? $0 }

    /// Traditional → Simplified for single CJK scalars, built once from ICU.
    public static let traditionalToSimplified: [Unicode.Scalar: Unicode.Scalar] = buildTable(
        transform: StringTransform("Traditional-Simplified"))

    /// Simplified → Traditional, for replying in the script a resident wrote in.
    public static let simplifiedToTraditional: [Unicode.Scalar: Unicode.Scalar] = buildTable(
        transform: StringTransform("Simplified-Traditional"))

    /// Runs the ICU transform once over every CJK unified ideograph, one per line, and keeps the
    /// one-to-one changes.
    private static func buildTable(transform: StringTransform) -> [Unicode.Scalar: Unicode.Scalar] {
        let range: ClosedRange<UInt32> = cjkFirst...cjkLast
        var source = String.UnicodeScalarView()
        for v in range {
            source.append(Unicode.Scalar(v)!)
            source.append("\n")
        }
        guard let converted = String(source).applyingTransform(transform, reverse: false) else { return [:] }
        let lines = converted.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= range.count else { return [:] }
        var table: [Unicode.Scalar: Unicode.Scalar] = [:]
        for (offset, v) in range.enumerated() {
            let out = lines[offset].unicodeScalars
            if out.count == 1, let first = out.first, first.value != v {
                table[Unicode.Scalar(v)!] = first
            }
        }
        return table
    }

    /// The Simplified form of a CJK unified ideograph (itself when it has none); nil for any other
    /// scalar. Such ideographs have no compatibility form, so NFKC leaves them as they are.
    static func simplifiedIdeograph(_ s: Unicode.Scalar) -> Unicode.Scalar? {
        let v = s.value
        guard v >= cjkFirst && v <= cjkLast else { return nil }
        return Unicode.Scalar(t2sFlat[Int(v - cjkFirst)])
    }

    /// Builds the script tables now (ICU runs over 21,000 characters each) rather than on the first
    /// message that needs them, inside intake's write transaction where every waiting request pays.
    public static func prepare() {
        _ = t2sFlat.count
        _ = simplifiedToTraditional.count
    }

    /// `text` in Traditional script, character by character (for replies to residents who write Traditional).
    public static func toTraditional(_ text: String) -> String {
        let table = simplifiedToTraditional
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { out.append(table[scalar] ?? scalar) }
        return String(out)
    }

    /// Whether `text` uses Traditional characters that differ from their Simplified forms more
    /// than it uses Simplified ones.
    public static func looksTraditional(_ text: String) -> Bool {
        let t2s = traditionalToSimplified
        let s2t = simplifiedToTraditional
        var traditional = 0
        var simplified = 0
        for scalar in text.unicodeScalars {
            if t2s[scalar] != nil { traditional += 1 } else if s2t[scalar] != nil { simplified += 1 }
        }
        return traditional > simplified
    }
}
