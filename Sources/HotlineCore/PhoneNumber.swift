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

    /// The number without its country code, as a key for recognising the same number however a
    /// provider writes it: `10690001`, `8610690001`, `+8610690001` and `+86 1069 0001` all give
    /// `10690001` (with calling code 86). Compare keys only with keys.
    public static func nationalKey(_ raw: String, countryCode: String = "86") -> String {
        var digits = normalize(raw, defaultCountryCode: countryCode)
        let international = digits.hasPrefix("+")
        if international { digits.removeFirst() }
        // A number of five digits or fewer after the code is no number with a code in front.
        if digits.hasPrefix(countryCode), digits.count - countryCode.count >= 5, international || digits.count > 8 {
            digits.removeFirst(countryCode.count)
        }
        return digits
    }

    /// `text` with every mobile number in it masked except `keep` (the recipient's own): what a
    /// resident is sent never carries a member's, a liaison's or another resident's number, however a
    /// member wrote it (`13800000003`, `+86 138-0000-0003`, full-width digits). Landlines and short
    /// numbers (a department's office, the hotline) stay as written.
    public static func maskMobiles(in text: String, keep: String, countryCode: String = "86") -> String {
        // Cheap exit: a mobile number needs at least eleven digits.
        guard text.unicodeScalars.count(where: { ("0"..."9").contains($0) || ("０"..."９").contains($0) }) >= 11 else { return text }
        let kept = nationalKey(keep, countryCode: countryCode)
        func isDigit(_ c: Character) -> Bool { c.unicodeScalars.count == 1 && (("0"..."9").contains(c) || ("０"..."９").contains(c)) }
        let chars = Array(text)
        var out = ""
        var i = 0
        while i < chars.count {
            guard isDigit(chars[i]) || ((chars[i] == "+" || chars[i] == "＋") && i + 1 < chars.count && isDigit(chars[i + 1])) else {
                out.append(chars[i])
                i += 1
                continue
            }
            // A run of digits, single spaces or dashes allowed between them.
            var j = i + 1
            var end = j
            while j < chars.count {
                if isDigit(chars[j]) {
                    j += 1
                    end = j
                } else if (chars[j] == " " || chars[j] == "-"), j + 1 < chars.count, isDigit(chars[j + 1]) {
                    j += 1
                } else {
                    break
                }
            }
            let run = String(chars[i..<end])
            let key = nationalKey(run, countryCode: countryCode)
            let isMobile = key.count == 11 && key.hasPrefix("1") && ("3"..."9").contains(key.dropFirst().first ?? "0")
            out += isMobile && key != kept ? mask(normalize(run, defaultCountryCode: countryCode)) : run
            i = end
        }
        return out
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
