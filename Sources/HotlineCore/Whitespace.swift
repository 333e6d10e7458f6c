import Foundation

extension StringProtocol {
    /// Nothing but whitespace (or empty). Foundation's `trimmingCharacters(in:)` costs more than
    /// the rest of an inbound request's parsing.
    public var isBlank: Bool { allSatisfy(\.isWhitespace) }

    /// Without leading and trailing spaces and tabs, as Foundation's `trimmingCharacters(in: .whitespaces)`
    /// (Unicode's space separators, the tab and the zero-width space, scalar by scalar; newlines stay), at a fraction of
    /// its cost: it went through NSString for every signed webhook.
    public var trimmedSpaces: String {
        // Foundation's set on Linux: the tab, the space separators, and the zero-width space.
        func space(_ u: Unicode.Scalar) -> Bool { u == "\t" || u == "\u{200B}" || u.properties.generalCategory == .spaceSeparator }
        let scalars = Substring(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !space($0) }), let last = scalars.lastIndex(where: { !space($0) }) else { return "" }
        return String(Substring(scalars[first...last]))
    }

    /// Without leading and trailing whitespace.
    public var trimmed: Substring {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return Substring(self[first...last])
    }
}
