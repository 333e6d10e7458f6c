import Foundation
import Testing

/// `hotline residents forget` and `show` as an operator runs them on a real server's database: a
/// number written the way people write it is the resident's, anything else is refused by name, and
/// an opt-out outlives the erasure (a roll imported later that names them skips them).
@Suite struct ResidentCLITests {
    @Test func forgetKeepsTheOptOutAndRefusesWhatIsNoNumber() async throws {
        let server = try await ServerProcess(database: scratchDatabase())
        let (status, body) = try await server.post("/webhooks/json", #"{"id":"o1","from":"+8613700000077","to":"10690001","text":"退订"}"#)
        #expect(status == 200, "\(body)")
        #expect(await server.finish() == 0)
        let db = server.database
        let config = repoRoot.appendingPathComponent("config").path
        for bad in ["137x00000077", "137\\u200b00000077", "hello", "+86 137 0000 0077; DROP TABLE residents"] {
            let run = try await runHotline(["residents", "forget", bad, "--config", config, "--database", db])
            #expect(run.status != 0 && run.err.contains("'\(bad)' is not a phone number"), "\(bad): \(run.status) \(run.err)")
        }
        // Full-width digits, separators and a zero-width space pasted with it: the same number.
        let forgot = try await runCLI(["residents", "forget", "１３７-0000\u{200B}-0077", "--config", config, "--database", db])
        #expect(forgot.contains("forgot +86137****0077") && forgot.contains("opt-out kept as a digest of the number (2 studios)"), "\(forgot)")
        let shown = try await runCLI(["residents", "show", "+8613700000077", "--config", config, "--database", db])
        let held = try #require((try JSONSerialization.jsonObject(with: Data(shown.utf8)) as? [String: Any])?["held"] as? [String: [[String: String]]])
        #expect(held["residents"]?.isEmpty == true && held["kept_opt_outs"]?.compactMap { $0["studio_id"] }.sorted() == ["xinjiang", "xujiawan"])
        let roll = FileManager.default.temporaryDirectory.appendingPathComponent("roll-\(UUID().uuidString).csv")
        try Data("name,phone,role\n甲,13700000077,居民代表\n乙,13700000078,居民代表\n".utf8).write(to: roll)
        defer { try? FileManager.default.removeItem(at: roll) }
        _ = try await runCLI(["rolls", "import", "--studio", "xujiawan", "--name", "议事会", roll.path, "--config", config, "--database", db])
        let preview = try await runCLI(["notices", "preview", "--kind", "general", "--studio", "xujiawan", "--title", "停车协商", "--to", "roll:议事会",
                                        "--config", config, "--database", db])
        #expect(preview.contains("1 recipients") && preview.contains("skipped (opted-out): 甲 +86137****0077"), "\(preview)")
    }
}
