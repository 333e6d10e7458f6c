import HotlineCore
import Logging

/// swift-log's standard-error handler, with the logger's metadata formatted when a line is written
/// instead of whenever it changes. Hummingbird gives every request's logger a request id, and the
/// stream handler formatted all of a logger's metadata at each change: ≈ 2% of the service's CPU
/// per inbound message, for lines that are mostly never written.
struct StandardErrorLogHandler: LogHandler {
    private var stream: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(label: String, level: Logger.Level) {
        stream = .standardError(label: label)
        stream.logLevel = level
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        // The logger's metadata travels with the line; the statement's own wins, as in the stream handler.
        // Every value is escaped and its numbers masked: one event is one line, and no number is logged whole.
        event.metadata = metadata.merging(event.metadata ?? [:]) { _, explicit in explicit }.mapValues { .string(LogText.clean($0.description)) }
        event.message = Logger.Message(stringLiteral: LogText.clean(event.message.description))
        stream.log(event: event)
    }
}
