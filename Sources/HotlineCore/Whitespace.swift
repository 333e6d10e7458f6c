import Foundation

extension StringProtocol {
    /// Nothing but whitespace (or empty). Foundation's `trimmingCharacters(in:)` costs more than
    /// the rest of an inbound request's parsing.
    public var isBlank: Bool { allSatisfy(\.isWhitespace) }

    /// Without leading and trailing whitespace.
    public var trimmed: Substring {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return Substring(self[first...last])
    }
}
