/// How a text travels as SMS: its encoding and how many parts it takes.
public enum SMSSegments {
    public enum Encoding: String, Sendable, Codable {
        /// The GSM 03.38 default alphabet: 160 characters in one part, 153 per part when split.
        case gsm7 = "GSM-7"
        /// Anything else (Chinese): 70 characters in one part, 67 per part when split.
        case ucs2 = "UCS-2"
    }

    /// GSM-7 basic characters (the extension table's characters count twice).
    private static let basic = Set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà".unicodeScalars)
    private static let extended = Set("^{}\\[~]|€\u{0C}".unicodeScalars)

    /// The encoding `text` needs.
    public static func encoding(of text: String) -> Encoding {
        text.unicodeScalars.allSatisfy { basic.contains($0) || extended.contains($0) } ? .gsm7 : .ucs2
    }

    /// `text` cut (with a closing `…`) so that it takes at most `maxParts` parts. Linear in the
    /// text's length: the cut is found in one walk, not by dropping a character and recounting.
    public static func fit(_ text: String, maxParts: Int) -> String {
        guard parts(of: text) > maxParts else { return text }
        // `…` is not GSM-7: a cut text is UCS-2, 70 code units in one part or 67 per part.
        let budget = (maxParts <= 1 ? 70 : maxParts * 67) - 1
        var used = 0
        var end = text.startIndex
        for index in text.indices {
            let units = text[index].utf16.count
            if used + units > budget { break }
            used += units
            end = text.index(after: index)
        }
        return text[..<end] + "…"
    }

    /// The number of parts `text` takes.
    public static func parts(of text: String) -> Int {
        switch encoding(of: text) {
        case .gsm7:
            let units = text.unicodeScalars.reduce(0) { $0 + (extended.contains($1) ? 2 : 1) }
            return units <= 160 ? 1 : (units + 152) / 153
        case .ucs2:
            // UTF-16 code units: characters outside the BMP take two.
            let units = text.utf16.count
            return units <= 70 ? 1 : (units + 66) / 67
        }
    }
}
