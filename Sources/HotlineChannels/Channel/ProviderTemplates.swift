import Foundation
import HotlineCore

/// How a text becomes a template send at a provider that delivers only templates approved in
/// advance (Tencent Cloud SMS, Aliyun SMS): the provider's template for the reply template the
/// text was made from, its parameters taken from the text's values in the configured order and cut
/// to the provider's length; a text with no template of its own (a notice, a command's long
/// answer) goes as `fallback`, which tells the reader there is a message and how to read it.
public enum ProviderTemplates {
    /// The template for every text without one of its own.
    public static let fallback = "fallback"
    /// The values `fallback` may use: every text has them, or they are given as "-". `token` is
    /// the case page's (``CasePage``): an approved template writes the page's address with the
    /// token as its variable (`https://hotline.example.org/c/{3}`), so that a text that cannot fit a
    /// template of its own — a member's reply in their own words — tells where to read it.
    public static let fallbackValues: Set<String> = ["studio", "case", "token"]
    /// Values never cut, whatever the provider's length: an id cut is none.
    static let whole: Set<String> = ["token", "case", "code"]
    /// Texts that only their own template can carry: a binding code in the fallback's place would
    /// tell the reader nothing they can use.
    public static let ownOnly: Set<String> = ["bind.code"]

    /// Names a template channel must map: the acknowledgements (they carry the case number) and
    /// the fallback.
    public static var required: [String] { ReplyTemplates.defaults.keys.filter { $0.hasPrefix("ack.") }.sorted() + [fallback] }

    /// The values template `name` may use, as the studio files' templates may (its built-in
    /// text's placeholders and the studio's name) but the case page's `link`: a provider cuts a
    /// parameter to a few characters, and an address cut is no address (a template that points to
    /// the page writes the address in its approved text); nil for a name no text has.
    public static func allowedValues(_ name: String) -> Set<String>? {
        if name == fallback { return fallbackValues }
        guard let builtIn = ReplyTemplates.defaults[name] else { return nil }
        return Set(ReplyTemplates.placeholders(in: builtIn)).subtracting(["link"]).union(["studio", "token"])
    }

    /// The value a parameter takes: `case`, or `character_string1=case` where the provider names
    /// its fields.
    public static func valueName(_ param: String) -> String { param.split(separator: "=", maxSplits: 1).last.map(String.init) ?? param }

    /// The provider's field a parameter fills (`character_string1`), nil where fields are by order.
    public static func fieldName(_ param: String) -> String? {
        let parts = param.split(separator: "=", maxSplits: 1)
        return parts.count == 2 ? String(parts[0]) : nil
    }

    /// `"1234567: case, assignee"` → the template (an id, then `:` and the values' names, if any).
    public static func parse(_ text: String) -> ProviderTemplate? {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let id = parts.first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else { return nil }
        let params = parts.count > 1 ? parts[1].split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } : []
        guard params.allSatisfy({ !$0.isEmpty }) else { return nil }
        return ProviderTemplate(id: id, params: params)
    }

    /// The provider's template id and parameters for `text`, each parameter at most `maxLength`
    /// characters but the ids (`case`, `token`); a value the text lacks is "-".
    public static func send(_ text: OutgoingText, templates: [String: ProviderTemplate], maxLength: Int) -> (id: String, params: [String])? {
        func value(_ param: String) -> String {
            let name = valueName(param)
            let value = text.values[name].flatMap { $0.isEmpty ? nil : $0 } ?? "-"
            return whole.contains(name) ? value : fit(value, maxLength: maxLength)
        }
        if let name = text.template, let own = templates[name] { return (own.id, own.params.map(value)) }
        guard !ownOnly.contains(text.template ?? ""), let fallback = templates[fallback] else { return nil }
        return (fallback.id, fallback.params.map(value))
    }

    /// A value cut to `maxLength` characters keeping its meaning: a masked number keeps its last
    /// digits (`+86137****0001` → `****0001`), other text its start and an ellipsis.
    public static func fit(_ value: String, maxLength: Int) -> String {
        let value = value.replacingOccurrences(of: "\n", with: " ")
        guard value.count > maxLength, maxLength > 0 else { return value }
        if value.contains("****"), let stars = value.range(of: "****") {
            let masked = "****" + value[stars.upperBound...]
            if masked.count <= maxLength { return masked }
        }
        return String(value.prefix(maxLength - 1)) + "…"
    }
}
