import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// WeChat's XML: one `<xml>` element whose children are fields (text or CDATA). Read with
/// Foundation's XMLParser, which resolves no external entities.
enum WeChatXML {
    /// The fields of `<xml>…</xml>`; nested elements are ignored.
    static func fields(_ bytes: [UInt8]) throws(WebhookError) -> [String: String] { try read(bytes).fields }

    /// The fields of `<xml>…</xml>`, and the fields of each `<List>` one level down in any of them
    /// (the items of a subscription event: `<SubscribeMsgPopupEvent><List>…</List></SubscribeMsgPopupEvent>`).
    static func read(_ bytes: [UInt8]) throws(WebhookError) -> (fields: [String: String], items: [[String: String]]) {
        // Foundation's XMLParser traps — the whole process dies — on an element name that is not
        // UTF-8 (found by the webhook-wechat fuzz target); WeChat sends UTF-8 only.
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformed("body is not UTF-8") }
        // WeChat sends no document type: one would only bring entities (billion laughs, external files).
        if text.range(of: "<!DOCTYPE", options: .caseInsensitive) != nil {
            throw .malformed("body is not WeChat's XML (it declares a DOCTYPE)")
        }
        let reader = FieldReader()
        let parser = XMLParser(data: Data(bytes))
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        guard parser.parse(), reader.root == "xml" else { throw .malformed("body is not WeChat's XML (<xml> with its fields)") }
        return (reader.fields, reader.items)
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
        /// `<List>` items at depth 3, each its fields (depth 4); at most ``maxItems``.
        var items: [[String: String]] = []
        static let maxItems = 50
        private var depth = 0
        private var current: String?
        private var text = ""
        private var item: [String: String]?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            depth += 1
            switch depth {
            case 1: root = name
            case 2, 4: (current, text) = (name, "")
            case 3 where name == "List" && items.count < Self.maxItems: item = [:]
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { if depth == 2 || depth == 4 { text += string } }

        func parser(_ parser: XMLParser, foundCDATA block: Data) { if depth == 2 || depth == 4 { text += String(decoding: block, as: UTF8.self) } }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            switch depth {
            case 2: if let current { fields[current] = text }
            case 4: if let current { item?[current] = text }
            case 3: if let done = item { items.append(done); item = nil }
            default: break
            }
            depth -= 1
        }
    }
}
