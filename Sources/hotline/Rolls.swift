import ArgumentParser
import Foundation
import HotlineApp
import HotlineCore
import HotlineStorage

struct Rolls: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rolls of participants (a 1+6+X roll per studio and area), kept for the next meeting's notice (--to roll:NAME).",
        subcommands: [Import.self, List.self, Show.self], defaultSubcommand: List.self)

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a roll from a CSV file (name,phone,role,area; UTF-8 with or without BOM, or GB18030), replacing one of that name.")
        @OptionGroup var files: FileOptions
        @OptionGroup var db: DatabaseOption
        @Option(help: "The studio keeping it.")
        var studio: String
        @Option(help: "The roll's name, e.g. 龙湖社区议事会.")
        var name: String
        @Option(help: "The area of rows that give none.")
        var area: String?
        @Argument(help: "The CSV file.")
        var file: String

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw CLI.fail("\(file): cannot read the file") }
            let desk = try Notices.desk(files, db)
            do {
                let entries = try await desk.importRoll(studio: studio, name: name, csv: data, area: area)
                let roles = Dictionary(grouping: entries, by: \.role).map { "\($0.key) \($0.value.count)" }.sorted().joined(separator: ", ")
                CLI.printLine("roll \(name): \(entries.count) participants (\(roles))")
            } catch let NoticeService.Problem.rows(errors) {
                for e in errors { FileHandle.standardError.write(Data("\(file):\(e.line): \(e.problem)\n".utf8)) }
                throw ExitCode(1)
            } catch let p as NoticeService.Problem { throw CLI.fail(p.description) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Rolls: studio, name, how many, areas.")
        @OptionGroup var db: DatabaseOption
        @Option(help: "Only this studio's.")
        var studio: String?

        func run() async throws {
            for r in try await openExisting(db.database).rolls(studio: studio) {
                CLI.printLine("\(r.studio)\t\(r.name)\t\(r.count) participants\t\(r.areas.joined(separator: "、"))")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The people on a roll, in the file's order.")
        @OptionGroup var db: DatabaseOption
        @Option(help: "The studio.")
        var studio: String
        @Argument(help: "The roll's name.")
        var name: String
        @Flag(help: "One JSON object per line.")
        var json = false

        func run() async throws {
            let entries = try await openExisting(db.database).roll(studio: studio, name: name)
            if entries.isEmpty { throw CLI.fail("no roll named '\(name)' in studio '\(studio)'") }
            for e in entries {
                CLI.printLine(json ? Listings.line(["name": e.name, "phone": e.phone, "role": e.role, "area": e.area])
                                   : "\(e.name)\t\(e.phone)\t\(e.role)\t\(e.area ?? "-")")
            }
        }
    }
}
