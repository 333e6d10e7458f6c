import ArgumentParser
import Foundation
import HotlineApp
import HotlineStorage

struct Cases: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List cases, newest first.")

    @OptionGroup var db: DatabaseOption
    @Flag(help: "One JSON object per line.")
    var json = false
    @Option(help: "Only this studio's cases.")
    var studio: String?
    @Option(help: "At most this many.")
    var limit = 1000

    func run() async throws {
        let database = try openExisting(db.database)
        for c in try await database.cases(studio: studio, limit: limit) {
            CLI.printLine(json ? Listings.json(c) : Listings.text(c))
        }
    }
}

struct Messages: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List messages in both directions, newest first.")

    @OptionGroup var db: DatabaseOption
    @Flag(help: "One JSON object per line.")
    var json = false
    @Option(help: "Only this studio's messages.")
    var studio: String?
    @Option(help: "At most this many.")
    var limit = 1000

    func run() async throws {
        let database = try openExisting(db.database)
        let numbers = try await database.caseNumbers()
        for m in try await database.messages(studio: studio, limit: limit) {
            let number = m.caseId.flatMap { numbers[$0]?.number }
            CLI.printLine(json ? Listings.json(m, caseNumber: number) : Listings.text(m, caseNumber: number))
        }
    }
}

/// Opens a database that must already exist (listing commands never create one).
func openExisting(_ path: String) throws -> AppDatabase {
    guard FileManager.default.fileExists(atPath: path) else {
        throw CLI.fail("\(path): no database here (start `hotline serve` first, or pass --database)")
    }
    do { return try AppDatabase.open(path: path) } catch { throw CLI.fail("\(path): \(error)") }
}
