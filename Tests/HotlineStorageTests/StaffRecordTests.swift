import Foundation
import GRDB
import Testing
@testable import HotlineStorage

/// A staff account's studios are data (every studio, or some by id) and are stored as the text
/// they always were: `*`, or the ids joined by commas.
@Suite struct StaffRecordTests {
    @Test(arguments: [
        (StaffStudios.all, "*", ["xujiawan", "anything"], [String]()),
        (.some(["xujiawan"]), "xujiawan", ["xujiawan"], ["xinjiang", "*"]),
        (.some(["xujiawan", "xinjiang"]), "xujiawan,xinjiang", ["xujiawan", "xinjiang"], ["xujia", "*"]),
    ])
    func studiosAreStoredAsBeforeAndReadBack(_ studios: StaffStudios, _ stored: String, _ served: [String], _ notServed: [String]) async throws {
        let db = try AppDatabase.inMemory()
        let user = try await db.addStaffUser(StaffUser(login: "u", name: "u", role: .liaison, studios: studios, createdAt: Date(timeIntervalSince1970: 0)))
        let column = try await db.reader.read { try String.fetchOne($0, sql: "SELECT studios FROM staff_users WHERE login = 'u'") }
        #expect(column == stored)
        let read = try #require(try await db.staffUser(login: "u"))
        #expect(read.studios == studios && read == user)
        for s in served { #expect(read.serves(s)) }
        for s in notServed { #expect(!read.serves(s)) }
        #expect(StaffStudios(stored: stored) == studios)
    }
}
