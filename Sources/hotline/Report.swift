import ArgumentParser
import Foundation
import HotlineApp
import HotlineCore

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A month's response, resolution and satisfaction rates (overall, by studio, member, area, topic) and the overdue cases.")

    @OptionGroup var files: FileOptions
    @OptionGroup var db: DatabaseOption
    @Option(help: "The month, e.g. 2026-11 (cases received in it, in each studio's time zone).")
    var month: String
    @Option(help: "Only this studio.")
    var studio: String?
    @Option(help: "text, csv (UTF-8 with BOM, CRLF: opens in Excel) or json.")
    var format: Format = .text
    @Flag(help: "The social-conditions digest (社情民意) instead: leading topics and areas against last month, a masked example each, escalations.")
    var digest = false

    func validate() throws {
        if digest && format == .csv { throw ValidationError("the digest is text or json") }
    }

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, csv, json }

    func run() async throws {
        _ = try openExisting(db.database)
        let hotline = try CLI.quietParts(files, db)
        if digest {
            do {
                let d = try await MonthDigest.make(month: month, studio: studio, from: Reports(hotline))
                if format == .json { CLI.printLine(d.json()) } else { d.text().forEach(CLI.printLine) }
            } catch let e as ReportError { throw CLI.fail(e.description) }
            return
        }
        let report: MonthReport
        do { report = try await MonthReport.make(month: month, studio: studio, from: Reports(hotline)) } catch let e as ReportError { throw CLI.fail(e.description) }
        switch format {
        case .text: report.text().forEach(CLI.printLine)
        case .json: CLI.printLine(report.json())
        case .csv: FileHandle.standardOutput.write(report.csv())
        }
    }
}
