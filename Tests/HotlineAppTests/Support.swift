import Foundation
import HotlineChannels
import HotlineCore
@testable import HotlineStorage
import Synchronization
@testable import HotlineApp

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// 2026-11-25 is a Wednesday, 2026-11-26 a Thursday (10:00 in Shanghai).
let wednesday = ISO8601DateFormatter().date(from: "2026-11-25T02:00:00Z")!
let thursday = ISO8601DateFormatter().date(from: "2026-11-26T02:00:00Z")!

/// A clock tests move by hand.
final class StepClock: Sendable {
    private let date: Mutex<Date>
    init(_ start: Date) { date = Mutex(start) }
    func advance(_ seconds: TimeInterval) { date.withLock { $0 += seconds } }
    var wall: WallClock { WallClock { self.date.withLock { $0 } } }
}

/// The shipped config and rule table over an in-memory database.
func makeHotline(clock: WallClock = .fixed(thursday), secret: String? = nil, retry: RetryPolicy? = nil,
                 database: AppDatabase? = nil) throws -> HotlineParts {
    var (settings, table) = try HotlineSetup.load(HotlinePaths(
        config: repoRoot.appendingPathComponent("config").path, intents: repoRoot.appendingPathComponent("Intents").path))
    if let retry { settings.retry = retry }
    return try HotlineParts(settings: settings, rules: table, database: database ?? .inMemory(), clock: clock,
                       secrets: secret.map { ["json": $0] } ?? [:])
}

/// Records every send and answers from a script (accepted when the script runs out).
final class ScriptedSender: MessageSender {
    private let state: Mutex<(script: [SendOutcome], sent: [OutboxItem])>
    init(_ script: [SendOutcome] = []) { state = Mutex((script, [])) }
    var sent: [OutboxItem] { state.withLock { $0.sent } }

    func send(_ item: OutboxItem) async -> SendOutcome {
        state.withLock { s in
            s.sent.append(item)
            return s.script.isEmpty ? .accepted(providerID: "p-\(item.messageID)") : s.script.removeFirst()
        }
    }
}

/// A JSON webhook body.
func body(id: String, from: String = "+8613700000009", to: String = "10690001", text: String) -> String {
    let object = ["id": id, "from": from, "to": to, "text": text]
    return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
}

/// The shipped config with a change, over an in-memory database.
func makeHotline(clock: WallClock = .fixed(thursday), _ change: (inout HotlineSettings) -> Void) throws -> HotlineParts {
    var (settings, table) = try HotlineSetup.load(HotlinePaths(
        config: repoRoot.appendingPathComponent("config").path, intents: repoRoot.appendingPathComponent("Intents").path))
    change(&settings)
    return try HotlineParts(settings: settings, rules: table, database: .inMemory(), clock: clock,
                       secrets: ["kannel": "s3cret", "kannel.password": "pw", "twilio.auth_token": "tok-en"])
}

/// Adds a Kannel and a Twilio channel to the shipped config.
func withGateways(_ settings: inout HotlineSettings) {
    settings.channels.append(ChannelSettings(id: "kannel", kind: .kannel, secretEnv: "X", options: [
        "sendsms_url": "http://127.0.0.1:1/cgi-bin/sendsms", "username": "u", "password_env": "P", "public_url": "http://127.0.0.1:2",
    ]))
    settings.channels.append(ChannelSettings(id: "twilio", kind: .twilio, options: [
        "account_sid": "AC123", "auth_token_env": "T", "public_url": "https://hotline.example.org", "from": "+8610690001",
    ]))
}

/// What the composition root would build, built on the spot for a test: each is a value over the
/// shared parts (the rule book and the storage door hold the state), so one made per call acts
/// exactly as the one the server holds.
extension HotlineParts {
    /// Intake, as the webhooks call it.
    func receive(_ text: InboundText, channel: ChannelSettings) async throws -> IntakeReceipt {
        try await IntakeService(self).receive(text, channel: channel)
    }

    /// One pass of the deadline service.
    @discardableResult
    func followUp() async throws -> Int { try await Casework(self).followUp() }

    var ruleTable: RuleTable { rules.table }
    var topics: TopicCatalog { rules.topics }
}
