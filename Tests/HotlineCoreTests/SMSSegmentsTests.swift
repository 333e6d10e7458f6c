import Testing
@testable import HotlineCore

@Suite struct SMSSegmentsTests {
    @Test(arguments: [
        ("Case 8 received", SMSSegments.Encoding.gsm7, 1),
        (String(repeating: "a", count: 160), .gsm7, 1),
        (String(repeating: "a", count: 161), .gsm7, 2),
        (String(repeating: "a", count: 306), .gsm7, 2),
        (String(repeating: "a", count: 307), .gsm7, 3),
        (String(repeating: "[", count: 80), .gsm7, 1),       // extension characters count twice
        (String(repeating: "[", count: 81), .gsm7, 2),
        (String(repeating: "水", count: 70), .ucs2, 1),
        (String(repeating: "水", count: 71), .ucs2, 2),
        (String(repeating: "水", count: 134), .ucs2, 2),
        (String(repeating: "水", count: 135), .ucs2, 3),
        ("已收到 ok", .ucs2, 1),
        ("😀", .ucs2, 1),
    ])
    func encodingAndParts(text: String, encoding: SMSSegments.Encoding, parts: Int) {
        #expect(SMSSegments.encoding(of: text) == encoding)
        #expect(SMSSegments.parts(of: text) == parts)
    }

    @Test func fitCutsToTheLimitWithAnEllipsis() {
        let long = String(repeating: "停水", count: 100)   // 200 characters: 3 UCS-2 parts
        let fitted = SMSSegments.fit(long, maxParts: 2)
        #expect(SMSSegments.parts(of: fitted) == 2 && fitted.hasSuffix("…") && fitted.count == 134)
        #expect(SMSSegments.fit("短信", maxParts: 1) == "短信")
    }

    /// The one-walk cut gives what dropping a character and recounting gave (the old, quadratic way).
    @Test(arguments: [1, 2, 5])
    func fitAgreesWithDroppingOneCharacterAtATime(maxParts: Int) {
        func reference(_ text: String) -> String {
            guard SMSSegments.parts(of: text) > maxParts else { return text }
            var cut = Substring(text)
            while !cut.isEmpty && SMSSegments.parts(of: cut + "…") > maxParts { cut = cut.dropLast() }
            return cut + "…"
        }
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abc [水停😀é{") + ["👨‍👩‍👧", "e\u{301}"]
        for _ in 0..<200 {
            let text = String((0..<Int.random(in: 0...400, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            #expect(SMSSegments.fit(text, maxParts: maxParts) == reference(text), "\(text)")
        }
    }
}
