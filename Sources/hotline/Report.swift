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
    @Flag(help: "Count every case into the reports' tallies again first (kept as cases change; this mends them after a database was edited by hand), and check the month against the cases counted one by one.")
    var recount = false

    func validate() throws {
        if digest && format == .csv { throw ValidationError("the digest is text or json") }
    }

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, csv, json }

    func run() async throws {
        _ = try openExisting(db.database)
        let hotline = try CLI.quietParts(files, db)
        if recount {
            let n = try await hotline.database.recountTallies()
            FileHandle.standardError.write(Data("recounted \(n) cases into the tallies\n".utf8))
            let studios = studio.map { [$0] }
            do {
                let kept = try await MonthReport.make(month: month, studios: studios, from: Reports(hotline), withOverdue: false)
                let counted = try await MonthReport.counted(month: month, studios: studios, from: Reports(hotline))
                guard kept.lines == counted.lines else { throw CLI.fail("the tallies of \(month) differ from the cases counted one by one") }
            } catch let e as ReportError { throw CLI.fail(e.description) }
        }
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
