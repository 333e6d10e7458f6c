import Foundation
@testable import HotlineCore
import Testing

@Suite struct SubscriptionKeywordTests {
    @Test(arguments: [
        ("退订", SubscriptionKeyword.optOut), ("退訂", .optOut), ("TD", .optOut), ("td", .optOut), ("Ｔ", .optOut), ("t。", .optOut),
        ("STOP", .optOut), ("Stop!", .optOut), ("unsubscribe", .optOut), ("取消订阅", .optOut), (" 退 订 ", .optOut),
        ("订阅", .optIn), ("START", .optIn), ("unstop", .optIn), ("恢復訂閱", .optIn),
        // Spread out, full width, zero-width characters between: the longest keyword still counts
        // (the check stops only once the text is longer than every keyword).
        ("u n s u b s c r i b e", .optOut), ("ＵＮＳＵＢＳＣＲＩＢＥ", .optOut), ("退\u{200B}订", .optOut), ("\u{FEFF}STOP\u{200D}", .optOut),
        // Up to 24 characters in all, whatever surrounds the word.
        (String(repeating: " ", count: 11) + "退订" + String(repeating: " ", count: 11), .optOut),
    ])
    func keywords(text: String, keyword: SubscriptionKeyword) {
        #expect(SubscriptionKeyword(text: text) == keyword)
    }

    @Test(arguments: ["我不想退订", "停水了 STOP", "yes", "1", "参加", "退订了吗?怎么还收到", "", "tt", "stop it", "unsubscribeX", "u n s u b s c r i b e d", String(repeating: "退订", count: 20),
                       String(repeating: " ", count: 12) + "退订" + String(repeating: " ", count: 11)])
    func noKeyword(text: String) {
        #expect(SubscriptionKeyword(text: text) == nil)
    }

    /// The check stops at a text's first letter that is in no keyword: the same answers as reading
    /// the whole text normalised, for the fixture's residents' texts cut to every length up to 24
    /// and for each keyword spread out, in full width, between invisible characters, and with one
    /// more letter or digit before, inside or after it.
    @Test func stoppingEarlyAnswersAsReadingItAll() throws {
        func reference(_ text: String) -> SubscriptionKeyword? {
            guard text.count < 25 else { return nil }
            var word = ""
            for c in text {
                let n = String(String.UnicodeScalarView(Cursor.normalise(c).unicodeScalars.filter { !DigitForm.isInvisible($0) }))
                if n.allSatisfy({ $0.isWhitespace || $0.isPunctuation || $0.isSymbol }) { continue }
                word += n
            }
            return SubscriptionKeyword.words[word]
        }
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/resident-messages.tsv")
        let texts = try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n").dropFirst().map { String($0.split(separator: "\t")[0]) }
        var inputs = texts.flatMap { text in (1...24).map { String(text.prefix($0)) } }
        for word in SubscriptionKeyword.words.keys {
            let wide = String(String.UnicodeScalarView(word.unicodeScalars.map { $0.isASCII && $0.properties.isAlphabetic ? Unicode.Scalar($0.value + 0xFEE0)! : $0 }))
            inputs += [word, word.uppercased(), wide, word.map(String.init).joined(separator: " "), word.map(String.init).joined(separator: "\u{200B}")]
            for extra in ["x", "7", "了", "Ｑ", "订", "t"] {
                inputs += [extra + word, word + extra, String(word.prefix(1)) + extra + String(word.dropFirst())]
            }
        }
        var found = 0
        for text in inputs {
            #expect(SubscriptionKeyword(text: text) == reference(text), "\(text)")
            if reference(text) != nil { found += 1 }
        }
        // Both answers occur: keywords found, and texts that are none.
        #expect(found > 50 && found < inputs.count / 2, "\(found) of \(inputs.count)")
    }
}
