import HotlineCore

/// The admin API's OpenAPI 3.1 document (`Sources/HotlineApp/openapi.yaml`, compiled in).
public enum OpenAPIDocument {
    /// The document as committed: its `Topic` schema lists the shipped catalog.
    public static let yaml = String(decoding: PackageResources.openapi_yaml, as: UTF8.self)

    /// The document for a deployment whose rule table has `topics`: the `Topic` schema's enum lists
    /// them, so that clients and contract tests see the topics this server accepts.
    public static func yaml(topics: TopicCatalog) -> String {
        let shipped = enumLine(TopicCatalog.standard)
        guard topics != .standard, yaml.contains(shipped) else { return yaml }
        return yaml.replacingOccurrences(of: shipped, with: enumLine(topics))
    }

    static func enumLine(_ topics: TopicCatalog) -> String {
        "      enum: [\(topics.ids.map(\.rawValue).joined(separator: ", "))]\n    Intent:"
    }
}
