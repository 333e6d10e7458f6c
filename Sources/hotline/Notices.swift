import ArgumentParser
import Foundation
import HotlineApp
import HotlineCore
import HotlineStorage

struct Notices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Meeting and general notices to members, liaisons and residents: preview, send, list, show, tally, cancel.",
        subcommands: [Create.self, Preview.self, List.self, Show.self, Tally.self, Change.self, Cancel.self], defaultSubcommand: List.self)

    /// What a notice says and who it goes to, as options.
    struct DraftOptions: ParsableArguments {
        @Option(help: "The studio sending it.")
        var studio: String
        @Option(help: "meeting or general.")
        var kind: NoticeKind = .meeting
        @Option(help: "What it is about, in a few words.")
        var title: String
        @Option(help: "More text (optional).")
        var body = ""
        @Option(help: "Meetings: when, '2026-12-09 15:00' in the studio's time zone (or ISO 8601 with a zone).")
        var at: String?
        @Option(help: "Meetings: where.")
        var place: String?
        @Option(help: "Meetings: the matter, if not the title.")
        var topic: String?
        @Option(help: "Meetings: the cases it is about, e.g. 3,7.")
        var cases: String?
        @Option(name: .customLong("to"), help: """
            Audience part (repeat to combine; people are counted once): members, members:area=龙湖社区, members:sector=housing, \
            liaisons, residents:area=龙湖社区, residents:cases=3,7, followers, roll:NAME, numbers:+8613700000001,13700000002.
            """)
        var audience: [String] = []
        @Option(help: "When to send (default now); a time in the quiet hours waits for their end.")
        var sendAt: String?
        @Option(help: "Meetings: answers count until (default: the meeting's start).")
        var rsvpUntil: String?
        @Option(help: "Meetings: when to remind those coming and those who have not answered (default: sla.meeting_reminder_hours before).")
        var remindAt: String?

        func validate() throws {
            if audience.isEmpty { throw ValidationError("give the audience with --to (e.g. --to members:area=龙湖社区)") }
            for part in audience {
                if case let .failure(e) = AudiencePart.parse(part) { throw ValidationError(e.description) }
            }
            if kind == .meeting, at == nil || place == nil { throw ValidationError("a meeting notice needs --at and --place") }
        }

        func draft(timeZone: TimeZone) throws -> NoticeDraft {
            func time(_ text: String?, _ option: String) throws -> Date? {
                guard let text else { return nil }
                guard let date = NoticeTime.parse(text, timeZone: timeZone) else {
                    throw CLI.fail("--\(option) '\(text)' is not a time like 2026-12-09 15:00")
                }
                return date
            }
            var meeting: Meeting?
            if kind == .meeting, let at = try time(at, "at") {
                let numbers = try (cases ?? "").split(separator: ",").map { raw -> Int in
                    guard let n = Int(raw.trimmingCharacters(in: .whitespaces)), n > 0 else { throw CLI.fail("--cases '\(cases ?? "")' is not like 3,7") }
                    return n
                }
                meeting = Meeting(at: at, place: place ?? "", topic: topic, caseNumbers: numbers)
            }
            return NoticeDraft(kind: kind, title: title, body: body, meeting: meeting, audience: try audience.map { try AudiencePart.parse($0).get() },
                               sendAt: try time(sendAt, "send-at"), rsvpUntil: try time(rsvpUntil, "rsvp-until"), remindAt: try time(remindAt, "remind-at"))
        }
    }

    static func desk(_ files: FileOptions, _ db: DatabaseOption) throws -> NoticeService {
        NoticeService(try CLI.quietParts(files, db))
    }

    static func timeZone(_ files: FileOptions, _ db: DatabaseOption, studio: String) throws -> (NoticeService, TimeZone) {
        let desk = try desk(files, db)
        guard let s = desk.studioSettings(studio) else { throw CLI.fail("no studio '\(studio)'") }
        return (desk, s.timeZone)
    }

    static func printPlan(_ plan: NoticePlan, number: Int?, json: Bool) {
        if json {
            CLI.printLine(Listings.line([
                "notice": number, "recipients": plan.recipients.count, "parts_each": plan.partsEach, "total_parts": plan.totalParts,
                "send_at": Listings.isoString(plan.sendAt), "remind_at": plan.remindAt.map(Listings.isoString),
                "skipped": Dictionary(grouping: plan.skipped, by: \.reason.rawValue).mapValues(\.count), "text": plan.text,
                "masked_numbers": plan.maskedNumbers,
            ]))
            return
        }
        CLI.printLine("\(number.map { "notice \($0): " } ?? "")\(plan.recipients.count) recipients, \(plan.partsEach) SMS parts each, \(plan.totalParts) in all; sends \(Listings.isoString(plan.sendAt))"
            + (plan.remindAt.map { "; reminder \(Listings.isoString($0))" } ?? ""))
        CLI.printLine("text: \(plan.text)")
        if plan.maskedNumbers > 0 { CLI.printLine("masked: \(plan.maskedNumbers) mobile number(s) in the text (residents never receive one)") }
        for (reason, people) in Dictionary(grouping: plan.skipped, by: \.reason).sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            CLI.printLine("skipped (\(reason.rawValue)): " + people.map { person in
                let phone = person.recipient.phone
                // What is no number is shown as written (cut short); numbers masked as everywhere.
                let shown = reason == .invalidNumber ? "'\(LogText.clean(String(phone.prefix(20))))'" : PhoneNumber.mask(phone)
                return (person.recipient.name.map { "\($0) " } ?? "") + shown
            }.joined(separator: ", "))
        }
    }

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Who a notice would reach, who is skipped and why, and what it costs; sends nothing.")
        @OptionGroup var files: FileOptions
        @OptionGroup var db: DatabaseOption
        @OptionGroup var notice: DraftOptions
        @Flag(help: "One JSON object.")
        var json = false

        func run() async throws {
            let (desk, zone) = try Notices.timeZone(files, db, studio: notice.studio)
            do {
                Notices.printPlan(try await desk.preview(studio: notice.studio, try notice.draft(timeZone: zone)), number: nil, json: json)
            } catch let p as NoticeService.Problem { throw CLI.fail(p.description) }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a notice: its texts go into the outbox now (a running server sends them, case replies first) or at --send-at.")
        @OptionGroup var files: FileOptions
        @OptionGroup var db: DatabaseOption
        @OptionGroup var notice: DraftOptions
        @Flag(help: "One JSON object.")
        var json = false

        func run() async throws {
            let (desk, zone) = try Notices.timeZone(files, db, studio: notice.studio)
            do {
                let (record, plan) = try await desk.create(studio: notice.studio, try notice.draft(timeZone: zone), by: "cli")
                Notices.printPlan(plan, number: record.number, json: json)
            } catch let p as NoticeService.Problem { throw CLI.fail(p.description) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Notices, newest first, with their answers so far.")
        @OptionGroup var db: DatabaseOption
        @Option(help: "Only this studio's.")
        var studio: String?
        @Flag(help: "One JSON object per line.")
        var json = false

        func run() async throws {
            let database = try openExisting(db.database)
            for n in try await database.notices(studio: studio) {
                let t = try await database.noticeTally(noticeID: n.id!)
                if json {
                    CLI.printLine(Listings.line(Listings.notice(n).merging(["coming": t.coming, "declined": t.declined, "no_answer": t.noAnswer]) { a, _ in a }))
                } else {
                    CLI.printLine("\(n.studioId)-\(n.number)\t\(n.kind.rawValue)\t\(n.state.rawValue)\t\(Listings.isoString(n.sendAt))\t"
                        + "\(t.coming) coming, \(t.declined) not, \(t.noAnswer) no answer\t\(n.title)")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One notice: its text and everyone it named, with delivery status and answer.")
        @OptionGroup var db: DatabaseOption
        @OptionGroup var ref: NoticeReference
        @Flag(help: "JSON: the notice on the first line, then one line per recipient.")
        var json = false

        func run() async throws {
            let database = try openExisting(db.database)
            let n = try await ref.notice(in: database)
            let people = try await database.noticeRecipients(noticeID: n.id!)
            if json {
                CLI.printLine(Listings.line(Listings.notice(n)))
                for (r, status) in people {
                    CLI.printLine(Listings.line(["phone": r.phone, "name": r.name, "role": r.role, "area": r.area, "via": r.via,
                                                 "skipped": r.skipReason?.rawValue, "status": status, "rsvp": r.rsvp?.rawValue, "note": r.rsvpNote]))
                }
                return
            }
            CLI.printLine("notice \(n.studioId)-\(n.number) (\(n.kind.rawValue), \(n.state.rawValue)): \(n.title)")
            CLI.printLine("send at \(Listings.isoString(n.sendAt))" + (n.meetingAt.map { "; meeting \(Listings.isoString($0)) at \(n.place ?? "")" } ?? "")
                + (n.remindAt.map { "; reminder \(Listings.isoString($0))\(n.remindedAt == nil ? "" : " (sent)")" } ?? ""))
            CLI.printLine("audience: \(n.audience.split(separator: "\n").joined(separator: " + "))")
            CLI.printLine("text: \(n.text)")
            for (r, status) in people {
                let answer = r.rsvp.map { $0.label + (r.rsvpNote.map { " (\($0))" } ?? "") } ?? "-"
                CLI.printLine("\(r.phone)\t\(r.name ?? "-")\t\(r.role)\t\(r.skipReason.map { "skipped: \($0.rawValue)" } ?? status ?? "-")\t\(answer)")
            }
        }
    }

    struct Tally: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Answers to a meeting notice by seat: coming, not coming, no answer.")
        @OptionGroup var db: DatabaseOption
        @OptionGroup var ref: NoticeReference
        @Flag(help: "One JSON object per seat, then the totals.")
        var json = false

        func run() async throws {
            let database = try openExisting(db.database)
            let n = try await ref.notice(in: database)
            let t = try await database.noticeTally(noticeID: n.id!)
            for row in t.rows {
                CLI.printLine(json ? Listings.line(["role": row.role, "coming": row.coming, "declined": row.declined, "no_answer": row.noAnswer])
                                   : "\(row.role)\t\(row.coming) coming\t\(row.declined) not coming\t\(row.noAnswer) no answer")
            }
            let skipped = t.skipped.map { "\($0.key.rawValue) \($0.value)" }.sorted().joined(separator: ", ")
            CLI.printLine(json ? Listings.line(["coming": t.coming, "declined": t.declined, "no_answer": t.noAnswer,
                                                "skipped": Dictionary(uniqueKeysWithValues: t.skipped.map { ($0.key.rawValue, $0.value) })])
                               : "total\t\(t.coming) coming\t\(t.declined) not coming\t\(t.noAnswer) no answer" + (skipped.isEmpty ? "" : "\tskipped: \(skipped)"))
        }
    }

    struct Change: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a meeting (time, place): those it reached are told and asked again; unsent texts carry the new facts.")
        @OptionGroup var files: FileOptions
        @OptionGroup var db: DatabaseOption
        @OptionGroup var ref: NoticeReference
        @Option(help: "The new time, '2026-12-10 15:00' in the ref.studio's time zone.")
        var at: String?
        @Option(help: "The new place.")
        var place: String?
        @Option(help: "Why, told with the change.")
        var reason = ""

        func validate() throws {
            if at == nil && place == nil { throw ValidationError("give --at, --place or both") }
        }

        func run() async throws {
            let (desk, zone) = try Notices.timeZone(files, db, studio: ref.studio)
            var when: Date?
            if let at {
                guard let d = NoticeTime.parse(at, timeZone: zone) else { throw CLI.fail("--at '\(at)' is not a time like 2026-12-09 15:00") }
                when = d
            }
            do {
                let told = try await desk.change(studio: ref.studio, number: ref.number, at: when, place: place, reason: reason)
                CLI.printLine("notice \(ref.studio)-\(ref.number) changed: \(told) recipients told")
            } catch let p as NoticeService.Problem { throw CLI.fail(p.description) }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Call a notice off: unsent texts are withdrawn, those who got it are told.")
        @OptionGroup var files: FileOptions
        @OptionGroup var db: DatabaseOption
        @OptionGroup var ref: NoticeReference
        @Option(help: "Why, told to those who got it.")
        var reason = ""

        func run() async throws {
            let desk = try Notices.desk(files, db)
            do {
                let (withdrawn, told) = try await desk.cancel(studio: ref.studio, number: ref.number, reason: reason)
                CLI.printLine("notice \(ref.studio)-\(ref.number) cancelled: \(withdrawn) unsent texts withdrawn, \(told) recipients told")
            } catch let p as NoticeService.Problem { throw CLI.fail(p.description) }
        }
    }
}

extension NoticeKind: ExpressibleByArgument {}

/// A notice as the commands that act on one name it: its studio and number.
struct NoticeReference: ParsableArguments {
    @Option(help: "The studio.")
    var studio: String
    @Argument(help: "The notice's number.")
    var number: Int

    func notice(in database: AppDatabase) async throws -> NoticeRecord {
        guard let n = try await database.notice(studio: studio, number: number) else { throw CLI.fail("no notice \(number) in studio '\(studio)'") }
        return n
    }
}
