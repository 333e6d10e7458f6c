import ArgumentParser
import Foundation
import HotlineApp
import HotlineCore
import HotlineStorage

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

struct Residents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A resident's own data under the PIPL: everything held about a number, or its erasure (both recorded in the data audit).",
        subcommands: [Show.self, Forget.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Everything held about PHONE in every studio, as JSON.")
        @OptionGroup var files: FileOptions
        @OptionGroup var db: DatabaseOption
        @Argument(help: "The resident's number (+8613700000001, 13700000001, …).")
        var phone: String

        func run() async throws {
            _ = try openExisting(db.database)
            let hotline = try CLI.quietParts(files, db)
            let number = try Residents.normalized(phone, hotline)
            let held = try await hotline.database.residentData(phone: number, actor: "hotline residents show", now: Date())
            let data = try JSONSerialization.data(withJSONObject: ["phone": number, "held": held], options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            CLI.printLine(String(decoding: data, as: UTF8.self))
        }
    }

    struct Forget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove PHONE and its texts everywhere, keeping the anonymous counts (the reports do not change).")
        @OptionGroup var files: FileOptions
        @OptionGroup var db: DatabaseOption
        @Argument(help: "The resident's number.")
        var phone: String

        func run() async throws {
            _ = try openExisting(db.database)
            let hotline = try CLI.quietParts(files, db)
            let number = try Residents.normalized(phone, hotline)
            let c = try await hotline.database.forgetResident(phone: number, actor: "hotline residents forget", now: Date())
            CLI.printLine("forgot \(PhoneNumber.mask(number)): \(c.cases) cases and \(c.messages) messages emptied, \(c.cancelled) texts not yet sent cancelled, "
                          + "\(c.residents) resident rows, \(c.rolls) roll entries and \(c.bindings) bindings removed, \(c.notices) notice seats made anonymous"
                          + (c.optOutsKept > 0 ? "; their opt-out kept as a digest of the number (\(c.optOutsKept) studios)" : ""))
        }
    }

    /// The number as intake stores it, or a clear error.
    static func normalized(_ phone: String, _ hotline: HotlineParts) throws -> String {
        // Digits (full-width too), +, spaces, dashes and brackets, as a number is written; a
        // zero-width character pasted with it is no part of it. Anything else is refused, not
        // dropped: `137x00000077` names no one.
        let written = String(String.UnicodeScalarView(phone.unicodeScalars.filter { $0.properties.generalCategory != .format }))
        let number = PhoneNumber.normalize(written, defaultCountryCode: hotline.settings.deployment.defaultCountryCode)
        guard PhoneNumber.isDialable(written), PhoneNumber.isDialable(number), (5...16).contains(number.count) else {
            throw CLI.fail("'\(phone)' is not a phone number")
        }
        // Erasing the hotline number would empty every text the studios sent.
        if let why = hotline.settings.deployment.notAResident(number) { throw CLI.fail(why) }
        return number
    }
}
