import Foundation
import HotlineStorage
import Testing
@testable import HotlineApp

/// Staff accounts: roles and studios checked, bcrypt passwords with a lock after repeated
/// failures, tokens shown once, kept hashed, expiring and revocable.
@Suite struct StaffTests {
    static func desk(_ clock: StepClock = StepClock(thursday)) throws -> StaffAccounts {
        StaffAccounts(try makeHotline(clock: clock.wall), cost: 4)
    }

    @Test(arguments: [
        ("a b", StaffRole.coordinator, ["xujiawan"], nil as String?, StaffAccounts.Problem.badLogin("a b")),
        ("zhou", .liaison, ["nowhere"], nil, .unknownStudio("nowhere")),
        ("zhou", .liaison, [], nil, .unknownStudio("")),
        ("wang", .member, ["xujiawan"], nil, .memberNeedsRosterID),
        ("wang", .member, ["xujiawan"], "M99", .notOnRoster("M99", studio: "xujiawan")),
    ])
    func refusedAccounts(login: String, role: StaffRole, studios: [String], member: String?, problem: StaffAccounts.Problem) async throws {
        let desk = try Self.desk()
        await #expect(throws: problem) { try await desk.add(login: login, name: login, role: role, studios: studios, rosterID: member) }
    }

    @Test func passwordsAndTheLock() async throws {
        let clock = StepClock(thursday)
        let desk = try Self.desk(clock)
        let user = try await desk.add(login: "zhou", name: "周联络员", role: .liaison, studios: ["xujiawan"])
        #expect(user.serves("xujiawan") && !user.serves("xinjiang"))
        await #expect(throws: StaffAccounts.Problem.staff(.loginTaken("zhou"))) { try await desk.add(login: "zhou", name: "x", role: .auditor, studios: []) }
        await #expect(throws: StaffAccounts.Problem.weakPassword) { try await desk.setPassword(login: "zhou", password: "short") }
        try await desk.setPassword(login: "zhou", password: "correct horse battery")
        let stored = try #require(try await desk.database.staffUser(login: "zhou"))
        #expect(stored.passwordHash?.hasPrefix("$2") == true && stored.passwordHash?.contains("correct") == false)
        #expect(try await desk.login("zhou", password: "correct horse battery") == .ok(stored))
        #expect(try await desk.login("nobody", password: "correct horse battery") == .refused)
        for _ in 1..<StaffAccounts.maxFailedLogins { #expect(try await desk.login("zhou", password: "wrong") == .refused) }
        let until = thursday.addingTimeInterval(StaffAccounts.lockSeconds)
        #expect(try await desk.login("zhou", password: "wrong") == .locked(until: until))
        // Locked: even the right password waits.
        #expect(try await desk.login("zhou", password: "correct horse battery") == .locked(until: until))
        clock.advance(StaffAccounts.lockSeconds + 1)
        if case .ok = try await desk.login("zhou", password: "correct horse battery") {} else { Issue.record("not unlocked") }
        try await desk.disable(login: "zhou")
        #expect(try await desk.login("zhou", password: "correct horse battery") == .refused)
    }

    @Test func tokensAreShownOnceKeptHashedAndEnd() async throws {
        let clock = StepClock(thursday)
        let desk = try Self.desk(clock)
        _ = try await desk.add(login: "audit", name: "审计", role: .auditor, studios: [])
        let (token, record) = try await desk.issueToken(login: "audit", days: 1, label: "report")
        #expect(token.hasPrefix("hl_") && token.count > 40 && record.tokenHash != token && !record.tokenHash.contains(token))
        #expect(try await desk.authenticate(token: token)?.login == "audit")
        #expect(try await desk.authenticate(token: token + "x") == nil)
        #expect(try await desk.authenticate(token: "Bearer nonsense") == nil)
        let (second, secondRecord) = try await desk.issueToken(login: "audit")
        #expect(second != token)
        // Expired after a day; the other one is revoked.
        clock.advance(86_401)
        #expect(try await desk.authenticate(token: token) == nil)
        #expect(try await desk.authenticate(token: second)?.serves("xinjiang") == true)
        try await desk.database.revokeToken(id: secondRecord.id!, now: clock.wall.now())
        #expect(try await desk.authenticate(token: second) == nil)
        await #expect(throws: StaffError.unknownToken(99)) { try await desk.database.revokeToken(id: 99, now: thursday) }
    }
}
