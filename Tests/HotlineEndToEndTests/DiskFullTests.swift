import Foundation
import HotlineTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// A disk that fills under a real `hotline serve`: the files may not grow past a limit (the
/// process's RLIMIT_FSIZE, on the real file system: mounting a small one needs privileges CI may
/// not have). Texts it cannot store are answered 503 with `Retry-After`, never 2xx, and the health
/// checks say so; when space returns (the limit lifted on the running process) it stores again, and
/// the refused texts, sent again, are stored once.
@Suite(.serialized) struct DiskFullTests {
    static func post(_ server: ServerProcess, _ i: Int) async throws -> (Int, String?) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/webhooks/json")!)
        request.httpMethod = "POST"
        // Long texts fill the files sooner.
        let text = String(repeating: "小区停水三天了,一直没人管。", count: 60)
        request.httpBody = Data(#"{"id":"full-\#(i)","from":"+86137\#(String(format: "%08d", 30_000 + i))","to":"10690001","text":"\#(text)"}"#.utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        return (http.statusCode, http.value(forHTTPHeaderField: "Retry-After"))
    }

    @Test func aFullDiskRefusesWithRetryAfterAndRecovers() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit") else {
            Issue.record("prlimit (util-linux) is needed to give the space back"); return
        }
        let database = scratchDatabase()
        // Made and migrated first, then served with its files held to 3 MB.
        let first = try await ServerProcess(database: database)
        #expect(await first.terminate() == 0)
        let server = try await ServerProcess(database: database, fileSizeLimitKB: 3_072)
        var stored: [Int] = [], refused: [Int] = []
        for i in 0..<1_500 {
            let (status, retry) = try await Self.post(server, i)
            if status == 200 { stored.append(i) } else {
                #expect(status == 503 && retry == "1", "text \(i): \(status) \(retry ?? "-")")
                refused.append(i)
                if refused.count >= 20 { break }
            }
        }
        #expect(refused.count >= 20, "the files never filled (\(stored.count) stored)")
        // The health checks say so (their own probe needs no new space and still commits).
        #expect(try await server.get("/healthz").0 == 503)
        #expect(try await server.get("/readyz").0 == 503)
        // Space returns.
        let lift = Process()
        lift.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        lift.arguments = ["--pid", String(server.process.processIdentifier), "--fsize=unlimited:unlimited"]
        #expect(try await runToEnd(lift).status == 0)
        for i in refused { #expect(try await Self.post(server, i).0 == 200, "text \(i) after space returned") }
        #expect(try await server.get("/healthz").0 == 200)
        #expect(await server.finish() == 0)
        // Every text answered 2xx is stored, once; the refused ones too, now.
        let inbound = jsonLines(try await runCLI(["messages", "--json", "--limit", "100000", "--database", database])).filter { $0["direction"] as? String == "in" }
        let ids = inbound.compactMap { $0["provider_id"] as? String }
        #expect(ids.count == stored.count + refused.count && Set(ids) == Set((stored + refused).map { "full-\($0)" }))
        let check = try await runCLI(["backup", "--database", database, database + ".check"])
        #expect(check.contains("integrity ok"), "\(check)")
    }
}
