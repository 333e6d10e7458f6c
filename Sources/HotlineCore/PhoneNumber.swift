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
    /// `10690001` (with calling code 86), and so does `010690001` (the trunk prefix `0`). Compare keys only with keys.
    public static func nationalKey(_ raw: String, countryCode: String = "86") -> String {
        var digits = normalize(raw, defaultCountryCode: countryCode)
        let international = digits.hasPrefix("+")
        if international { digits.removeFirst() }
        // A number of five digits or fewer after the code is no number with a code in front.
        if digits.hasPrefix(countryCode), digits.count - countryCode.count >= 5, international || digits.count > 8 {
            digits.removeFirst(countryCode.count)
        } else if !international, digits.hasPrefix("0"), !digits.hasPrefix("00"), digits.count > 5 {
            // The trunk prefix dialled within the country (`010690002`, `010-12345678`) is no part
            // of the number: E.164 drops it.
            digits.removeFirst()
        }
        return digits
    }

    /// `text` with every mobile number in it masked except `keep` (the recipient's own): what a
    /// resident is sent never carries a member's, a liaison's or another resident's number, however it
    /// is written — `13800000003`, `+86 138-0000-0003`, `138.0000.0003`, `138/0000/0003`, full-width
    /// or other Unicode digits, Chinese numerals (`一三八零…`), digits split by zero-width characters
    /// or by runs of spaces. Eleven digits `1[3-9]…` anywhere in a run of digits count, so a number
    /// glued to another (`编号12 13800000003`) is found too. Landlines and short numbers (a
    /// department's office, the hotline) stay as written.
    public static func maskMobiles(in text: String, keep: String, countryCode: String = "86") -> String {
        maskingMobiles(in: text, keep: keep, countryCode: countryCode).text
    }

    /// ``maskMobiles(in:keep:countryCode:)`` with how many numbers it masked.
    public static func maskingMobiles(in text: String, keep: String, countryCode: String = "86") -> (text: String, masked: Int) {
        let scalars = Array(text.unicodeScalars)
        // Cheap exit: a mobile number needs at least eleven digits.
        var count = 0
        for s in scalars where DigitForm.value(s) != nil { count += 1 }
        guard count >= 11 else { return (text, 0) }
        var masked = 0
        let kept = nationalKey(keep, countryCode: countryCode)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            guard DigitForm.value(scalars[i]) != nil else {
                out.append(scalars[i])
                i += 1
                continue
            }
            // A run: digits, with invisible characters anywhere and up to three visible separators between two digits.
            var digits: [(value: UInt8, at: Int)] = []
            var j = i, end = i, gap = 0
            while j < scalars.count {
                if let d = DigitForm.value(scalars[j]) {
                    digits.append((d, j))
                    j += 1
                    end = j
                    gap = 0
                } else if DigitForm.isInvisible(scalars[j]) {
                    j += 1
                } else if DigitForm.isSeparator(scalars[j]), gap < 3 {
                    gap += 1
                    j += 1
                } else {
                    break
                }
            }
            // Every `1[3-9]` and nine digits more in the run (with a `86` or `0086` before it) is masked.
            var masks: [(from: Int, to: Int, national: String)] = []
            var k = 0
            while k + 11 <= digits.count {
                guard digits[k].value == 1, (3...9).contains(digits[k + 1].value) else {
                    k += 1
                    continue
                }
                let national = String(decoding: digits[k..<(k + 11)].map { $0.value + 0x30 }, as: UTF8.self)
                var first = k
                let floor = masks.last.map { $0.to } ?? -1
                if k >= 2, digits[k - 2].value == 8, digits[k - 1].value == 6, k - 2 > floor {
                    first = k - 2
                    if first >= 2, digits[first - 2].value == 0, digits[first - 1].value == 0, first - 2 > floor { first -= 2 }
                }
                if national != kept { masks.append((first, k + 10, national)) }
                masked += national != kept ? 1 : 0
                k += 11
            }
            var at = i
            for m in masks {
                let from = digits[m.from].at
                out.append(contentsOf: scalars[at..<from])
                // `+86…` becomes one masked number, not a plus before it.
                if from == i, let last = out.last, last == "+" || last == "＋" { out.removeLast() }
                out.append(contentsOf: mask("+86" + m.national).unicodeScalars)
                at = digits[m.to].at + 1
            }
            out.append(contentsOf: scalars[at..<end])
            i = end
        }
        return (String(out), masked)
    }

    /// How many digits `text` holds, in any way of writing them (full width, Chinese numerals …).
    public static func digitCount(in text: String) -> Int {
        text.unicodeScalars.count { DigitForm.value($0) != nil }
    }

    /// Whether an address is written as a phone number at all: digits (full-width too), `+`,
    /// spaces, dashes and brackets. A channel's own address for a person (a WeChat follower's
    /// `wx:<OpenID>`) is not, and must never be read as digits to text.
    public static func isDialable(_ address: String) -> Bool {
        !address.isEmpty && address.unicodeScalars.allSatisfy { s in
            switch s.value {
            case 0x30...0x39, 0xFF10...0xFF19, 0x2B, 0xFF0B, 0x20, 0x2D, 0x28, 0x29, 0xFF08, 0xFF09: true
            default: false
            }
        }
    }

    /// Whether an address is a channel's own for a person: a short lower-case prefix, `:`, and an
    /// id of letters, digits, `_` and `-` (a WeChat follower's `wx:<OpenID>`). Such a person is
    /// reached only on the channel they wrote on.
    public static func isFollower(_ address: String) -> Bool {
        guard let colon = address.firstIndex(of: ":") else { return false }
        let prefix = address[..<colon], id = address[address.index(after: colon)...]
        return (1...8).contains(prefix.count) && prefix.allSatisfy { $0.isASCII && $0.isLowercase }
            && (1...64).contains(id.count) && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
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

/// The ways a digit is written in texts, for finding phone numbers however they are spelled.
enum DigitForm {
    /// The digit a scalar stands for: ASCII, full-width and every other Unicode decimal digit
    /// (superscript and circled ones too), and the Chinese numerals a number is read out in.
    static func value(_ s: Unicode.Scalar) -> UInt8? {
        let v = s.value
        if v < 0x80 { return (0x30...0x39).contains(v) ? UInt8(v - 0x30) : nil }
        if (0xFF10...0xFF19).contains(v) { return UInt8(v - 0xFF10) }
        if let d = chinese[v] { return d }
        // Chinese text is mostly CJK ideographs, and none but the numerals above is a digit: no
        // property look-up for them (this runs over every text sent to a resident).
        if (0x3400...0x9FFF).contains(v) { return nil }
        // Other scripts' digits: a property look-up, only for scalars beyond ASCII.
        let p = s.properties
        guard p.numericType == .decimal || p.numericType == .digit, let n = p.numericValue, n >= 0, n <= 9, n == n.rounded() else { return nil }
        return UInt8(n)
    }

    /// Chinese numerals as a number is read out or written in words (幺 for one, the financial forms).
    static let chinese: [UInt32: UInt8] = {
        var t: [UInt32: UInt8] = [:]
        let forms: [(String, UInt8)] = [("零〇", 0), ("一幺壹", 1), ("二两贰貳", 2), ("三叁參", 3), ("四肆", 4), ("五伍", 5), ("六陆陸", 6),
                                        ("七柒", 7), ("八捌", 8), ("九玖", 9)]
        for (chars, d) in forms { for s in chars.unicodeScalars { t[s.value] = d } }
        return t
    }()

    /// Characters that show nothing: zero-width spaces and joiners, format marks, combining marks,
    /// variation selectors (the keycap in `1️⃣` too).
    static func isInvisible(_ s: Unicode.Scalar) -> Bool {
        guard s.value >= 0x80 else { return false }
        switch s.properties.generalCategory {
        case .format, .nonspacingMark, .enclosingMark, .spacingMark: return true
        default: return false
        }
    }

    /// What people put between a number's digits: spaces of any kind, line breaks, dashes, dots,
    /// slashes, brackets, commas and colons, in ASCII and full width.
    static func isSeparator(_ s: Unicode.Scalar) -> Bool {
        if s.properties.isWhitespace { return true }
        if separators.contains(s) { return true }
        return s.value >= 0x80 && s.properties.generalCategory == .dashPunctuation
    }

    static let separators: Set<Unicode.Scalar> = Set(" -.,:/\\|_()[]\t\n\r·・•‧。．，：／＼｜＿（）［］－".unicodeScalars)
}
