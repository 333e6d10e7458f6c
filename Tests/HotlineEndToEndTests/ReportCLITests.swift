import Foundation
import Testing

/// `hotline report` on a real server's database: the month from the tallies kept as cases came in,
/// and `--recount` counting every case again and checking the month against the cases themselves.
@Suite struct ReportCLITests {
    @Test func theMonthFromTheTalliesAndRecounted() async throws {
        let server = try await ServerProcess(database: scratchDatabase())
        for (i, text) in ["小区停水三天了,龙湖的", "燕村的路坏了,没人修", "龙湖小区楼道灯坏了"].enumerated() {
            let (status, body) = try await server.post("/webhooks/json", #"{"id":"r\#(i)","from":"+861370000055\#(i)","to":"10690001","text":"\#(text)"}"#)
            #expect(status == 200, "\(body)")
        }
        #expect(await server.finish() == 0)
        // This month on Shanghai's calendar, as the studios count it.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let now = calendar.dateComponents([.year, .month], from: Date())
        let month = String(format: "%04d-%02d", now.year!, now.month!)
        for extra in [[], ["--recount"]] {
            let out = try await runCLI(["report", "--month", month, "--format", "json", "--database", server.database] + extra)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
            let overall = try #require((report["lines"] as? [[String: Any]])?.first { $0["dimension"] as? String == "all" })
            #expect(overall["cases"] as? Int == 3, "\(extra): \(overall)")
        }
    }
}
