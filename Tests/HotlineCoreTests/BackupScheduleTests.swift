import Foundation
import Testing
@testable import HotlineCore

/// Backups by name: the time a name records, when the next is due, which old ones go.
@Suite struct BackupScheduleTests {
    static let t = Date(timeIntervalSince1970: 1_796_333_940) // 2026-12-03 21:39:00 UTC

    @Test func aNameRecordsItsTimeToTheSecond() {
        #expect(BackupSchedule.name(Self.t) == "hotline-20261203-213900.sqlite")
        #expect(BackupSchedule.time(ofName: BackupSchedule.name(Self.t)) == Self.t)
        let later = Self.t.addingTimeInterval(86_400 * 40 + 3_661)
        #expect(BackupSchedule.time(ofName: BackupSchedule.name(later)) == later)
    }

    @Test(arguments: [
        "hotline-20261203-213900.sqlite.partial", "hotline-20261303-213900.sqlite", "hotline-20261203-253900.sqlite",
        "hotline-2026120-3213900.sqlite", "hotline-20261203-21390x.sqlite", "hotline-２０261203-213900.sqlite",
        "notes.txt", "hotline.sqlite", "", "hotline-20261203-213900.sqlite-wal", "hotline-20260230-120000.sqlite",
    ])
    func otherFilesAreNoBackups(_ name: String) {
        #expect(BackupSchedule.time(ofName: name) == nil)
    }

    @Test(arguments: [(nil, 0.0, true), (0.0, 24.0, false), (-23.9, 24.0, false), (-24.0, 24.0, true), (-0.5, 0.25, true), (3.0, 1.0, false)] as [(Double?, Double, Bool)])
    func dueWhenTheNewestIsOldEnough(_ newestHoursAgo: Double?, _ every: Double, _ due: Bool) {
        let newest = newestHoursAgo.map { Self.t.addingTimeInterval($0 * 3_600) }
        #expect(BackupSchedule.isDue(newest: newest, now: Self.t, everyHours: every) == due)
    }

    @Test func theOldestBeyondKeepGoAndNothingElse() {
        let names = (0..<5).map { BackupSchedule.name(Self.t.addingTimeInterval(Double($0) * 3_600)) }
        let others = ["notes.txt", names[0] + ".partial", "hotline.sqlite"]
        #expect(BackupSchedule.toRemove((names + others).shuffled(), keep: 2) == Array(names.prefix(3)))
        #expect(BackupSchedule.toRemove(names, keep: 5).isEmpty)
        #expect(BackupSchedule.toRemove(names, keep: 0) == Array(names.prefix(4)))
        #expect(BackupSchedule.newest(names + others) == Self.t.addingTimeInterval(4 * 3_600))
        #expect(BackupSchedule.newest(others) == nil)
    }
}
