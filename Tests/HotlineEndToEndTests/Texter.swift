import Foundation
import Testing

/// Phones texting a real server through its JSON webhook, each text with a new id, and what the
/// server has sent so far (read with `hotline messages --json`).
class Texter {
    let server: ServerProcess
    private let prefix: String
    private var next = 0

    init(idPrefix: String = "t") async throws {
        server = try await ServerProcess(database: scratchDatabase())
        prefix = idPrefix
    }

    func text(_ from: String, _ text: String, to: String = "10690001") async throws {
        next += 1
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["id": "\(prefix)\(next)", "from": from, "to": to, "text": text]),
                          as: UTF8.self)
        let (status, answer) = try await server.post("/webhooks/json", body)
        #expect(status == 200, "\(answer)")
    }

    /// Every outbound text so far: id, recipient, text, in the order they were queued.
    func outbound() async throws -> [(id: Int, to: String, text: String)] {
        jsonLines(try await runCLI(["messages", "--json", "--database", server.database]))
            .filter { $0["direction"] as? String == "out" }
            .map { ($0["id"] as! Int, $0["to"] as! String, $0["text"] as! String) }
            .sorted { $0.id < $1.id }
    }
}
