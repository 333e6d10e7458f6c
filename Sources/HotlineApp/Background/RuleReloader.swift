import Foundation
import HotlineConfig
import HotlineCore
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Reloads the rule table when `Intents/` changes or on SIGHUP; a broken edit keeps the old table
/// in service and logs every error with file and line.
public final class RuleReloader: Service {
    let rules: RuleBook, settings: HotlineSettings, logger: Logger, directory: String, interval: Duration
    private let lastSeen: Mutex<String>

    public init(_ parts: HotlineParts, directory: String, interval: Duration = .seconds(1)) {
self.rules = parts.rules
        (self.settings, self.logger, self.directory, self.interval) = (parts.settings, parts.logger, directory, interval)
        self.lastSeen = Mutex(Self.fingerprint(directory))
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup) {
                    self.reload(reason: "SIGHUP")
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.interval)
                    self.reloadIfChanged()
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }

    /// Reloads when the files' names, sizes or modification times differ from the last load.
    func reloadIfChanged() {
        let now = Self.fingerprint(directory)
        let changed = lastSeen.withLock { last in
            defer { last = now }
            return last != now
        }
        if changed { reload(reason: "files changed") }
    }

    /// Loads the table and swaps it in; on any error the old table stays.
    @discardableResult
    public func reload(reason: String) -> Bool {
        do {
            let table = try RuleTableLoader.load(directory: directory)
            let missing = table.missingFacts(studios: settings.deployment.studios)
            guard missing.isEmpty else { throw ConfigErrors(missing.map { ConfigError(file: $0.location.file, line: $0.location.line, message: $0.message) }) }
            let stranded = HotlineSetup.unknownTopics(in: settings, topics: table.topics)
            guard stranded.isEmpty else { throw ConfigErrors(stranded.map { ConfigError(file: directory, line: 1, message: $0) }) }
            try rules.reload(table)
            logger.info("rule table reloaded (\(reason)): \(table.rules.count) rules")
            return true
        } catch {
            logger.error("rule table NOT reloaded (\(reason)), the previous one stays in service:\n\(error)")
            return false
        }
    }

    /// Names, sizes and modification times of the rule files.
    static func fingerprint(_ directory: String) -> String {
        let fm = FileManager.default
        let names = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        return names.map { name in
            let attrs = try? fm.attributesOfItem(atPath: (directory as NSString).appendingPathComponent(name))
            let size = (attrs?[.size] as? NSNumber)?.intValue ?? -1
            let time = (attrs?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(name):\(size):\(time)"
        }.joined(separator: "|")
    }
}
