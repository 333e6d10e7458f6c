import Foundation

/// A case as a member names it: `12`, `#12`, or `xujiawan-12` when they serve two studios.
public struct CaseReference: Sendable, Equatable, CustomStringConvertible {
    /// The studio id, when the member named one.
    public var studio: String?
    public var number: Int

    public init(studio: String? = nil, number: Int) {
        self.studio = studio
        self.number = number
    }

    public var description: String { studio.map { "\($0)-\(number)" } ?? String(number) }
}

/// A step of the six-step mediation of neighbour disputes (六尺巷工作法).
public enum MediationStep: String, Sendable, CaseIterable, Codable {
    case listen = "听", facts = "辨", persuade = "劝", help = "借", concede = "让", reconcile = "和"

    /// Accepts the Chinese character (Traditional too, after normalisation) or an English name.
    public init?(word: String) {
        let english: [String: MediationStep] = ["listen": .listen, "facts": .facts, "persuade": .persuade,
                                                "help": .help, "concede": .concede, "reconcile": .reconcile]
        if let step = MediationStep(rawValue: word) ?? english[word] { self = step } else { return nil }
    }
}

/// What a member (or liaison) asks for by text.
public enum MemberCommand: Sendable, Equatable {
    case accept(CaseReference)
    /// The text goes to the resident.
    case reply(CaseReference, text: String)
    /// Close, resolved locally, with the outcome.
    case done(CaseReference, outcome: String)
    /// To another member (id or name) or to a named department.
    case transfer(CaseReference, to: String)
    /// Escalate to a written proposal (提案).
    case proposal(CaseReference, note: String)
    /// Escalate to a social-conditions report (社情民意信息).
    case socialReport(CaseReference, note: String)
    /// Close without a solution, saying why (无法解决 N 原因).
    case unresolved(CaseReference, note: String)
    case list
    case show(CaseReference)
    /// No new cases until the date (nil: until `back`).
    case away(until: DateComponents?)
    case back
    case help
    case step(CaseReference, MediationStep, note: String)
    /// A liaison's short notice: `通知 全体委员 周三下午3点开会` (the audience word leads the text).
    case notice(text: String)
    /// A liaison's go-ahead for the notice they drafted by text: `确认 12`.
    case confirm(Int)
}

/// Why a member's text is not a command we can carry out, with the right form to show them.
public enum CommandProblem: Error, Sendable, Equatable {
    case unknownCommand
    case missingCase(usage: String)
    case missingText(usage: String)
    case badStep(usage: String)
    case badDate(usage: String)
}

/// Parses member commands: Chinese with English aliases, tolerant of full-width characters,
/// Traditional script, a `#` before the number, extra spaces and missing separators (pure).
public enum MemberCommandParser {
    enum Verb: CaseIterable {
        case accept, reply, done, transfer, proposal, social, unresolved, list, show, away, back, help, step, notice, confirm

        /// Words in normalised form (Simplified, lower case); longer words are tried first.
        var words: [String] {
            switch self {
            case .accept: ["受理", "接单", "接", "accept"]
            case .reply: ["回复", "回覆", "答复", "reply"]
            case .done: ["办结", "完成", "done", "close"]
            case .transfer: ["转交", "转办", "转", "transfer"]
            case .proposal: ["提案", "proposal"]
            case .social: ["社情", "report"]
            case .unresolved: ["无法解决", "未解决", "unresolved"]
            case .list: ["待办", "list"]
            case .show: ["查看", "查", "show"]
            case .away: ["请假", "away"]
            case .back: ["销假", "back"]
            case .help: ["帮助", "help", "?"]
            case .step: ["步骤", "step"]
            case .notice: ["通知", "notice"]
            case .confirm: ["确认", "confirm"]
            }
        }

        /// The right form, in one line.
        var usage: String {
            switch self {
            case .accept: "接 编号"
            case .reply: "回复 编号 内容"
            case .done: "办结 编号 结果"
            case .transfer: "转 编号 委员或部门"
            case .proposal: "提案 编号 [说明]"
            case .social: "社情 编号 [说明]"
            case .unresolved: "无法解决 编号 原因"
            case .list: "待办"
            case .show: "查 编号"
            case .away: "请假 [到 月-日]"
            case .back: "销假"
            case .help: "帮助"
            case .step: "步骤 编号 听/辨/劝/借/让/和 [备注]"
            case .notice: "通知 全体委员/某社区委员/联络员 内容"
            case .confirm: "确认 通知编号"
            }
        }
    }

    /// The form of `请假`, for a reply to a leave date that cannot be.
    public static var awayUsage: String { Verb.away.usage }

    /// The form of `通知`, for a reply to an audience that cannot be read.
    public static var noticeUsage: String { Verb.notice.usage }

    /// Every command's form, for `帮助`.
    public static let summary = "接N 回复N内容 办结N结果 转N委员/部门 提案N 社情N 无法解决N原因 待办 查N 请假[到月-日] 销假 步骤N劝备注"

    /// Every verb's words, longest first, built once.
    static let verbWords: [(Verb, String)] = Verb.allCases.flatMap { verb in verb.words.map { (verb, $0) } }.sorted { $0.1.count > $1.1.count }

    /// The command in `text`, or the problem with it.
    public static func parse(_ text: String) -> Result<MemberCommand, CommandProblem> {
        var cursor = Cursor(text)
        cursor.skipSeparators()
        guard let (verb, _) = verbWords.first(where: { cursor.consume(word: $0.1) }) else { return .failure(.unknownCommand) }
        switch verb {
        case .list: return .success(.list)
        case .back: return .success(.back)
        case .help: return .success(.help)
        case .notice:
            cursor.skipSeparators()
            let rest = cursor.rest
            return rest.isEmpty ? .failure(.missingText(usage: verb.usage)) : .success(.notice(text: rest))
        case .confirm:
            cursor.skipSeparators()
            guard let ref = cursor.caseReference(), ref.studio == nil else { return .failure(.missingCase(usage: verb.usage)) }
            return .success(.confirm(ref.number))
        case .away:
            cursor.skipSeparators()
            _ = cursor.consume(word: "到") || cursor.consume(word: "until")
            let rest = cursor.rest
            if rest.isEmpty { return .success(.away(until: nil)) }
            guard let date = parseDate(rest) else { return .failure(.badDate(usage: verb.usage)) }
            return .success(.away(until: date))
        default: break
        }
        cursor.skipSeparators()
        guard let reference = cursor.caseReference() else { return .failure(.missingCase(usage: verb.usage)) }
        cursor.skipSeparators()
        let rest = cursor.rest
        switch verb {
        case .accept: return .success(.accept(reference))
        case .show: return .success(.show(reference))
        case .proposal: return .success(.proposal(reference, note: rest))
        case .social: return .success(.socialReport(reference, note: rest))
        case .unresolved:
            return rest.isEmpty ? .failure(.missingText(usage: verb.usage)) : .success(.unresolved(reference, note: rest))
        case .reply, .done, .transfer:
            guard !rest.isEmpty else { return .failure(.missingText(usage: verb.usage)) }
            switch verb {
            case .reply: return .success(.reply(reference, text: rest))
            case .done: return .success(.done(reference, outcome: rest))
            default:
                // `转 12 给 M3` / `TRANSFER 12 to M3`: drop the little word before the target.
                var target = Cursor(rest)
                _ = target.consume(word: "给") || target.consume(word: "至") || target.consume(word: "到") || target.consume(word: "to ")
                target.skipSeparators()
                return target.rest.isEmpty ? .failure(.missingText(usage: verb.usage)) : .success(.transfer(reference, to: target.rest))
            }
        case .step:
            guard let first = cursor.nextWord(), let step = MediationStep(word: first) else {
                return .failure(.badStep(usage: verb.usage))
            }
            cursor.skipSeparators()
            return .success(.step(reference, step, note: cursor.rest))
        default: return .failure(.unknownCommand)
        }
    }

    /// `11-30`, `11月30日`, `2026-11-30`, `11/30` as date components (year optional).
    static func parseDate(_ text: String) -> DateComponents? {
        let numbers = text.split { !$0.isASCII || !$0.isNumber }.compactMap { Int($0) }
        let (year, month, day): (Int?, Int, Int)
        switch numbers.count {
        case 2: (year, month, day) = (nil, numbers[0], numbers[1])
        case 3: (year, month, day) = (numbers[0], numbers[1], numbers[2])
        default: return nil
        }
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        return DateComponents(year: year, month: month, day: day)
    }
}

/// What a resident can ask for by keyword.
public enum ResidentCommand {
    /// `查询 12` / `STATUS 12` / `查詢#12` → 12.
    public static func statusQuery(_ text: String) -> Int? {
        // Nearly every resident text is no query: decide on its first character before splitting
        // the whole text into characters.
        for c in text {
            let n = Cursor.normalise(c)
            if Cursor.isSeparator(n) { continue }
            guard n == "查" || n == "s" else { return nil }
            break
        }
        var cursor = Cursor(text)
        cursor.skipSeparators()
        guard cursor.consume(word: "查询") || cursor.consume(word: "status") else { return nil }
        cursor.skipSeparators()
        return cursor.caseReference()?.number
    }
}

/// Reads a command while keeping the member's own text for what goes to the resident: each
/// character is compared in normalised form (NFKC, Simplified, lower case), the rest is returned as written.
/// Characters are normalised only when looked at: every resident text is checked for `查询 N`, and
/// most are decided by their first character.
struct Cursor {
    private let original: [Character]
    private var index = 0

    init(_ text: String) {
        original = Array(text)
    }

    /// The normalised characters, read on demand.
    private var normal: Normalised { Normalised(original: original) }

    struct Normalised {
        let original: [Character]
        var count: Int { original.count }
        subscript(i: Int) -> String { Cursor.normalise(original[i]) }
    }

    static func normalise(_ character: Character) -> String {
        // ASCII and CJK unified ideographs have no compatibility form: skip NFKC (Foundation, slow).
        let scalars = character.unicodeScalars
        if scalars.count == 1, let s = scalars.first {
            if s.isASCII { return String(character).lowercased() }
            if let ideograph = TextNormalizer.simplifiedIdeograph(s) { return String(ideograph) }
        }
        let nfkc = String(character).precomposedStringWithCompatibilityMapping.lowercased()
        var out = String.UnicodeScalarView()
        for s in nfkc.unicodeScalars { out.append(TextNormalizer.traditionalToSimplified[s] ?? s) }
        return String(out)
    }

    var rest: String {
        String(original[index...]).trimmingCharacters(in: .whitespacesAndNewlines.union(.init(charactersIn: "::,,")))
    }

    /// Nothing left, or the next character is a space, a separator or punctuation: a word ends here.
    var atBoundary: Bool {
        guard index < normal.count else { return true }
        let n = normal[index]
        return Self.isSeparator(n) || n.allSatisfy { $0.isPunctuation || $0.isSymbol || $0.isWhitespace }
    }

    mutating func skipSeparators() {
        while index < normal.count, Self.isSeparator(normal[index]) {
            index += 1
        }
    }

    /// Whether a normalised character separates words (`#`, `:`, `,`, spaces …).
    static func isSeparator(_ n: String) -> Bool {
        ["#", ":", ",", "。", "、"].contains(n) || n.allSatisfy(\.isWhitespace)
    }

    /// Consumes `word` (normalised) when the text continues with it.
    mutating func consume(word: String) -> Bool {
        var i = index
        var remaining = Substring(word)
        while !remaining.isEmpty {
            guard i < normal.count, remaining.hasPrefix(normal[i]), !normal[i].isEmpty else { return false }
            remaining = remaining.dropFirst(normal[i].count)
            i += 1
        }
        // An English word must end there (`listen` is no `list`); Chinese runs straight on.
        if word.last?.isLetter == true, word.last?.isASCII == true, i < normal.count,
           let next = normal[i].first, next.isASCII, next.isLetter { return false }
        index = i
        return true
    }

    /// `12`, `#12`, `xujiawan-12`.
    mutating func caseReference() -> CaseReference? {
        let start = index
        var studio: String?
        var letters = ""
        while index < normal.count, let c = normal[index].first, c.isASCII, c.isLetter || c == "_" {
            letters += normal[index]
            index += 1
        }
        if !letters.isEmpty {
            guard index < normal.count, normal[index] == "-" else { index = start; return nil }
            studio = letters
            index += 1
            skipSeparators()
        }
        var digits = ""
        while index < normal.count, let c = normal[index].first, c.isASCII, c.isNumber {
            digits += normal[index]
            index += 1
        }
        guard let number = Int(digits) else { index = start; return nil }
        return CaseReference(studio: studio, number: number)
    }

    /// One word: up to a separator, or one CJK character.
    mutating func nextWord() -> String? {
        guard index < normal.count else { return nil }
        if let c = normal[index].unicodeScalars.first, c.value >= 0x3400 {
            index += 1
            return normal[index - 1]
        }
        var word = ""
        while index < normal.count, let c = normal[index].first, !c.isWhitespace {
            word += normal[index]
            index += 1
        }
        return word.isEmpty ? nil : word
    }
}
