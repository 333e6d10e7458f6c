import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// One case, read four ways through a real `hotline serve`: the admin API, the CLI and Open311 give
/// the same facts, because all of them draw the case from one view.
@Suite(.serialized) struct CaseViewTests {
    func get(_ server: ServerProcess, _ path: String, token: String) async throws -> Any {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)\(path)")!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        #expect((response as! HTTPURLResponse).statusCode == 200, "\(path): \(String(decoding: data, as: UTF8.self))")
        return try JSONSerialization.jsonObject(with: data)
    }

    /// The object as sorted-key JSON (Foundation on Linux reads `false` back as a number that
    /// compares unequal to the Bool, so compare the text).
    func canonical(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func theAPIAndTheCLIShowACaseAsOneObjectAndOpen311AgreesWithIt() async throws {
        let database = scratchDatabase()
        let token = try await coordinatorToken(database: database)
        let server = try await ServerProcess(database: database, environment: ["HOTLINE_OPEN311_TOKEN": "e2e-open311"])
        let (status, _) = try await server.post("/webhooks/json", #"{"id":"v1","from":"+8613700000001","to":"10690001","text":"5号楼外墙皮脱落,物业不管"}"#)
        #expect(status == 200)
        // A member accepts it, so that the view has a member, a name and a passed step.
        let (accepted, _) = try await server.post("/webhooks/json", #"{"id":"v2","from":"+8613800000003","to":"10690001","text":"接 1"}"#)
        #expect(accepted == 200)

        let detail = try #require(try await get(server, "/api/v1/cases/xujiawan/1", token: token) as? [String: Any])
        let api = try #require(detail["case"] as? [String: Any])
        let cli = try #require(jsonLines(try await runCLI(["case", "xujiawan-1", "--json", "--database", database])).first)
        let listed = try #require(jsonLines(try await runCLI(["cases", "--json", "--database", database])).first)
        // The same keys and values (the coordinator sees numbers whole, as the CLI's operator does).
        #expect(try canonical(api) == canonical(cli), "API \(api)\nCLI \(cli)")
        #expect(try canonical(api) == canonical(listed))
        #expect(api["member_name"] as? String != nil && api["accepted_at"] != nil && api["resident"] as? String == "+8613700000001")

        // Open311 publishes the same case: its id, times and deadline are the view's.
        let requests = try #require(try await get(server, "/open311/v2/requests/xujiawan-1.json?api_key=e2e-open311", token: "e2e-open311") as? [[String: Any]])
        let request = try #require(requests.first)
        #expect(request["service_request_id"] as? String == api["ref"] as? String)
        #expect(request["service_code"] as? String == api["topic"] as? String)
        #expect(request["requested_datetime"] as? String == api["received_at"] as? String)
        #expect(request["updated_datetime"] as? String == api["accepted_at"] as? String)
        #expect(request["expected_datetime"] as? String == (api["next_deadline"] as? [String: Any])?["due"] as? String)
        #expect(request["status"] as? String == "open" && request["description"] != nil)
        #expect(await server.terminate() == 0)
    }
}
