import Foundation

/// A WeChat follower binding a phone number (`绑定 13700000001`, then `绑定 123456` with the code
/// texted to that number), so that their SMS and WeChat history are one resident and texts WeChat
/// can no longer carry go to that number. The code proves the follower holds the phone: nobody
/// binds someone else's number.
public enum PhoneBinding {
    /// What a `绑定 …` text asks.
    public enum Request: Sendable, Equatable {
        /// Send a code to this number (as written: digits, and `+` if it had one).
        case phone(String)
        /// The code texted to the number.
        case code(String)
        /// `绑定` alone, or with a number that is neither: how to bind.
        case help
    }

    /// How many digits a code has.
    public static let codeLength = 6
    /// How long a code may be answered: long enough for its five tries at the pace the sender
    /// guard answers (five texts in ten minutes).
    public static let codeLifetime: TimeInterval = 15 * 60
    /// Wrong codes before the code is void (a new one must be asked for).
    public static let maxAttempts = 5
    /// Codes a number is sent in a day, whoever asks: binding is no way to bomb a phone with texts.
    public static let codesPerPhonePerDay = 3
    /// Codes a follower may ask for in a day.
    public static let codesPerFollowerPerDay = 5
    /// Codes a studio sends in a day, whoever asks: many bot followers cannot make the studio text
    /// a long list of numbers (each costs an SMS).
    public static let codesPerStudioPerDay = 200

    /// `绑定 137-0000-0001`, `綁定：１３７００００００01`, `bind 123456`; nil for a text that is not
    /// the command (`绑定银行卡被骗了` is a complaint, not a command: after the word, only digits and
    /// what people put between them).
    public static func request(_ text: String) -> Request? {
        for c in text {
            let n = Cursor.normalise(c)
            if Cursor.isSeparator(n) { continue }
            guard n == "绑" || n == "b" else { return nil }
            break
        }
        var cursor = Cursor(text)
        cursor.skipSeparators()
        guard cursor.consume(word: "绑定") || cursor.consume(word: "bind") else { return nil }
        var digits = "", plus = false
        for s in cursor.rest.unicodeScalars {
            if let d = DigitForm.value(s), s.value < 0x3400 || s.value > 0x9FFF { digits.append(Character(String(d))); continue }
            if (s == "+" || s == "＋") && digits.isEmpty { plus = true; continue }
            if DigitForm.isSeparator(s) || DigitForm.isInvisible(s) { continue }
            return nil
        }
        switch digits.count {
        case codeLength where !plus: return .code(digits)
        case 7...15: return .phone((plus ? "+" : "") + digits)
        default: return .help
        }
    }

    /// A new code: `codeLength` random digits.
    public static func newCode<G: RandomNumberGenerator>(using generator: inout G) -> String {
        String((0..<codeLength).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
    }
}
