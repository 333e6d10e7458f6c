import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// WeChat's XML: one `<xml>` element whose children are fields (text or CDATA). Read with
/// Foundation's XMLParser, which resolves no external entities.
enum WeChatXML {
    /// The fields of `<xml>…</xml>`; nested elements are ignored.
    static func fields(_ bytes: [UInt8]) throws(WebhookError) -> [String: String] {
        // WeChat sends no document type: one would only bring entities (billion laughs, external files).
        if String(decoding: bytes, as: UTF8.self).range(of: "<!DOCTYPE", options: .caseInsensitive) != nil {
            throw .malformed("body is not WeChat's XML (it declares a DOCTYPE)")
        }
        let reader = FieldReader()
        let parser = XMLParser(data: Data(bytes))
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        guard parser.parse(), reader.root == "xml" else { throw .malformed("body is not WeChat's XML (<xml> with its fields)") }
        return reader.fields
    }

    /// `<xml>` with `fields` in order, each value in CDATA unless it is a number.
    static func document(_ fields: [(String, String)]) -> String {
        var out = "<xml>"
        for (name, value) in fields {
            if !value.isEmpty, value.allSatisfy(\.isASCII), value.allSatisfy(\.isNumber) {
                out += "<\(name)>\(value)</\(name)>"
            } else {
                // "]]>" cannot stand inside CDATA: split it across two sections.
                out += "<\(name)><![CDATA[\(value.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>"))]]></\(name)>"
            }
        }
        return out + "</xml>"
    }

    private final class FieldReader: NSObject, XMLParserDelegate {
        var root: String?
        var fields: [String: String] = [:]
        private var depth = 0
        private var current: String?
        private var text = ""

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            depth += 1
            if depth == 1 { root = name } else if depth == 2 { (current, text) = (name, "") }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { if depth == 2 { text += string } }

        func parser(_ parser: XMLParser, foundCDATA block: Data) { if depth == 2 { text += String(decoding: block, as: UTF8.self) } }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if depth == 2, let current { fields[current] = text }
            depth -= 1
        }
    }
}
