import Foundation

/// A recipient's answer to a meeting notice (回执).
public enum RSVPAnswer: String, Sendable, Codable, CaseIterable {
    case coming
    case declined

    public var label: String { self == .coming ? "参加" : "不参加" }
}

/// An answer as read from a text.
public struct RSVPReply: Sendable, Equatable {
    public var answer: RSVPAnswer
    /// What followed the answer (`请假 出差` → 出差).
    public var note: String
    /// The notice named with `回执 N`, if any; else the latest open notice sent to the number.
    public var notice: Int?

    public init(answer: RSVPAnswer, note: String = "", notice: Int? = nil) {
        self.answer = answer
        self.note = note
        self.notice = notice
    }
}

/// Reads answers to notices, and decides when a text is one (pure).
///
/// Precedence, for a text that could be more than one thing:
/// - `回执 N …` is always an answer to notice N, from anyone.
/// - Without a notice open for the number (sent, answers still counted), nothing else is an answer:
///   a member's `请假` is leave, a resident's `1` a satisfaction answer or a message.
/// - A member with an open notice: `参加`, `请假 出差`, `1` … answer it; `请假 到 12-10` (a date)
///   stays the leave command, and every casework command (`接 3`, `回复 3 …`) stays a command.
/// - A resident with an open notice and a satisfaction question waiting: `1` and `2` answer
///   whichever of the two was sent last; words (`参加`, `请假`, `满意`) say which they answer.
public enum RSVP {
    /// Words that answer, normalised; strong ones may run straight into a note (`请假出差`).
    static let words: [(word: String, answer: RSVPAnswer, strong: Bool)] = {
        let coming: [(String, Bool)] = [("参加", false), ("参会", false), ("出席", false), ("准时参加", false), ("收到", false), ("好的", false),
                                        ("可以", false), ("好", false), ("来", false), ("1", false), ("yes", false), ("y", false), ("ok", false)]
        let declined: [(String, Bool)] = [("不参加", true), ("不能参加", true), ("参加不了", true), ("来不了", true), ("请假", true),
                                          ("缺席", true), ("不去", false), ("不来", false), ("2", false), ("no", false), ("n", false)]
        return (coming.map { ($0.0, RSVPAnswer.coming, $0.1) } + declined.map { ($0.0, RSVPAnswer.declined, $0.1) })
            .sorted { $0.word.count > $1.word.count }
    }()

    /// The characters an answer can start with (`回执` and `rsvp` included).
    static let firstCharacters: Set<String> = Set(words.map { String($0.word.prefix(1)) } + ["回", "r"])

    /// `参加`, `好`, `1`, `yes` / `请假 出差`, `不参加`, `2`, `no`, and `回执 12 参加`; nil for anything else.
    public static func parse(_ text: String) -> RSVPReply? {
        // Asked of every resident text: its size in bytes first (free), and its first character
        // before the text is split into characters and each word tried.
        guard text.utf8.count <= 800, text.count <= 200 else { return nil }
        for c in text {
            let n = Cursor.normalise(c)
            if Cursor.isSeparator(n) { continue }
            guard firstCharacters.contains(n) else { return nil }
            break
        }
        var cursor = Cursor(text)
        cursor.skipSeparators()
        var notice: Int?
        if cursor.consume(word: "回执") || cursor.consume(word: "rsvp") {
            cursor.skipSeparators()
            guard let ref = cursor.caseReference(), ref.studio == nil else { return nil }
            notice = ref.number
            cursor.skipSeparators()
        }
        for entry in words {
            var c = cursor
            guard c.consume(word: entry.word) else { continue }
            // `1` must not be the start of `12`, nor `好` of `好几天没水了`.
            guard c.atBoundary || entry.strong else { continue }
            c.skipSeparators()
            return RSVPReply(answer: entry.answer, note: c.rest, notice: notice)
        }
        return nil
    }

    /// A member's (or liaison's) text as an answer, or nil when it is a command (or nothing).
    public static func fromRoster(_ text: String, hasOpenNotice: Bool) -> RSVPReply? {
        guard let reply = parse(text) else { return nil }
        if reply.notice != nil { return reply }
        guard hasOpenNotice else { return nil }
        // `请假 到 12-10` / `请假 12月10日`: the leave command.
        if case .success(.away(until: .some)) = MemberCommandParser.parse(text) { return nil }
        return reply
    }

    /// A resident's text as an answer, or nil when it is something else (a satisfaction answer, a message).
    /// - Parameters:
    ///   - noticeSentAt: when the latest notice still open for them was sent (nil: none).
    ///   - surveyAskedAt: when they were asked the satisfaction question still waiting (nil: none).
    public static func fromResident(_ text: String, noticeSentAt: Date?, surveyAskedAt: Date?) -> RSVPReply? {
        guard let reply = parse(text) else { return nil }
        if reply.notice != nil { return reply }
        guard let noticeSentAt else { return nil }
        if let surveyAskedAt, surveyAskedAt > noticeSentAt, Satisfaction(answer: text) != nil { return nil }
        return reply
    }
}
