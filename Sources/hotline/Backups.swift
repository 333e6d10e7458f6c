import ArgumentParser
import Foundation
import HotlineStorage

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the database to FILE while the service may be running (a consistent snapshot, checked before it gets its name).")
    @OptionGroup var db: DatabaseOption
    @Argument(help: "The backup file to write (must not exist).")
    var file: String

    func run() throws {
        let started = Date()
        do {
            let check = try DatabaseCopy.backup(databaseAt: db.database, to: file)
            CLI.printLine("backed up \(db.database) to \(file) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s: "
                          + "integrity ok, schema \(check.schema), \(check.cases) cases, \(check.messages) messages")
        } catch let error as CopyError {
            throw CLI.fail("\(error)")
        }
    }
}

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a backup in place of the database of a stopped deployment (the file it replaces is kept beside it).")
    @OptionGroup var db: DatabaseOption
    @Argument(help: "The backup file to restore.")
    var file: String

    func run() throws {
        do {
            let (replaced, check) = try DatabaseCopy.restore(file, into: db.database)
            CLI.printLine("restored \(file) into \(db.database): schema \(check.schema), \(check.cases) cases, \(check.messages) messages"
                          + (check.newestCase.map { ", newest case \(ISO8601DateFormatter().string(from: $0))" } ?? ""))
            if let replaced { CLI.printLine("the database it replaced is kept as \(replaced)") }
        } catch let error as CopyError {
            throw CLI.fail("\(error)")
        }
    }
}

struct Purge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove residents' texts and numbers past `retention:` (the service does it daily); recorded in the data audit.")
    @OptionGroup var files: FileOptions
    @OptionGroup var db: DatabaseOption
    @Flag(help: "Count what would go; change and record nothing.")
    var dryRun = false

    func run() async throws {
        _ = try openExisting(db.database)
        let hotline = try CLI.quietParts(files, db)
        let policy = hotline.settings.retention
        let counts = try await hotline.database.purge(policy, now: Date(), actor: "hotline purge", dryRun: dryRun)
        let limits = "cases closed over \(policy.closedCaseDays.map { "\($0) days" } ?? "(kept)") ago, messages of no case over "
            + "\(policy.unlinkedMessageDays.map { "\($0) days" } ?? "(kept)") old"
        CLI.printLine((dryRun ? "would remove" : "removed") + " (\(limits)): \(counts.cases) cases' texts and numbers with their \(counts.caseMessages) messages, "
                      + "\(counts.unlinkedMessages) messages of no case, \(counts.residents) residents, \(counts.tokens) expired tokens and codes")
    }
}
