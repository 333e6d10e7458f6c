import Foundation
import HotlineCore

/// The checks every channel makes on an inbound text's fields, before anything else is done with
/// them: the same rules for the JSON webhook, Kannel, Twilio and the Android gateway.
public enum InboundChecks {
    /// Longest provider id accepted.
    public static let maxIDLength = 200

    /// Whether a phone number may be written with `scalar`: digits (full-width too), `+`, spaces,
    /// dashes, brackets (a switch: every text's two numbers are checked, and `CharacterSet` cost
    /// more than the rest of the check).
    private static func isPhoneCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "0"..."9", "０"..."９", "+", "＋", " ", "-", "(", ")", "（", "）": true
        default: false
        }
    }

    /// A sender or hotline number checked before it is normalised: nothing but digits and the usual
    /// separators, 3 to 16 digits. The refusal names the field and shows the value masked.
    public static func phone(_ raw: String?, field: String, defaultCountryCode: String) throws(WebhookError) -> String {
        guard let raw, !raw.isBlank else { throw .malformed("field '\(field)' is missing") }
        var (scalars, digits, allowed) = (0, 0, true)
        for scalar in raw.unicodeScalars {
            scalars += 1
            if ("0"..."9").contains(scalar) || ("０"..."９").contains(scalar) { digits += 1 }
            if scalars > 40 || !isPhoneCharacter(scalar) { allowed = false; break }
        }
        guard allowed, (3...16).contains(digits) else {
            throw .malformed("field '\(field)' is not a phone number: '\(PhoneNumber.mask(String(sanitized(raw).prefix(40))))'")
        }
        return PhoneNumber.normalize(raw, defaultCountryCode: defaultCountryCode)
    }

    /// A provider's message id: present, at most ``maxIDLength`` characters, no control characters.
    public static func providerID(_ raw: String?, field: String) throws(WebhookError) -> String {
        guard let id = raw?.trimmedSpaces, !id.isEmpty else { throw .malformed("field '\(field)' is missing or empty") }
        guard id.unicodeScalars.count <= maxIDLength else { throw .malformed("field '\(field)' is longer than \(maxIDLength) characters") }
        guard !id.unicodeScalars.contains(where: { isControl($0) || $0.value < 0x20 }) else {
            throw .malformed("field '\(field)' contains control characters")
        }
        return id
    }

    /// What becomes of a text longer than the service takes.
    public enum OverLength: Sendable {
        /// Refused with a 400 naming the limit (the JSON webhook: its sender does not retry a 4xx forever).
        case refuse
        /// Stored cut to the limit and marked (SMS gateways: they retry a refusal, and the resident did send it).
        case cut
    }

    /// A message text: control characters removed (line breaks and tabs kept), not blank, and at
    /// most `maxLength` characters — longer ones refused or cut, as `overLength` says. The length is
    /// checked first and in one pass, so a huge text costs no more than reading it.
    public static func text(_ raw: String?, field: String, maxLength: Int, overLength: OverLength) throws(WebhookError) -> String {
        guard let raw else { throw .malformed("field '\(field)' is missing") }
        var text = raw
        // UTF-8 bytes bound the characters from above: most texts need no count at all.
        if text.utf8.count > maxLength, let cut = text.index(text.startIndex, offsetBy: maxLength, limitedBy: text.endIndex),
           cut != text.endIndex {
            switch overLength {
            case .refuse:
                throw .malformed("field '\(field)' is longer than \(maxLength) characters (\(text.count))")
            case .cut:
                text = String(text[..<cut]) + "…(超长已截断,原文\(text.count)字)"
            }
        }
        text = sanitized(text)
        guard !text.isBlank else { throw .malformed("field '\(field)' is empty") }
        return text
    }

    /// `text` without NUL and other control characters; line breaks and tabs stay.
    public static func sanitized(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.lazy.filter { !isControl($0) })
        return String(scalars)
    }

    /// C0 and C1 control characters and DEL, except line feed, carriage return and tab.
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x0A, 0x0D, 0x09: false
        case 0x00...0x1F, 0x7F...0x9F: true
        default: false
        }
    }
}
