import Foundation
import GRDB
import HotlineCore
import HotlineTestSupport
@testable import HotlineStorage
import Testing
@testable import HotlineApp

/// Retention on a generated year and more of casework: a purge removes the texts and numbers of
/// cases closed past the limit (and of old messages of no case), keeps open and recent cases whole,
/// and changes no month's report — from the tallies or from the cases counted one by one.
@Suite struct RetentionTests {
    @Test(arguments: [UInt64(7), 8])
    func aPurgeChangesNoMonthsReport(seed: UInt64) async throws {
        var random = SeededRandom(state: seed)
        let start = ISO8601DateFormatter().date(from: "2025-01-06T02:00:00Z")!
        let clock = StepClock(start)
        let phones = Phones(try makeHotline(clock: clock.wall))
        let hotline = phones.hotline
        let studio = try #require(hotline.settings.deployment.studio(id: "xujiawan"))
        var residents: [Int: String] = [:]
        for step in 0..<220 {
            // About 20 months of casework, a text or a command every 2.7 days on average.
            clock.advance(Double(Int.random(in: 3_600...460_000, using: &random)))
            // Now and then a registration: messages of no case.
            if step % 20 == 0 { try await phones.text("+86139\(String(format: "%08d", step))", "登记 龙湖社区") }
            try await TallyTests.randomStep(phones, studio: studio, step: step, residents: &residents, random: &random)
        }
        while try await hotline.database.indexCaseWords(limit: 1_000) > 0 {}
        let reports = Reports(hotline)
        let months = (0..<21).map { i -> String in
            let m = 1 + i % 12, y = 2025 + i / 12
            return "\(y)-\(m < 10 ? "0" : "")\(m)"
        }
        func all() async throws -> [String: [String]] {
            var out: [String: [String]] = [:]
            for month in months {
                let kept = try await MonthReport.make(month: month, studios: nil, from: reports, withOverdue: false)
                let counted = try await MonthReport.counted(month: month, studios: nil, from: reports)
                out[month] = ["\(kept.lines)", "\(counted.lines)", "\(kept.weeks)"]
            }
            return out
        }
        let before = try await all()
        let casesBefore = try await hotline.database.cases()
        #expect(casesBefore.count > 60)

        // Two years after the first months: the cases closed in them are past 730 days, later ones not.
        let now = start.addingTimeInterval(86_400 * (730 + 240))
        let policy = RetentionPolicy(closedCaseDays: 730, unlinkedMessageDays: 180)
        let unlinkedLimit = now.addingTimeInterval(-180 * 86_400)
        // Sent, as the dispatcher (not running here) would have: a text still waiting to go is kept.
        try await hotline.database.writer.write { try $0.execute(sql: "UPDATE outbox SET status = 'sent' WHERE status = 'pending'") }
        let purgeable = Set(try await hotline.database.writer.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM messages WHERE \(AppDatabase.purgeableUnlinked)", arguments: [unlinkedLimit])
        })
        let unlinkedBefore = try await hotline.database.messages().filter { purgeable.contains($0.id!) }
        let planned = try await hotline.database.purge(policy, now: now, actor: "test", dryRun: true)
        let done = try await hotline.database.purge(policy, now: now, actor: "test", pace: WritePace(first: 3, most: 7))
        #expect(done == planned)
        #expect(done.cases > 0 && done.cases < casesBefore.count, "\(done)")
        #expect(done.unlinkedMessages > 0)

        // Every month's report the same, from the tallies and from the cases; counted again, the same.
        #expect(try await all() == before)
        _ = try await hotline.database.recountTallies()
        #expect(try await all() == before)

        let limit = now.addingTimeInterval(-730 * 86_400)
        let after = try await hotline.database.cases()
        for (old, new) in zip(casesBefore.sorted { $0.id! < $1.id! }, after.sorted { $0.id! < $1.id! }) {
            let past = [.closed, .surveyed, .answered].contains(old.state) && (old.progress.closedAt ?? old.updatedAt) < limit
            #expect(new.topic == old.topic && new.area == old.area && new.state == old.state && new.createdAt == old.createdAt)
            if past {
                #expect(new.text.isEmpty && new.residentPhone == PhoneNumber.mask(old.residentPhone) && new.residentToken == nil)
                let messages = try await hotline.database.messages().filter { $0.caseId == old.id }
                #expect(messages.allSatisfy { $0.text.isEmpty && $0.fromNumber != old.residentPhone && $0.toNumber != old.residentPhone })
                let events = try await hotline.database.writer.read { try Row.fetchAll($0, sql: "SELECT detail FROM case_events WHERE case_id = ? AND actor = 'resident'", arguments: [old.id]) }
                #expect(events.allSatisfy { ($0["detail"] as String?) == nil })
            } else {
                #expect(new.text == old.text && new.residentPhone == old.residentPhone)
            }
        }
        // Old messages of no case: emptied, the resident's number masked, the hotline's kept (both directions occur).
        let unlinkedAfter = Dictionary(uniqueKeysWithValues: try await hotline.database.messages().map { ($0.id!, $0) })
        #expect(Set(unlinkedBefore.map(\.direction)) == [.inbound, .outbound])
        for old in unlinkedBefore {
            let new = try #require(unlinkedAfter[old.id!])
            let (party, line) = old.direction == .inbound ? (old.fromNumber, old.toNumber) : (old.toNumber, old.fromNumber)
            #expect(new.text.isEmpty && new.templateValues == nil)
            #expect((old.direction == .inbound ? new.fromNumber : new.toNumber) == PhoneNumber.mask(party) && PhoneNumber.mask(party) != party)
            #expect((old.direction == .inbound ? new.toNumber : new.fromNumber) == line)
        }
        // The search index forgot the purged cases' words (a contentless index drops them only when told).
        let purgedIDs = Set(zip(casesBefore, after).filter { $0.1.text.isEmpty && !$0.0.text.isEmpty }.map { $0.0.id! })
        let indexed = try await hotline.database.writer.read { db in
            try Int64.fetchAll(db, sql: "SELECT rowid FROM case_words WHERE case_words MATCH ?", arguments: ["\"停水\" OR \"路坏\" OR \"垃圾\" OR \"装修\" OR \"公交\""])
        }
        #expect(purgedIDs.isDisjoint(with: indexed) && !indexed.isEmpty)

        // Recorded for an auditor; a second purge finds nothing more.
        let audit = try await hotline.database.dataAudit()
        #expect(audit.first?.action == "purge" && audit.first?.actor == "test" && audit.first?.detail.contains("\"cases\":\(done.cases),") == true)
        let again = try await hotline.database.purge(policy, now: now, actor: "test")
        #expect(again.cases == 0 && again.caseMessages == 0 && again.unlinkedMessages == 0)
    }
}
