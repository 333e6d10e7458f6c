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
