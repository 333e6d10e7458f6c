import Foundation
import HotlineCore
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Every character XML 1.0 forbids, in every range, is kept out of the XML the service writes.
@Suite struct XMLTextTests {
    /// Each forbidden range, by its ends and one inside.
    static let forbidden: [UInt32] = [0x0, 0x1, 0x8, 0xB, 0xC, 0xE, 0x10, 0x1F, 0xFFFE, 0xFFFF]

    static func parses(_ xml: String) -> (ok: Bool, text: String) {
        final class Collector: NSObject, XMLParserDelegate {
            var text = ""
            func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
        }
        let c = Collector()
        let p = XMLParser(data: Data(xml.utf8))
        p.delegate = c
        return (p.parse(), c.text)
    }

    @Test(arguments: forbidden)
    func aForbiddenCharacterBecomesTheReplacementCharacter(value: UInt32) throws {
        let scalar = try #require(Unicode.Scalar(value))
        let text = "停水\(Character(scalar))三天<&>\""
        #expect(!Self.parses("<r>\(text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;"))</r>").ok)
        let escaped = XMLText.escape(text)
        let (ok, read) = Self.parses("<r a=\"\(escaped)\">\(escaped)</r>")
        #expect(ok)
        #expect(read == "停水\u{FFFD}三天<&>\"")
    }

    @Test func everyCharacterXMLAllowsIsKept() {
        let allowed = "\t\n\r 中文 \u{D7FF}\u{E000}\u{FFFD}\u{10000}\u{10FFFF}𝟏😀"
        #expect(XMLText.escape(allowed) == allowed)
        #expect((0...0x1F).filter { XMLText.isAllowed(Unicode.Scalar($0)!) } == [0x9, 0xA, 0xD])
    }
}
