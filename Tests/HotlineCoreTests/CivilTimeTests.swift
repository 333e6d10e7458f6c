import Foundation
import HotlineCore
import Testing

/// The direct ISO 8601 writer agrees with Foundation's to the character.
@Suite struct CivilTimeTests {
    @Test func iso8601AsFoundationWritesIt() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let date = Date(timeIntervalSince1970: Double.random(in: -11_000_000_000...10_000_000_000, using: &generator))
            #expect(CivilTime.iso8601(date) == date.formatted(.iso8601), "\(date.timeIntervalSince1970)")
        }
        #expect(CivilTime.iso8601(Date(timeIntervalSince1970: 1_795_739_400.999)) == "2026-11-27T00:30:00Z")
        #expect(CivilTime.iso8601(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
    }
}
