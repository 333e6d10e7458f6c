import Foundation
import Testing
@testable import HotlineStorage

/// A text's template values are written as JSON by hand (intake writes two per case): every value
/// reads back as it was, and Foundation's parser reads the text too.
@Suite struct TemplateValuesTests {
    @Test(arguments: [
        ["number": "xujiawan-12", "studio": "徐家湾委员工作室"],
        ["q": "He said \"停水\" \\ again", "nl": "line\nnext\r\n\ttab"],
        ["ctl": "\u{01}\u{1F}\u{7F}", "emoji": "👍🏽 ＷｉＦｉ", "zw": "a\u{200B}b"],
        ["": "", "Z": "upper", "a": "lower", "é": "accent", "10": "ten", "9": "nine"],
    ])
    func valuesReadBackAsTheyWere(values: [String: String]) throws {
        let json = try #require(TemplateValues.json(values))
        #expect(TemplateValues.values(json) == values)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
        #expect(parsed == values)
        // Keys in order, so that the same values are always the same text.
        let keys = values.keys.sorted()
        let positions = keys.map { json.utf8.firstRange(of: Array(("\"" + $0 + "\":").utf8))?.lowerBound }
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted() && !positions.contains(nil))
    }

    @Test func noValuesAreNoText() {
        #expect(TemplateValues.json([:]) == nil)
        #expect(TemplateValues.values(nil).isEmpty && TemplateValues.values("not json").isEmpty)
    }
}
