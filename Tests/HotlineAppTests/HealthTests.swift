import Foundation
import HotlineChannels
import HotlineCore
@testable import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

/// Health: HEAD answers, and a database that takes no writes is not healthy.
@Suite struct HealthTests {
    @Test func headAndAReadOnlyDatabase() async throws {
        let hotline = try makeHotline()
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .head) { #expect($0.status == .ok) }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            // No write can be committed (as with a full disk): not healthy.
            try await hotline.database.writer.write { db in
                try db.execute(sql: "CREATE TRIGGER refuse BEFORE UPDATE ON health BEGIN SELECT RAISE(FAIL, 'disk full'); END")
                try db.execute(sql: "CREATE TRIGGER refuse2 BEFORE INSERT ON health BEGIN SELECT RAISE(FAIL, 'disk full'); END")
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .serviceUnavailable) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .serviceUnavailable) }
        }
    }

    struct DiskGone: Error {}

    /// A failed sync of the database's log: the text is answered 5xx (its gateway retries), so is
    /// the retry, health and readiness say the service must be restarted, and the service stops
    /// with the error (`hotline serve` exits non-zero for its supervisor to start it again).
    @Test func aFailedLogSyncStopsTheService() async throws {
        let hotline = try makeHotline(database: try AppDatabase.inMemory(sync: { throw DiskGone() }))
        let webhook = #"{"id":"m1","from":"+8613700000001","to":"10690001","text":"停水了"}"#
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            for _ in 0..<2 {
                try await client.execute(uri: "/webhooks/json", method: .post, body: ByteBuffer(string: webhook)) { response in
                    #expect(response.status == .serviceUnavailable || response.status == .internalServerError, "\(response.status)")
                }
            }
            for uri in ["/healthz", "/readyz"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(String(buffer: response.body).contains("must be restarted") && !String(buffer: response.body).contains("sqlite"))
                }
            }
        }
        #expect(try await hotline.database.messages().count(where: { $0.direction == .inbound }) == 1)
        // The whole service, as `hotline serve` runs it, ends with the error.
        let app = buildApplication(parts: hotline, senders: nil, port: 0)
        let run = Task { try await app.runService(gracefulShutdownSignals: []) }
        let ended = Task {
            try await Task.sleep(for: .seconds(20))
            run.cancel()
        }
        defer { ended.cancel() }
        await #expect(throws: DurabilityLost.self) { try await run.value }
    }

    /// Ready means messages can be stored and the outbox dispatcher is alive.
    @Test func readyWhenTheDispatcherBeats() async throws {
        let clock = StepClock(thursday)
        let hotline = try makeHotline(clock: clock.wall)
        // No dispatcher service runs here; one is expected as `hotline serve` expects its own.
        hotline.dispatcherHeartbeat.expect()
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("outbox dispatcher silent"))
            }
            try await OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, ScriptedSender())).drainOnce()
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .head) { #expect($0.status == .ok) }
            clock.advance(31)
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .serviceUnavailable) }
        }
    }

    /// With `backup:` configured, `/readyz` shows the newest good backup's age: none yet, on time,
    /// overdue past its schedule and an hour — and stays ready (200) throughout.
    @Test func readyShowsTheBackupsAge() async throws {
        let clock = StepClock(thursday)
        let hotline = try makeHotline(clock: clock.wall) { $0.backup = BackupSettings(directory: "/nonexistent/backups", everyHours: 6, keep: 3) }
        try await OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, ScriptedSender())).drainOnce()
        // The routes without the background services: no BackupService making one at start.
        let router = makeRouter(parts: hotline, services: HotlineServices(hotline, bcryptCost: 4), inFlight: InFlightLimit(limit: 64))
        try await Application(router: router).test(.router) { client in
            func ready() async throws -> [String: Any] {
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .ok)
                    return (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
                }
            }
            var answer = try await ready()
            #expect(answer["backup"] as? String == "none yet" && answer["backup_age_seconds"] == nil, "\(answer)")
            hotline.backups.record(clock.wall.now())
            clock.advance(600)
            try await OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, ScriptedSender())).drainOnce()
            answer = try await ready()
            #expect(answer["backup"] as? String == "ok" && answer["backup_age_seconds"] as? Int == 600, "\(answer)")
            clock.advance(6 * 3600 + 3600 - 600 + 1)
            try await OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, ScriptedSender())).drainOnce()
            answer = try await ready()
            #expect(answer["backup"] as? String == "overdue" && answer["backup_age_seconds"] as? Int == 7 * 3600 + 1, "\(answer)")
        }
        // Without a schedule nothing is said of backups.
        try await buildApplication(parts: try makeHotline(), senders: nil).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { #expect(!String(buffer: $0.body).contains("backup")) }
        }
    }
}
