/// A resident's word about broadcasts (notices): `退订` to get no more, `订阅` to get them again.
///
/// Only a text that is nothing but the keyword counts (case, width, script, spaces and
/// punctuation aside): `退订` is an opt-out, `我不想退订` or `停水了 STOP` is not. The words are
/// those Chinese operators and the gateways' own opt-out handling recognise (TD and T are what
/// Chinese SMS footers ask for: "回T退订"; STOP and its synonyms are Twilio's defaults).
public enum SubscriptionKeyword: String, Sendable, Equatable, CaseIterable {
    case optOut = "opt-out"
    case optIn = "opt-in"

    /// Normalised words (Simplified, lower case, half-width) per keyword.
    static let words: [String: SubscriptionKeyword] = {
        var words: [String: SubscriptionKeyword] = [:]
        for w in ["退订", "取消订阅", "退订短信", "td", "t", "stop", "stopall", "unsubscribe", "cancel", "end", "quit"] { words[w] = .optOut }
        // YES (Twilio's) is left out: it is an RSVP answer here.
        for w in ["订阅", "恢复订阅", "重新订阅", "start", "unstop"] { words[w] = .optIn }
        return words
    }()

    /// The length of the longest keyword, in characters.
    static let longest = words.keys.map(\.count).max() ?? 0

    /// Every character of every keyword: a text with any other (once normalised) is no keyword.
    static let letters = Set(words.keys.flatMap { $0 })

    /// The keyword `text` is, if it is one.
    public init?(text: String) {
        // Most texts are longer than any keyword: decide on length before normalising, looking at no
        // more than 25 characters (`count` broke every resident's whole text into characters,
        // inside intake's transaction).
        guard text.index(text.startIndex, offsetBy: 25, limitedBy: text.endIndex) == nil else { return nil }
        var word = ""
        var length = 0
        for c in text {
            // Characters that show nothing (zero-width spaces and joiners, a byte-order mark) are
            // no part of what the resident meant: `退\u{200B}订` is 退订.
            var n = Cursor.normalise(c)
            if n.unicodeScalars.contains(where: DigitForm.isInvisible) {
                n = String(String.UnicodeScalarView(n.unicodeScalars.filter { !DigitForm.isInvisible($0) }))
            }
            if n.allSatisfy({ $0.isWhitespace || $0.isPunctuation || $0.isSymbol }) { continue }
            // A resident's complaint is told from a keyword at its first letter, not its eighth
            // (each letter normalised cost ~0.7 µs, every resident's text comes here).
            guard n.allSatisfy(Self.letters.contains) else { return nil }
            word += n
            length += n.count
            // Longer than every keyword already: no need to normalise the rest (every resident's text comes here).
            if length > Self.longest { return nil }
        }
        guard let keyword = Self.words[word] else { return nil }
        self = keyword
    }
}
