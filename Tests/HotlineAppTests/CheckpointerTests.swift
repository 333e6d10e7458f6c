import Foundation
import GRDB
import Logging
import Synchronization
import Testing
@testable import HotlineApp
@testable import HotlineStorage

/// The checkpoint service under a failure that lasts: it keeps trying every pass, and tells of it
/// once a minute rather than at every pass (ten a second).
@Suite struct CheckpointerTests {
    /// Keeps the messages logged at warning or above.
    final class KeptLog: LogHandler, @unchecked Sendable {
        let lines = Mutex<[String]>([])
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .warning
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            lines.withLock { $0.append("\(message)") }
        }
    }

    @Test func aLastingFailureIsToldOnce() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("h.sqlite").path
        let db = try AppDatabase.open(path: path)
        _ = try db.takeOverCheckpoints()
        let pool = try #require(db.writer as? DatabasePool)
        let syncs = Atomic<Int>(0)
        let failing = try WALCheckpoints(path: path, writer: pool, restartFrames: 1_000, sync: { _ in
            syncs.add(1, ordering: .relaxed)
            errno = EIO
            return -1
        })
        let kept = KeptLog()
        // An hour between warnings: under the whole suite the three failures have taken over a minute.
        let service = Checkpointer(failing, logger: Logger(label: "test") { _ in kept }, interval: .milliseconds(10), warningEvery: .seconds(3600))
        // Writes go on, so every pass has frames to copy and its sync fails.
        let writes = Task {
            var i = 0
            while !Task.isCancelled {
                let inbound = InboundMessage(studioID: "xujiawan", channel: "json", providerID: "w\(i)", from: "+8613700000001",
                                             to: "10690001", text: "停水了", receivedAt: Date())
                _ = try await db.receive(inbound) { _, _ in Handled(queued: 0) }
                i += 1
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        let running = Task { try await service.run() }
        // Until three passes failed (not a time: the whole suite shares the cores — CI's once saw one
        // failed pass in 50 s).
        let deadline = ContinuousClock.now + .seconds(240)
        while syncs.load(ordering: .relaxed) < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        running.cancel()
        writes.cancel()
        _ = await running.result
        let ended = await writes.result
        let lines = kept.lines.withLock { $0 }
        #expect(syncs.load(ordering: .relaxed) >= 3, "the writes ended with: \(ended)")
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.hasPrefix("checkpoint: ") == true, "\(lines)")
    }
}
