/// What a message is: a complaint (投诉/诉求) or a question (咨询), or nothing the rule table recognised.
public enum Intent: String, Sendable, Codable, CaseIterable, Comparable {
    case complaint
    case question
    /// No rule matched: routed to a liaison, never guessed.
    case unclassified

    /// Chinese label for texts: 诉求, 咨询, 来信 (not classified).
    public var label: String {
        switch self {
        case .complaint: "诉求"
        case .question: "咨询"
        case .unclassified: "来信"
        }
    }

    /// `allCases`, stored once (`allCases` builds a new array on each call).
    public static let ordered = allCases

    public static func < (lhs: Intent, rhs: Intent) -> Bool {
        ordered.firstIndex(of: lhs)! < ordered.firstIndex(of: rhs)!
    }
}

/// What a case is about (类别): an id from the rule table's topic catalog (``TopicCatalog``, the
/// `topics:` of `Intents/*.yaml`), which decides who is best placed to handle it.
///
/// A plain id rather than an enum, so that a studio can add `agriculture` or `elderly_care` with a
/// file edit. The shipped ten have names here for code and tests; only two carry meaning in code:
/// ``other`` (a message without a topic) and ``neighbour`` (cases with mediation steps).
public struct Topic: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ id: String) { rawValue = id }
    public init(stringLiteral value: String) { rawValue = value }

    public var description: String { rawValue }

    // A bare string in JSON and in database columns, as when Topic was an enum.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    public static let water: Topic = "water"
    public static let roads: Topic = "roads"
    public static let housing: Topic = "housing"
    public static let utilities: Topic = "utilities"
    public static let environment: Topic = "environment"
    /// Disputes between households: cases get the mediation steps.
    public static let neighbour: Topic = "neighbour"
    public static let social: Topic = "social"
    public static let education: Topic = "education"
    public static let employment: Topic = "employment"
    /// Where a message that names no topic goes; every catalog has it.
    public static let other: Topic = "other"

    /// Whether `id` has the form of a topic id: lower-case ASCII letters, digits and `_`, starting
    /// with a letter, at most 40 characters (it is stored with every case and used in URLs).
    public static func isValidID(_ id: String) -> Bool {
        guard let first = id.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), id.utf8.count <= 40 else { return false }
        return id.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
    }
}
