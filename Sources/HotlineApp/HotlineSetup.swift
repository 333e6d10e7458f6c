import Foundation
import HotlineConfig
import HotlineCore
import HotlineStorage
import Logging

/// Where the service reads its configuration and keeps its data.
public struct HotlinePaths: Sendable {
    public var config: String
    public var intents: String
    public var database: String

    public init(config: String = "config", intents: String = "Intents", database: String = "data/hotline.sqlite") {
        self.config = config
        self.intents = intents
        self.database = database
    }
}

/// A start-up problem that is not in a file: e.g. a required secret missing from the environment.
public struct SetupError: Error, CustomStringConvertible {
    public var description: String
}

/// Loads configuration, rule table and database into ``HotlineParts``.
public enum HotlineSetup {
    /// Loads and validates `config/` and `Intents/`; every problem is reported with file and line.
    public static func load(_ paths: HotlinePaths) throws(ConfigErrors) -> (HotlineSettings, RuleTable) {
        var errors: [ConfigError] = []
        var settings: HotlineSettings?
        var table: RuleTable?
        // The rule table first: its topic catalog is what sectors and sla.topics may name.
        do { table = try RuleTableLoader.load(directory: paths.intents) } catch { errors += error.errors }
        do { settings = try ConfigLoader.load(directory: paths.config, topics: table?.topics) } catch { errors += error.errors }
        if let settings, let table {
            errors += table.missingFacts(studios: settings.deployment.studios).map {
                ConfigError(file: $0.location.file, line: $0.location.line, message: $0.message)
            }
        }
        guard let settings, let table, errors.isEmpty else { throw ConfigErrors(errors) }
        return (settings, table)
    }

    /// Topics the configuration names (sectors, `sla.topics`) that `topics` lacks: a rule table
    /// reloaded with a smaller catalog must not strand them.
    public static func unknownTopics(in settings: HotlineSettings, topics: TopicCatalog) -> [String] {
        var problems: [String] = []
        for sector in settings.deployment.sectors {
            for t in sector.topics where !topics.contains(t) { problems.append("sector \(sector.id) names topic '\(t)', which the rule table does not have") }
        }
        for t in settings.sla.topics.keys.sorted(by: { $0.rawValue < $1.rawValue }) where !topics.contains(t) {
            problems.append("sla.topics names topic '\(t)', which the rule table does not have")
        }
        for studio in settings.deployment.studios {
            for t in studio.sla.topics.keys.sorted(by: { $0.rawValue < $1.rawValue }) where !topics.contains(t) && settings.sla.topics[t] == nil {
                problems.append("studio \(studio.id): sla.topics names topic '\(t)', which the rule table does not have")
            }
        }
        return problems
    }

    /// Reads each channel's secret from the environment variable its config names.
    public static func secrets(for settings: HotlineSettings, environment: [String: String], logger: Logger) throws -> [String: String] {
        var secrets: [String: String] = [:]
        // Open311 publishes case texts (masked): only to those holding this token.
        if let token = environment[Open311.tokenEnv], !token.isEmpty { secrets[Open311.tokenSecret] = token }
        for channel in settings.channels {
            // Credentials for sending: required whenever the channel has them.
            for (key, name) in channel.options where key.hasSuffix("_env") {
                guard let value = environment[name], !value.isEmpty else {
                    throw SetupError(description: "channel \(channel.id): the environment variable \(name) (\(key)) is empty or unset")
                }
                secrets["\(channel.id).\(key.dropLast(4))"] = value
            }
            guard let name = channel.secretEnv else { continue }
            if let value = environment[name], !value.isEmpty {
                secrets[channel.id] = value
            } else if channel.requireSecret {
                throw SetupError(description: "channel \(channel.id): require_secret is set but the environment variable \(name) is empty or unset")
            } else {
                logger.warning("channel \(channel.id): \(name) is not set, so its webhook accepts unsigned requests")
            }
        }
        return secrets
    }

    /// Refuses to expose webhooks that would accept unsigned requests: a channel without its secret
    /// may only listen on loopback (the demo's default), never on an address others can reach.
    public static func checkExposure(_ parts: HotlineParts, host: String) throws {
        if let problem = parts.channels.exposureProblem(host: host) { throw SetupError(description: problem) }
    }

    /// Everything `hotline serve` needs, from the files and the environment.
    public static func make(_ paths: HotlinePaths, clock: WallClock = .system, environment: [String: String] = ProcessInfo.processInfo.environment,
                            logger: Logger) throws -> HotlineParts {
        let (settings, table) = try load(paths)
        let database = try AppDatabase.open(path: paths.database)
        return try HotlineParts(settings: settings, rules: table, database: database, clock: clock,
                           secrets: secrets(for: settings, environment: environment, logger: logger), logger: logger)
    }
}
