import ArgumentParser
import Foundation
import HotlineApp
import HotlineCore
import HotlineStorage
import Logging

/// A notice to every resident of an area: the audience read from the database, planned (pure) and
/// committed with one outbox row per recipient, in one transaction, against a SQLite file.
struct NoticeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notice", abstract: "Seconds to plan and commit a notice to many residents (audience read, plan, messages and outbox rows).")

    @Option(help: "Residents of the area the notice goes to.")
    var residents = 100_000
    @Option(help: "Rounds; each uses a fresh database.")
    var rounds = 3
    @Option(help: "Configuration folder.")
    var config = "config"
    @Option(help: "Rule table folder.")
    var intents = "Intents"

    func run() async throws {
        print("a meeting notice to residents:area=龙湖社区 with \(residents) residents there (and 1 in 50 opted out), SQLite file (WAL, synchronous FULL)")
        print("| round | preview s | create s (plan + commit) | recipients | outbox rows | CPU s (create) |")
        print("|---:|---:|---:|---:|---:|---:|")
        var creates: [Double] = []
        for round in 1...rounds {
            let r = try await runOnce()
            creates.append(r.create)
            print("| \(round) | \(String(format: "%.2f", r.preview)) | \(String(format: "%.2f", r.create)) | \(r.recipients) | \(r.outbox) | \(String(format: "%.2f", r.cpu)) |")
        }
        creates.sort()
        print("\nmedian create \(String(format: "%.2f", creates[creates.count / 2])) s, best \(String(format: "%.2f", creates[0])) s")
    }

    func runOnce() async throws -> (preview: Double, create: Double, recipients: Int, outbox: Int, cpu: Double) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-notice-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let path = dir.appendingPathComponent("h.sqlite").path
        let hotline = try HotlineSetup.make(HotlinePaths(config: config, intents: intents, database: path),
                                            environment: [:], logger: logger)
        guard let studio = hotline.settings.deployment.studios.first(where: { $0.areas.contains { $0.id == "龙湖社区" } }) else {
            throw ValidationError("the configuration needs a studio with the area 龙湖社区 (the demo config)")
        }
        let count = residents
        let now = Date()
        try await hotline.database.importResidents((0..<count).map { i in
            ResidentRecord(studioId: studio.id, phone: "+86137" + String(format: "%08d", (i * 48_271) % 100_000_000), area: "龙湖社区",
                           seenAt: now, optedOutAt: i % 50 == 0 ? now : nil)
        })
        let desk = NoticeService(hotline)
        let draft = NoticeDraft(kind: .meeting, title: "龙湖小区停车协商会",
                                meeting: Meeting(at: Date().addingTimeInterval(3 * 86_400), place: "社区党群服务中心二楼"),
                                audience: [.residentsOfArea("龙湖社区"), .membersOfArea("龙湖社区")])
        var start = DispatchTime.now().uptimeNanoseconds
        _ = try await desk.preview(studio: studio.id, draft)
        let preview = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpuBefore = IntakeBench.cpuSeconds()
        start = DispatchTime.now().uptimeNanoseconds
        let (_, plan) = try await desk.create(studio: studio.id, draft, by: "bench")
        let create = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpu = IntakeBench.cpuSeconds() - cpuBefore
        let outbox = try await hotline.database.tableCounts().outbox
        return (preview, create, plan.recipients.count, outbox, cpu)
    }
}
