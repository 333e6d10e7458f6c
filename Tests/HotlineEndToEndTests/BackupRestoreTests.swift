import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Backups of a running `hotline serve` (by hand and on its schedule) and their restore, as an
/// operator does them: the CLI and the service, real processes, a real database file.
@Suite(.serialized) struct BackupRestoreTests {
    /// The shipped configuration with `backup:` added.
    static func configWithBackups(_ dir: URL) throws -> String {
        let config = dir.appendingPathComponent("config")
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("config"), to: config)
        let main = config.appendingPathComponent("hotline.yaml")
        let text = try String(contentsOf: main, encoding: .utf8)
        try (text + "\nbackup: { dir: \(dir.appendingPathComponent("scheduled").path), every_hours: 1, keep: 2 }\n")
            .write(to: main, atomically: true, encoding: .utf8)
        return config.path
    }

    static func post(_ server: ServerProcess, _ i: Int) async throws -> Int {
        let text = ["小区停水三天了,龙湖的", "燕村的路坏了,没人修", "龙湖小区楼道灯坏了"][i % 3]
        return try await server.post("/webhooks/json", #"{"id":"bk\#(i)","from":"+86137\#(String(format: "%08d", 5_000 + i))","to":"10690001","text":"\#(text)"}"#).0
    }

    /// A `hotline` command that must end on its own within 20 s (a serve that should refuse to start).
    static func runBounded(_ arguments: [String]) async throws -> (status: Int32, err: String) {
        let process = Process()
        process.executableURL = try hotlineBinary()
        process.arguments = arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit(); return (-9, "still running after 20 s") }
        return (process.terminationStatus, String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    static func month() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let now = calendar.dateComponents([.year, .month], from: Date())
        return String(format: "%04d-%02d", now.year!, now.month!)
    }

    /// The dashboard's report page of this month, as a coordinator opens it.
    static func reportPage(_ port: Int, _ token: String) async throws -> String {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/dashboard/reports?month=\(month())")!)
        request.setValue("hl_session=\(token)", forHTTPHeaderField: "Cookie")
        let (data, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        return String(decoding: data, as: UTF8.self)
    }

    static func report(_ database: String) async throws -> String {
        let out = try await runCLI(["report", "--month", month(), "--format", "json", "--database", database])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let lines = try JSONSerialization.data(withJSONObject: report["lines"] ?? [], options: [.sortedKeys])
        return String(decoding: lines, as: UTF8.self)
    }

    @Test func aBackupUnderLoadRestoresToTheSameMonth() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-backup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let live = dir.appendingPathComponent("data/hotline.sqlite").path
        let config = try Self.configWithBackups(dir)
        // A coordinator, to open the dashboard's report page before and after.
        let token = try await coordinatorToken(database: live)
        let server = try await ServerProcess(database: live, configDir: config)

        // Texts arrive, eight at a time, while `hotline backup` copies the database.
        let underLoad = dir.appendingPathComponent("under-load.sqlite").path
        let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
            for lane in 0..<8 {
                group.addTask { var s: [Int] = []; for k in 0..<25 { s.append(try await Self.post(server, lane * 25 + k)) }; return s }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(300))
                let out = try await runCLI(["backup", "--database", live, underLoad])
                #expect(out.contains("integrity ok"), "\(out)")
                return []
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(statuses.count == 200 && statuses.allSatisfy { $0 == 200 })

        // The service made its own at start (none was there), named by its time; /metrics and /readyz show its age.
        var scheduled: [String] = []
        for _ in 0..<100 where scheduled.isEmpty {
            scheduled = (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("scheduled").path))?
                .filter { $0.hasPrefix("hotline-") && $0.hasSuffix(".sqlite") } ?? []
            if scheduled.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(scheduled.count == 1)
        let metrics = try await MetricsTests.parse(try await server.get("/metrics").1)
        let age = try #require(metrics["hotline_backup_age_seconds{}"])
        #expect(age >= 0 && age < 120, "\(age)")
        let (readyStatus, ready) = try await server.get("/readyz")
        #expect(readyStatus == 200 && ready.contains(#""backup":"ok""#) && ready.contains("backup_age_seconds"), "\(ready)")
        #expect(server.log.contains("backup made"))

        // While it runs: no restore over it, no second service on the same file.
        let refused = try await runHotline(["restore", "--database", live, underLoad])
        #expect(refused.status == 1 && refused.err.contains("in use by a running hotline serve"), "\(refused.err)")
        let second = try await Self.runBounded(["serve", "--config", config, "--database", live, "--port", "0"])
        #expect(second.status == 1 && second.err.contains("in use"), "\(second.err)")

        // A quiet backup, then the service stops: restored on a "new machine", the month is the same.
        let quiet = dir.appendingPathComponent("quiet.sqlite").path
        _ = try await runCLI(["backup", "--database", live, quiet])
        let before = try await Self.report(live)
        let page = try await Self.reportPage(server.port, token)
        #expect(await server.finish() == 0)
        let elsewhere = dir.appendingPathComponent("new-machine/data/hotline.sqlite").path
        let restored = try await runCLI(["restore", "--database", elsewhere, quiet])
        #expect(restored.contains("200 cases"), "\(restored)")
        #expect(try await Self.report(elsewhere) == before)
        // The restored deployment's dashboard shows the month as the original's did.
        let newMachine = try await ServerProcess(database: elsewhere)
        let pageAfter = try await Self.reportPage(newMachine.port, token)
        #expect(await newMachine.finish() == 0)
        #expect(pageAfter == page && page.contains("200"), "the dashboard's month differs after the restore")

        // The backup taken under load is whole: each case with its text and both replies, and the
        // restored service takes the next text with the next number.
        let partial = dir.appendingPathComponent("partial/data/hotline.sqlite").path
        _ = try await runCLI(["restore", "--database", partial, underLoad])
        let cases = jsonLines(try await runCLI(["cases", "--json", "--database", partial]))
        let messages = jsonLines(try await runCLI(["messages", "--json", "--database", partial]))
        #expect(!cases.isEmpty && cases.count <= 200)
        #expect(messages.count == 3 * cases.count)
        let restarted = try await ServerProcess(database: partial)
        let (status, body) = try await restarted.post("/webhooks/json", #"{"id":"after","from":"+8613700009999","to":"10690001","text":"燕村的路坏了"}"#)
        #expect(status == 200 && body.contains(#""case":\#(cases.count + 1)"#), "\(body)")
        #expect(await restarted.finish() == 0)

        // Restoring over an existing database keeps the one it replaces.
        let over = try await runCLI(["restore", "--database", elsewhere, underLoad])
        #expect(over.contains("kept as \(elsewhere).replaced-"), "\(over)")
    }
}
