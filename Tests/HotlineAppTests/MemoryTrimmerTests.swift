import Foundation
import Testing
@testable import HotlineApp
@testable import HotlineStorage

/// What a burst leaves behind goes back: freed memory the allocator held is returned by a trim,
/// and the database reads on after its idle readers were closed.
@Suite struct MemoryTrimmerTests {
    static func residentMiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }

    @Test func aTrimReturnsFreedMemoryAndReadsGoOn() async throws {
        try #require(MemoryTrimmer.mallocTrim != nil, "glibc's malloc_trim is found")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-trim-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let database = try AppDatabase.open(path: dir.appendingPathComponent("h.sqlite").path)
        #expect(try await database.tableCounts().cases == 0)
        // 256 MiB in 4 KiB blocks, every 64th kept: the heap cannot shrink from its top, and only a
        // trim gives the free pages between the kept blocks back.
        var blocks = (0..<65_536).map { _ in
            let p = UnsafeMutableRawPointer.allocate(byteCount: 4_096, alignment: 16)
            p.initializeMemory(as: UInt8.self, repeating: 1, count: 4_096)
            return p
        }
        for (i, p) in blocks.enumerated() where i % 64 != 0 { p.deallocate() }
        blocks = blocks.enumerated().filter { $0.offset % 64 == 0 }.map(\.element)
        let before = Self.residentMiB()
        MemoryTrimmer.trim(database)
        let after = Self.residentMiB()
        #expect(after < before - 100, "resident \(before) MiB before the trim, \(after) after")
        for p in blocks { p.deallocate() }
        #expect(try await database.tableCounts().cases == 0)
    }
}
