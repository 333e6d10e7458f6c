import Foundation
import GRDB
import HotlineCore
import Testing
@testable import HotlineStorage

/// Backups of a database that intake writes meanwhile, and restores that refuse what they must.
@Suite struct DatabaseCopyTests {
    static func scratch() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("copy-\(UUID().uuidString)")
    }

    static func fill(_ db: AppDatabase, from: Int, count: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in from..<(from + count) {
                group.addTask { _ = try await db.receive(GroupCommitTests.inbound(i), replyChannel: "dryrun") { _, _, n in StorageTests.casePlan(n) } }
            }
            try await group.waitForAll()
        }
    }

    static func counts(_ path: String) throws -> (cases: Int, inbound: Int, outbound: Int, outbox: Int) {
        let q = try DatabaseQueue(path: path)
        defer { try? q.close() }
        return try q.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cases")!, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE direction = 'in'")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE direction = 'out'")!, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox")!)
        }
    }

    @Test func aBackupWhileIntakeWritesIsOneMomentOfTheDatabase() async throws {
        let dir = Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try AppDatabase.open(path: dir.appendingPathComponent("h.sqlite").path)
        try await Self.fill(db, from: 0, count: 200)
        let backup = dir.appendingPathComponent("backups/b.sqlite").path
        // Intake goes on during the copy, in steps of four pages (the copy is a few hundred): the
        // steps read one snapshot, so intake's commits between them neither restart nor tear it.
        async let more: Void = Self.fill(db, from: 200, count: 400)
        let check = try await Task.detached { try DatabaseCopy.copy(from: db.reader, to: backup, stepPages: 4) }.value
        try await more
        #expect(check.isWhole)
        #expect(check.schema == Migrations.migrator.migrations.last)
        #expect(check.unknownMigrations.isEmpty)
        let copied = try Self.counts(backup)
        // Every case in the copy came whole: its message and its two replies with their outbox rows.
        #expect(copied.cases >= 200 && copied.cases <= 600)
        #expect(copied.inbound == copied.cases && copied.outbound == 2 * copied.cases && copied.outbox == 2 * copied.cases)
        #expect(check.cases == copied.cases && check.messages == 3 * copied.cases)
        // One self-contained file: nothing beside it, a rollback journal rather than a log.
        for suffix in ["-wal", "-shm", ".partial"] { #expect(!FileManager.default.fileExists(atPath: backup + suffix), "\(suffix)") }
        let mode = try await DatabaseQueue(path: backup).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "delete")
        // The live database has everything.
        #expect(try Self.counts(dir.appendingPathComponent("h.sqlite").path).cases == 600)
        // A backup never overwrites.
        #expect(throws: CopyError.self) { try db.backup(to: backup) }
    }

    @Test func aBackupOfTheFileFromAnotherProcessRunsNoMigration() async throws {
        let dir = Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("h.sqlite").path
        let db = try AppDatabase.open(path: path)
        try await Self.fill(db, from: 0, count: 50)
        let check = try DatabaseCopy.backup(databaseAt: path, to: dir.appendingPathComponent("b.sqlite").path)
        #expect(check.isWhole && check.cases == 50)
        #expect(throws: CopyError.self) { try DatabaseCopy.backup(databaseAt: dir.appendingPathComponent("none.sqlite").path, to: dir.appendingPathComponent("c.sqlite").path) }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("none.sqlite").path))
    }

    enum Spoil: String, CaseIterable { case corrupt, newerSchema, notHotline, missing }

    @Test(arguments: Spoil.allCases) func restoreRefusesABadFileAndLeavesTheDatabase(_ spoil: Spoil) async throws {
        let dir = Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let live = dir.appendingPathComponent("h.sqlite").path
        let db = try AppDatabase.open(path: live)
        try await Self.fill(db, from: 0, count: 120)
        let file = dir.appendingPathComponent("b.sqlite").path
        try db.backup(to: file)
        switch spoil {
        case .corrupt:
            // Garbage over an index's page: SQLite reads the file, the check finds the damage.
            let (root, pageSize) = try await DatabaseQueue(path: file).read { db in
                (try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'cases_by_resident'")!,
                 try Int.fetchOne(db, sql: "PRAGMA page_size")!)
            }
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: file))
            try handle.seek(toOffset: UInt64((root - 1) * pageSize + 8))
            handle.write(Data(repeating: 0x5A, count: pageSize - 8))
            try handle.close()
        case .newerSchema:
            try await DatabaseQueue(path: file).write { try $0.execute(sql: "INSERT INTO grdb_migrations(identifier) VALUES ('v99-from-the-future')") }
        case .notHotline:
            try FileManager.default.removeItem(atPath: file)
            try await DatabaseQueue(path: file).write { try $0.execute(sql: "CREATE TABLE t(x)") }
        case .missing:
            try FileManager.default.removeItem(atPath: file)
        }
        let before = try Self.counts(live)
        var message = ""
        do { _ = try DatabaseCopy.restore(file, into: live); Issue.record("restored a bad file") } catch { message = "\(error)" }
        let expected = switch spoil {
        case .corrupt: "integrity"
        case .newerSchema: "v99-from-the-future"
        case .notHotline: "not a hotline database"
        case .missing: "no such file"
        }
        #expect(message.contains(expected), "\(message)")
        #expect(try Self.counts(live) == before)
        #expect(!FileManager.default.fileExists(atPath: live + ".restoring"))
        let kept = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("replaced") }
        #expect(kept.isEmpty)
    }

    @Test func restorePutsTheBackupInPlaceAndKeepsTheFileItReplaces() async throws {
        let dir = Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let live = dir.appendingPathComponent("data/h.sqlite").path
        do {
            let db = try AppDatabase.open(path: live)
            try await Self.fill(db, from: 0, count: 80)
            try db.backup(to: dir.appendingPathComponent("b.sqlite").path)
            try await Self.fill(db, from: 80, count: 20)
        }
        // While a service holds the path, no restore.
        let held = try ServeLock(database: live)
        #expect(throws: CopyError.self) { try DatabaseCopy.restore(dir.appendingPathComponent("b.sqlite").path, into: live) }
        held.release()
        let (replaced, check) = try DatabaseCopy.restore(dir.appendingPathComponent("b.sqlite").path, into: live, now: StorageTests.now)
        #expect(check.cases == 80)
        #expect(try Self.counts(live).cases == 80)
        let kept = try #require(replaced)
        #expect(kept.hasSuffix(".replaced-" + BackupSchedule.stamp(StorageTests.now)))
        #expect(try Self.counts(kept).cases == 100)
        // The restored file opens as the service opens it, and takes texts again.
        let reopened = try AppDatabase.open(path: live)
        try await Self.fill(reopened, from: 500, count: 5)
        #expect(try Self.counts(live).cases == 85)
        // The lock is free again: a service may start.
        ServeLockHolder.check(live)
    }
}

/// A second holder of the serve lock is refused while the first holds it.
enum ServeLockHolder {
    static func check(_ database: String) {
        do {
            let first = try ServeLock(database: database)
            #expect(throws: CopyError.self) { _ = try ServeLock(database: database) }
            first.release()
            let again = try ServeLock(database: database)
            again.release()
        } catch {
            Issue.record("the serve lock was not free: \(error)")
        }
    }
}
