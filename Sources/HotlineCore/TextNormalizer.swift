import Foundation

/// Normalises text the way residents really write it, before any matching:
/// NFKC (full-width → half-width), Traditional → Simplified, case folding, and every run of
/// whitespace, punctuation (but `?`), symbols and emoji collapsed to one space.
///
/// The Traditional → Simplified step uses a scalar table built once from ICU's transform, so the
/// per-message cost is a dictionary lookup per character rather than an ICU call.
public enum TextNormalizer {
    /// The normalised form of `text`, as Unicode scalars.
    public static func scalars(_ text: String) -> [Unicode.Scalar] {
        let table = traditionalToSimplified
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.unicodeScalars.count)
        var pendingSpace = false
        for raw in text.unicodeScalars {
            for scalar in compatibilityForm(raw) {
                if isKept(scalar) {
                    if pendingSpace && !out.isEmpty { out.append(" ") }
                    pendingSpace = false
                    out.append(fold(table[scalar] ?? scalar))
                } else {
                    pendingSpace = true
                }
            }
        }
        return out
    }

    /// The normalised form of `text` as a string.
    public static func normalize(_ text: String) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars(text))
        return String(s)
    }

    /// Letters, digits and ideographs are kept; everything else separates words.
    @inline(__always)
    static func isKept(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let v = scalar.value
            // '?' is kept: a question mark is one of the few cues an SMS question carries.
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x3F
        }
        let props = scalar.properties
        if props.isEmojiPresentation || props.isEmoji && scalar.value > 0x2000 { return false }
        switch props.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark:
            return true
        default:
            return false
        }
    }

    @inline(__always)
    static func fold(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar.value >= 0x41 && scalar.value <= 0x5A { return Unicode.Scalar(scalar.value + 0x20)! }
        if scalar.isASCII { return scalar }
        let lower = scalar.properties.lowercaseMapping.unicodeScalars
        return lower.count == 1 ? lower.first! : scalar
    }

    /// NFKC of one scalar; ASCII and CJK ideographs (the common case) are their own NFKC.
    @inline(__always)
    static func compatibilityForm(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        let v = scalar.value
        if v < 0x80 || (v >= 0x4E00 && v <= 0x9FFF) { return [scalar] }
        // Full-width ASCII block: the most frequent compatibility case in residents' texts.
        if v >= 0xFF01 && v <= 0xFF5E { return [Unicode.Scalar(v - 0xFEE0)!] }
        if v == 0x3000 { return [" "] }
        return Array(String(scalar).precomposedStringWithCompatibilityMapping.unicodeScalars)
    }

    /// Traditional → Simplified for single CJK scalars, built once from ICU.
    public static let traditionalToSimplified: [Unicode.Scalar: Unicode.Scalar] = buildTable(
        transform: StringTransform("Traditional-Simplified"))

    /// Simplified → Traditional, for replying in the script a resident wrote in.
    public static let simplifiedToTraditional: [Unicode.Scalar: Unicode.Scalar] = buildTable(
        transform: StringTransform("Simplified-Traditional"))

    /// Runs the ICU transform once over every CJK unified ideograph, one per line, and keeps the
    /// one-to-one changes.
    private static func buildTable(transform: StringTransform) -> [Unicode.Scalar: Unicode.Scalar] {
        let range: ClosedRange<UInt32> = 0x4E00...0x9FFF
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
