/// The texts the service sends, with `{placeholder}`s; a studio may override any of them in config.
public struct ReplyTemplates: Sendable, Equatable {
    /// Built-in wording, used where a studio's config does not override it.
    public static let defaults: [String: String] = [
        "ack.complaint": "【{studio}】已收到您的诉求,编号{case}。由{assignee}负责办理,我们会尽快答复。查询进度请回复“查询 {case}”。",
        "ack.question": "【{studio}】已收到您的咨询,编号{case}。由{assignee}为您解答,请留意短信回复。",
        "ack.unclassified": "【{studio}】已收到您的来信,编号{case}。工作人员会尽快与您联系。",
        "answer": "【{studio}】{answer}(编号{case})",
        "member.notice": "【新{intent} {case}】{topic}|{area}|来自{resident}:{text} 回复“接 {case}”受理。",
        "register.done": "【{studio}】已登记您所在的社区/村:{area}。今后您反映的问题将优先转给联系{area}的委员。",
        "register.unknown": "【{studio}】没有找到“{name}”。可登记的社区/村:{areas}。请回复“登记 社区名”。",
    ]

    private var texts: [String: String]

    /// Defaults with `overrides` applied.
    public init(overrides: [String: String] = [:]) {
        texts = Self.defaults.merging(overrides) { _, new in new }
    }

    /// The text `name` with its placeholders filled; unknown placeholders are left as written
    /// (config validation rejects them before the server starts).
    public func render(_ name: String, _ values: [String: String]) -> String {
        guard let template = texts[name] else { return "" }
        return Self.fill(template, values)
    }

    /// `template` with each `{name}` replaced by `values[name]`; unknown names are left as written.
    public static func fill(_ template: String, _ values: [String: String]) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let key = String(rest[rest.index(after: open)..<close])
            out += values[key] ?? String(rest[open...close])
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// The placeholders `template` uses.
    public static func placeholders(in template: String) -> [String] {
        var found: [String] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            found.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return found
    }
}
