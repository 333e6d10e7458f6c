/// A page model as the templates read it: nested dictionaries and arrays, made with one pass of
/// reflection over each value. swift-mustache finds each tag's name by reflection (a `Mirror` walk
/// of every field) and, for a name a section's row lacks (`t.…`, the words), again in each
/// enclosing value: the board's 50 rows against the words' 150 fields took 60 ms a page, 70% of it
/// in those walks. A dictionary answers each name at once.
enum MustacheTree {
    static func of(_ value: Any) -> Any {
        switch value {
        case is String, is Substring, is Bool, is Int, is Double: return value
        default: break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .struct?, .class?:
            var out: [String: Any] = [:]
            for child in mirror.children {
                // A nil field is no key, as reflection answered nil for it: the name is looked up
                // further out, and an inverted section shows.
                if let label = child.label, let field = unwrap(child.value) { out[label] = of(field) }
            }
            return out
        case .collection?, .set?:
            return mirror.children.map { of($0.value) }
        case .optional?:
            return mirror.children.first.map { of($0.value) } ?? value
        default:
            return value
        }
    }

    /// The value an optional holds (nil for none); any other value as it is.
    static func unwrap(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first?.value
    }
}
