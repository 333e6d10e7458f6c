import Foundation
import HotlineCore
@testable import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

/// A burst beyond the cap on requests in flight: refused at once with 503 and `Retry-After`, never
/// stored, never left hanging; those let in are stored; the refused ones, sent again, are stored once.
@Suite struct OverloadTests {
    @Test func beyondTheCapRequestsAreRefusedAtOnceAndRetriedIntoTheStore() async throws {
        let hotline = try makeHotline()
        let limit = 2, burst = 10
        // The writer is held (as by a slow disk): the first two requests wait in intake's queue.
        let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let blocker = Task.detached {
            try await hotline.database.writer.write { _ in
                entered.signal()
                _ = release.wait(timeout: .now() + 20)
            }
        }
        await withCheckedContinuation { done in DispatchQueue.global().async { entered.wait(); done.resume() } }
        try await buildApplication(parts: hotline, senders: nil, maxInFlight: limit).test(.router) { client in
            let answers = try await withThrowingTaskGroup(of: (String, HTTPResponse.Status, String?).self) { group in
                for i in 0..<burst {
                    group.addTask {
                        try await client.execute(uri: "/webhooks/json", method: .post,
                                                 body: ByteBuffer(string: body(id: "burst-\(i)", from: "+86137000100\(i < 10 ? "0" : "")\(i)", text: "停水了"))) {
                            ("burst-\(i)", $0.status, $0.headers[.retryAfter])
                        }
                    }
                }
                var answers: [(String, HTTPResponse.Status, String?)] = []
                // Every refusal comes while the writer is still held: none waited for it.
                while answers.count < burst - limit, let next = try await group.next() { answers.append(next) }
                #expect(answers.allSatisfy { $0.1 == .serviceUnavailable && $0.2 == "1" }, "\(answers)")
                release.signal()
                while let next = try await group.next() { answers.append(next) }
                return answers
            }
            try await blocker.value
            let stored = answers.filter { $0.1 == .ok }.map(\.0)
            #expect(stored.count == limit)
            #expect(try await hotline.database.messages().filter { $0.direction == .inbound }.count == limit)
            // The gateway's retries: each refused text stored once, the cap free again.
            for (id, status, _) in answers where status != .ok {
                let i = Int(id.dropFirst("burst-".count))!
                try await client.execute(uri: "/webhooks/json", method: .post,
                                         body: ByteBuffer(string: body(id: id, from: "+86137000100\(i < 10 ? "0" : "")\(i)", text: "停水了"))) {
                    #expect($0.status == .ok)
                }
            }
            // Health is never refused by the cap.
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
        let inbound = try await hotline.database.messages().filter { $0.direction == .inbound }
        #expect(inbound.count == burst && Set(inbound.compactMap(\.providerId)).count == burst)
    }

    /// A webhook the database cannot store answers 503 with `Retry-After` (a full disk, here a trigger).
    @Test func notStoredTellsTheGatewayWhenToTryAgain() async throws {
        let hotline = try makeHotline()
        try await hotline.database.writer.write { db in
            try db.execute(sql: "CREATE TRIGGER refuse BEFORE INSERT ON messages BEGIN SELECT RAISE(FAIL, 'disk full'); END")
        }
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: "/webhooks/json", method: .post, body: ByteBuffer(string: body(id: "full", text: "停水了"))) {
                #expect($0.status == .serviceUnavailable && $0.headers[.retryAfter] == "1")
            }
        }
        #expect(try await hotline.database.messages().isEmpty)
    }
}
