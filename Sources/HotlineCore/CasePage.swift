import Foundation

/// The residents' case page: a mobile page of one case, reached by an unguessable token of that
/// case (no login), linked from the texts to the resident. It shows the case's state, who handles
/// it (never a phone number) and the replies, and asks the survey as buttons; it closes some days
/// after the case does.
public struct CasePage: Sendable, Equatable {
    /// How residents reach this service, e.g. `https://hotline.example.org`.
    public var publicURL: String
    /// Days after a case closes that its page still opens.
    public var keepDays: Int

    public init(publicURL: String, keepDays: Int = 30) { (self.publicURL, self.keepDays) = (publicURL, keepDays) }

    /// The page of the case with `token`.
    public func link(_ token: String) -> String {
        (publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL) + "/c/" + token
    }

    /// The `{link}` value of a text to the resident: the page's address with a word before it, or
    /// nothing when the case has no page.
    public func linkValue(_ token: String?) -> String { token.map { "详情:" + link($0) } ?? "" }

    /// Whether the page of a case closed at `closedAt` still opens at `now`.
    public func isOpen(closedAt: Date?, now: Date) -> Bool {
        guard let closedAt else { return true }
        return now < closedAt.addingTimeInterval(TimeInterval(keepDays) * 86_400)
    }

    /// A new token: 128 random bits, base64url (22 characters).
    public static func newToken() -> String {
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Whether `text` has a token's form (checked before any look-up).
    public static func isToken(_ text: String) -> Bool {
        text.count == 22 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
