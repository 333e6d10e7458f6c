import Foundation
import HotlineCore
@testable import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

/// A studio adds a topic of its own (`agriculture`, with deadlines of its own) to the rule table's
/// catalog: cases are classified, routed, worded, timed, listed and published with it.
@Suite struct TopicCatalogAppTests {
    static let agriculture = TopicInfo(id: "agriculture", name: "农业农村", englishName: "Agriculture",
                                       deadlines: CaseDeadlines(acceptHours: 8, replyDays: 2, closeDays: 10))

    /// The shipped config and rule table, plus `agriculture`: a rule for it and the agriculture sector (M4, 燕村) handling it.
    static func hotline(clock: WallClock) throws -> HotlineParts {
        var (settings, table) = try HotlineSetup.load(HotlinePaths(
            config: repoRoot.appendingPathComponent("config").path, intents: repoRoot.appendingPathComponent("Intents").path))
        table.topics = TopicCatalog(table.topics.topics + [agriculture])
        table.rules.append(IntentRule(id: "agriculture", topic: "agriculture", any: ["庄稼", "种粮补贴", "农机"], weight: 3))
        let i = try #require(settings.deployment.sectors.firstIndex { $0.id == "agriculture" })
        settings.deployment.sectors[i].topics = ["agriculture"]
        #expect(HotlineSetup.unknownTopics(in: settings, topics: table.topics).isEmpty)
        #expect(!HotlineSetup.unknownTopics(in: settings, topics: .standard).isEmpty, "a catalog without agriculture strands the sector")
        return try HotlineParts(settings: settings, rules: table, database: .inMemory(), clock: clock, secrets: ["open311.token": "t0ken"])
    }

    @Test func aStudiosOwnTopicIsClassifiedRoutedTimedAndListed() async throws {
        let clock = StepClock(thursday)
        let phones = Phones(try Self.hotline(clock: clock.wall))
        try await phones.text("+8613700000021", "燕村的庄稼被淹了,种粮补贴也没发")
        let record = try await phones.case(1)
        #expect(record.topic == "agriculture" && record.assigneeId == "M4")
        // The member's notice names the topic by its catalog name; the deadline is the topic's own.
        #expect(try await phones.inbox("+8613800000004").first?.contains("农业农村") == true)
        #expect(record.acceptDue == record.createdAt.addingTimeInterval(8 * 3600))

        let hotline = phones.hotline
        try await buildApplication(parts: hotline, senders: nil, bcryptCost: 4).test(.router) { client in
            let staff = StaffAccounts(hotline, cost: 4)
            _ = try await staff.add(login: "chen", name: "chen", role: .coordinator, studios: ["xujiawan"], rosterID: nil)
            let token = try await staff.issueToken(login: "chen").token
            func get(_ uri: String) async throws -> (HTTPResponse.Status, String) {
                var headers = HTTPFields()
                headers[.authorization] = "Bearer \(token)"
                return try await client.execute(uri: uri, method: .get, headers: headers) { ($0.status, String(buffer: $0.body)) }
            }
            let (_, rules) = try await get("/api/v1/rules")
            let topics = try #require((try JSONSerialization.jsonObject(with: Data(rules.utf8)) as? [String: Any])?["topics"] as? [[String: Any]])
            #expect(topics.count == 11 && topics.last?["id"] as? String == "agriculture" && topics.last?["name_en"] as? String == "Agriculture")
            #expect((topics.last?["deadlines"] as? [String: Any])?["accept_hours"] as? Double == 8)
            let (ok, list) = try await get("/api/v1/cases?topic=agriculture")
            #expect(ok == .ok && list.contains("\"ref\":\"xujiawan-1\""))
            let (bad, refusal) = try await get("/api/v1/cases?topic=forestry")
            #expect(bad == .badRequest && refusal.contains("agriculture"))
            let (_, document) = try await get("/api/openapi.yaml")
            #expect(document.contains("employment, other, agriculture]"))
            let (_, services) = try await get("/open311/v2/services.json?api_key=t0ken")
            #expect(services.contains("\"service_code\":\"agriculture\"") && services.contains("农业农村"))
            let (_, page) = try await client.execute(uri: "/open311/v2/requests.json?api_key=t0ken&service_code=agriculture", method: .get) {
                ($0.status, String(buffer: $0.body))
            }
            #expect(page.contains("\"service_name\":\"农业农村\""))
        }
    }

    /// A reload whose catalog drops a topic a sector names is refused; the old table stays.
    @Test func aReloadThatStrandsASectorsTopicIsRefused() throws {
        let hotline = try Self.hotline(clock: .fixed(thursday))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-intents-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("Intents"), to: dir)
        let reloader = RuleReloader(hotline, directory: dir.path)
        // The shipped folder has no agriculture, which the agriculture sector now names.
        #expect(!reloader.reload(reason: "test"))
        #expect(hotline.ruleTable.topics.contains("agriculture"))
        // Declared again in a file of its own (with a rule for it), the reload goes through.
        try "topics:\n  - { id: agriculture, name: 农业农村 }\nrules:\n  - { id: farm, topic: agriculture, any: [庄稼], weight: 3 }\n"
            .write(to: dir.appendingPathComponent("zz-agriculture.yaml"), atomically: true, encoding: .utf8)
        #expect(reloader.reload(reason: "test"))
        #expect(hotline.ruleTable.topics.name("agriculture") == "农业农村")
    }
}
