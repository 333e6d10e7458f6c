import Foundation

/// Phone-number handling: one canonical form per resident, and masks for logs and members.
public enum PhoneNumber {
    /// Canonical form: E.164 (`+8613800000001`) for numbers that look like mobile or landline
    /// numbers; short codes (hotline numbers such as `10690001`) are kept as digits.
    /// `13800000001`, `8613800000001`, `+86 138-0000-0001` and `008613800000001` are one number.
    public static func normalize(_ raw: String, defaultCountryCode: String = "86") -> String {
        let trimmed = raw.drop(while: \.isWhitespace)
        let hasPlus = trimmed.hasPrefix("+") || trimmed.hasPrefix("＋")
        // Collected as ASCII bytes (every inbound text's number goes through here; Characters cost more).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for scalar in trimmed.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39: bytes.append(UInt8(scalar.value))
            case 0xFF10...0xFF19: bytes.append(UInt8(scalar.value - 0xFF10 + 0x30))  // full-width digits count as digits
            default: break
            }
        }
        var digits = String(decoding: bytes, as: UTF8.self)
        if hasPlus { return "+" + digits }
        if digits.hasPrefix("00") {
            digits.removeFirst(2)
            return "+" + digits
        }
        if defaultCountryCode == "86" {
            // Chinese mobile numbers: 11 digits starting with 1[3-9].
            if digits.count == 11, digits.hasPrefix("1"), let second = digits.dropFirst().first, "3"..."9" ~= second {
                return "+86" + digits
            }
            if digits.count == 13, digits.hasPrefix("861") { return "+" + digits }
            return digits
        }
        if digits.count > 8, !digits.hasPrefix(defaultCountryCode) { return "+" + defaultCountryCode + digits }
        if digits.count > 8 { return "+" + digits }
        return digits
    }

    /// A number with its middle hidden, for logs and for what members see: `+86138****0001`.
    public static func mask(_ phone: String) -> String {
        let plus86 = phone.hasPrefix("+86")
        // Numbers are ASCII once normalised: masked over bytes (one character each; CR LF would be
        // one Character from two bytes, so it takes the general path).
        let bytes = Array(phone.utf8)
        if bytes.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) {
            let kept = maskedParts(count: bytes.count, plus86: plus86)
            return String(decoding: bytes.prefix(kept.head), as: UTF8.self) + String(repeating: "*", count: kept.stars)
                + String(decoding: bytes.suffix(kept.tail), as: UTF8.self)
        }
        let chars = Array(phone)
        let kept = maskedParts(count: chars.count, plus86: plus86)
        return String(chars.prefix(kept.head)) + String(repeating: "*", count: kept.stars) + String(chars.suffix(kept.tail))
    }

    /// How many characters a mask keeps at each end of a number of `count` characters, and how many
    /// stars stand between: `+86138****0001`, `****0001`, `1***5`, `**`.
    private static func maskedParts(count: Int, plus86: Bool) -> (head: Int, stars: Int, tail: Int) {
        if count > 7 { return (min(count - 8, plus86 ? 6 : 3), 4, 4) }
        if count > 2 { return (1, count - 2, 1) }
        return (0, 2, 0)
    }
}
