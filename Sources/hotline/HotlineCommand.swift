import ArgumentParser
import Foundation
import HotlineApp
import HotlineConfig
import Logging

@main
struct HotlineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotline",
        abstract: "StudioHotline: the messaging gateway behind a member studio's hotline (有话说,找委员).",
        subcommands: [Serve.self, Simulate.self, Classify.self, Check.self, Cases.self, CaseDetail.self, Messages.self, Outbox.self, Notices.self, Rolls.self, Report.self, Users.self, Backup.self, Restore.self, Purge.self, Residents.self])
}

/// Options shared by the commands that read configuration.
struct FileOptions: ParsableArguments {
    @Option(help: "Configuration folder (hotline.yaml, studios/*.yaml).")
    var config = "config"
    @Option(help: "Rule table folder (*.yaml).")
    var intents = "Intents"
}

/// The database option shared by commands that read or write cases.
struct DatabaseOption: ParsableArguments {
    @Option(help: "SQLite database file (created if missing).")
    var database = "data/hotline.sqlite"
}

enum CLI {
    /// Sets up logging to standard error at `level` (overridden by LOG_LEVEL).
    static func bootstrapLogging(_ level: Logger.Level, format: LogFormat = .text) {
        let chosen = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? level
        LoggingSystem.bootstrap { label in StandardErrorLogHandler(label: label, level: chosen, format: format) }
    }

    /// Prints configuration errors (one `file:line: message` per line) and exits 1.
    static func fail(_ errors: ConfigErrors) -> ExitCode {
        for error in errors.errors { FileHandle.standardError.write(Data("\(error)\n".utf8)) }
        return ExitCode(1)
    }

    static func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode(1)
    }

    static func paths(_ files: FileOptions, _ db: DatabaseOption) -> HotlinePaths {
        HotlinePaths(config: files.config, intents: files.intents, database: db.database)
    }

    /// The service state for a command that works on it outside `serve` (notices, users,
    /// reports): logging at warning, so that only what needs attention reaches the terminal.
    static func quietParts(_ files: FileOptions, _ db: DatabaseOption) throws -> HotlineParts {
        bootstrapLogging(.warning)
        return try parts(paths(files, db), logger: Logger(label: "hotline"))
    }

    /// Builds the service state, turning start-up failures into a clear message and exit 1.
    static func parts(_ paths: HotlinePaths, logger: Logger) throws -> HotlineParts {
        do {
            return try HotlineSetup.make(paths, logger: logger)
        } catch let errors as ConfigErrors {
            throw fail(errors)
        } catch {
            throw fail("\(error)")
        }
    }

    static func printLine(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
