import HotlineCore
import Synchronization

/// The rule table in force and one compiled classifier per studio, swapped whole when the
/// `Intents/` folder is reloaded; intake, the pages and the reloader share one.
public final class RuleBook: Sendable {
    private let studios: [Studio]
    private let compiled: Mutex<Compiled>

    struct Compiled: Sendable {
        var table: RuleTable
        var classifiers: [String: Classifier]
    }

    public init(_ table: RuleTable, studios: [Studio]) throws {
        TextNormalizer.prepare()
        self.studios = studios
        self.compiled = Mutex(try Self.compile(table, studios: studios))
    }

    static func compile(_ table: RuleTable, studios: [Studio]) throws -> Compiled {
        var classifiers: [String: Classifier] = [:]
        for studio in studios { classifiers[studio.id] = try Classifier(table: table, studio: studio.id) }
        return Compiled(table: table, classifiers: classifiers)
    }

    /// Replaces the rule table; on error the old one stays in service.
    public func reload(_ table: RuleTable) throws {
        let next = try Self.compile(table, studios: studios)
        compiled.withLock { $0 = next }
    }

    /// The rule table in force.
    public var table: RuleTable { compiled.withLock { $0.table } }

    /// The topic catalog of the rule table in force: names, order and urgent deadlines of topics.
    public var topics: TopicCatalog { compiled.withLock { $0.table.topics } }

    /// The classifier in force for a studio.
    public func classifier(studio: String) -> Classifier? {
        compiled.withLock { $0.classifiers[studio] }
    }
}
