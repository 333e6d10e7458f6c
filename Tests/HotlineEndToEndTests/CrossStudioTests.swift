import Foundation
import Testing

/// A member on both demo studios' rosters (one phone) works each studio's cases by texting either
/// number: everything a command does speaks for the case's own studio, through a real server.
@Suite(.serialized) struct CrossStudioTests {
    /// The shipped config, with X1 of xinjiang given M3's phone.
    static func sharedMemberConfig() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-config-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("config"), to: dir)
        let file = dir.appendingPathComponent("studios/xinjiang.yaml")
        let yaml = try String(contentsOf: file, encoding: .utf8)
        try yaml.replacingOccurrences(of: "+8613800000011", with: "+8613800000003").write(to: file, atomically: true, encoding: .utf8)
        return dir
    }

    static let member = "+8613800000003"

    func text(_ server: ServerProcess, id: String, from: String, to: String, _ text: String) async throws {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["id": id, "from": from, "to": to, "text": text]), as: UTF8.self)
        let (status, answer) = try await server.post("/webhooks/json", body)
        #expect(status == 200, "\(answer)")
    }

    /// Outbound texts to `phone`, oldest first, with the number each went out from.
    func received(_ server: ServerProcess, _ phone: String) async throws -> [(from: String, text: String)] {
        jsonLines(try await runCLI(["messages", "--json", "--database", server.database]))
            .filter { $0["direction"] as? String == "out" && $0["to"] as? String == phone }
            .sorted { ($0["id"] as! Int) < ($1["id"] as! Int) }
            .map { ($0["from"] as! String, $0["text"] as! String) }
    }

    @Test(arguments: [
        // case's studio, its number, the other number, resident, complaint, the studio's name, the member's name there
        ("xinjiang", "10690002", "10690001", "+8613700000055", "王守村吃水难,井里抽不出水", "【新绛县有事好商量平台】", "孙委员"),
        ("xujiawan", "10690001", "10690002", "+8613700000001", "小区停水三天了", "【徐家湾委员工作室】", "王委员"),
    ])
    func commandsTextedToTheOtherNumberSpeakForTheCasesStudio(studio: String, own: String, other: String, resident: String,
                                                               complaint: String, name: String, memberName: String) async throws {
        let config = try Self.sharedMemberConfig()
        let server = try await ServerProcess(database: scratchDatabase(), configDir: config.path)
        try await text(server, id: "r1", from: resident, to: own, complaint)
        try await text(server, id: "m1", from: Self.member, to: other, "接 \(studio)-1")
        try await text(server, id: "m2", from: Self.member, to: other, "回复 \(studio)-1 明天派人去修")
        let got = try await received(server, resident)
        #expect(got.count == 3, "\(got)")
        #expect(got.allSatisfy { $0.from == own && $0.text.hasPrefix(name) }, "\(got)")
        #expect(got[1].text.contains("已由\(memberName)受理"), "\(got[1].text)")
        #expect(got[2].text == "\(name)编号1:明天派人去修")
        // The member's confirmations come from the case's studio too.
        let confirmations = try await received(server, Self.member).dropFirst()
        #expect(confirmations.allSatisfy { $0.from == own }, "\(confirmations)")
        #expect(jsonLines(try await runCLI(["case", "\(studio)-1", "--json", "--database", server.database]))[0]["state"] as? String == "replied")
        #expect(try await phoneNumbersSentToResidents(database: server.database, config: config).isEmpty)
        #expect(await server.terminate() == 0)
    }
}
