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
}
