import Foundation
import HotlineCore
import Logging
import Synchronization

/// How log lines are written: readable text, or one JSON object per line for log collectors.
enum LogFormat: String, CaseIterable, Sendable {
    case text, json
}

/// swift-log's standard-error handler, with the logger's metadata formatted when a line is written
/// instead of whenever it changes. Hummingbird gives every request's logger a request id, and the
/// stream handler formatted all of a logger's metadata at each change: ≈ 2% of the service's CPU
/// per inbound message, for lines that are mostly never written.
struct StandardErrorLogHandler: LogHandler {
    private var stream: StreamLogHandler
    private let label: String
    private let format: LogFormat
    var metadata: Logger.Metadata = [:]

    init(label: String, level: Logger.Level, format: LogFormat = .text) {
        stream = .standardError(label: label)
        stream.logLevel = level
        self.label = label
        self.format = format
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
        guard format == .json else { return stream.log(event: event) }
        var object: [String: String] = [:]
        for (k, v) in event.metadata ?? [:] { object[k] = v.description }
        object["ts"] = Date().formatted(.iso8601)
        object["level"] = event.level.rawValue
        object["label"] = label
        object["source"] = event.source
        object["message"] = event.message.description
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        Self.writeLock.withLock { _ in FileHandle.standardError.write(data + Data("\n".utf8)) }
    }

    /// One line at a time, whole.
    private static let writeLock = Mutex(())
}
