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
        if !json { CLI.printLine(Listings.caseHeader) }
        let view = try await CaseViews(database)
        for c in try await database.cases(studio: studio, limit: limit) {
            CLI.printLine(json ? try Listings.json(view(c)) : Listings.text(view(c)))
        }
    }
}

struct CaseDetail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case", abstract: "Show one case: its state, deadlines, outcome, survey, conversation and full audit trail.")

    @OptionGroup var db: DatabaseOption
    @Argument(help: "The case: 12, or xujiawan-12 when several studios have a case 12.")
    var reference: String
    @Flag(help: "JSON: the case on the first line, then one line per audit-trail entry.")
    var json = false

    func run() async throws {
        let database = try openExisting(db.database)
        let parts = reference.split(separator: "-")
        guard let number = parts.last.flatMap({ Int($0) }), parts.count <= 2 else {
            throw CLI.fail("'\(reference)' is not a case reference (12 or xujiawan-12)")
        }
        let studio = parts.count == 2 ? String(parts[0]) : nil
        let found = try await database.cases(studio: studio, number: number)
        guard found.count == 1, let c = found.first else {
            throw CLI.fail(found.isEmpty ? "no case \(reference)"
                           : "several studios have a case \(number): \(found.map { "\($0.studioId)-\(number)" }.joined(separator: ", "))")
        }
        let events = try await database.events(caseID: c.id!)
        let view = try await CaseViews(database)(c)
        if json {
            CLI.printLine(try Listings.json(view))
            for e in events { CLI.printLine(Listings.json(e)) }
            return
        }
        CLI.printLine(Listings.caseHeader)
        CLI.printLine(Listings.text(view))
        CLI.printLine("")
        CLI.printLine("audit trail:")
        for e in events { CLI.printLine(Listings.text(e)) }
        CLI.printLine("")
        CLI.printLine("conversation:")
        for m in try await database.conversation(caseID: c.id!) { CLI.printLine(Listings.text(m, caseNumber: c.number)) }
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
        let messages = try await database.messages(studio: studio, limit: limit)
        let numbers = try await database.caseNumbers(ids: messages.compactMap(\.caseId))
        for m in messages {
            let number = m.caseId.flatMap { numbers[$0]?.number }
            CLI.printLine(json ? Listings.json(m, caseNumber: number) : Listings.text(m, caseNumber: number))
        }
    }
}

/// Cases as the CLI shows them: the one view of a case, numbers whole (the CLI is the operator's,
/// on the machine that holds the database), members named from the roster stored at start-up.
struct CaseViews {
    let names: [String: [String: String]]
    let now = Date()

    init(_ database: AppDatabase) async throws { names = try await database.memberNames() }

    func callAsFunction(_ c: CaseRecord) -> CaseView {
        CaseView(c, memberName: c.assigneeId.flatMap { names[c.studioId]?[$0] }, now: now, showPhone: true)
    }
}

/// Opens a database that must already exist (listing commands never create one).
func openExisting(_ path: String) throws -> AppDatabase {
    guard FileManager.default.fileExists(atPath: path) else {
        throw CLI.fail("\(path): no database here (start `hotline serve` first, or pass --database)")
    }
    do { return try AppDatabase.open(path: path) } catch { throw CLI.fail("\(path): \(error)") }
}
