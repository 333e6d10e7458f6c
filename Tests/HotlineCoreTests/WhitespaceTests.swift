import Foundation
import HotlineCore
import Testing

struct WhitespaceTests {
    /// `trimmedSpaces` is Foundation's `trimmingCharacters(in: .whitespaces)` without its cost.
    @Test(arguments: [
        "", " ", "\t", "abc", " abc ", "\tabc\t", "\u{3000}退订\u{3000}", "\u{00A0}x\u{00A0}", "\u{2003}a b\u{2009}",
        "abc\n", "\nabc", " \n ", "sha256=ab ", "  sha256=AB\t", "a\u{200B}", "\u{200B}", "e\u{301} ", " \u{301}x",
        "\u{1680}x\u{202F}", "x\u{205F}", "\r\n", "👍🏽 ",
    ])
    func trimmedSpacesAsFoundation(_ s: String) {
        #expect(s.trimmedSpaces == s.trimmingCharacters(in: .whitespaces), "\(s.unicodeScalars.map { String($0.value, radix: 16) })")
    }
}

extension WhitespaceTests {
    /// Every scalar of the Basic Multilingual Plane, before and after a letter: trimmed as Foundation trims.
    @Test func everyBMPScalarTrimsAsFoundation() {
        var differ: [String] = []
        for v in 0...0xFFFF {
            guard let u = Unicode.Scalar(v) else { continue }
            let s = "\(Character(u))x\(Character(u))"
            if s.trimmedSpaces != s.trimmingCharacters(in: .whitespaces) { differ.append(String(v, radix: 16)) }
        }
        #expect(differ.isEmpty, "\(differ.prefix(20))")
    }
}
