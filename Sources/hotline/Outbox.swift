import ArgumentParser
import Foundation
import HotlineApp
import HotlineCore
import HotlineStorage

struct Outbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the outbox (what is waiting, sent, failed), and put failed messages back in the queue.",
        subcommands: [List.self, Retry.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Outbox rows, newest first.")
        @OptionGroup var db: DatabaseOption
        @Flag(help: "Only rows that ran out of attempts or were refused for good.")
        var failed = false
        @Flag(help: "One JSON object per line.")
        var json = false

        func run() async throws {
            let database = try openExisting(db.database)
            for entry in try await database.outbox(status: failed ? .failed : nil) {
                let o = entry.outbox
                let m = entry.message
                if json {
                    CLI.printLine(Listings.line([
                        "id": o.id, "message": m.id, "channel": o.channel, "status": o.status.rawValue, "attempts": o.attempts,
                        "next_attempt_at": Listings.isoString(o.nextAttemptAt), "error": o.lastError, "to": m.toNumber, "text": m.text,
                    ]))
                } else {
                    CLI.printLine("#\(o.id ?? 0)\t\(o.status.rawValue)\t\(o.attempts) attempts\t\(o.channel)\t→ \(m.toNumber)\t\(o.lastError ?? "-")\t\(m.text)")
                }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry", abstract: "Queue failed rows again (a running server sends them within a second).")
        @OptionGroup var db: DatabaseOption
        @Flag(help: "Every failed row.")
        var allFailed = false
        @Argument(help: "Outbox row ids (from `hotline outbox --failed`).")
        var ids: [Int64] = []

        func validate() throws {
            if allFailed == !ids.isEmpty { throw ValidationError("give outbox row ids or --all-failed (one of the two)") }
        }

        func run() async throws {
            let database = try openExisting(db.database)
            let count = try await database.retryFailed(ids: allFailed ? nil : ids, now: Date())
            CLI.printLine("queued again: \(count)")
            if !allFailed && count < ids.count { throw CLI.fail("\(ids.count - count) of the ids are not failed outbox rows") }
        }
    }
}
