import Foundation
import HotlineTestSupport
import Testing

/// `GET /metrics` read by prometheus-client's own text parser (a peer nobody here wrote), and its
/// counters moving with traffic through a real server.
@Suite(.serialized) struct MetricsTests {
    /// Every sample as `name{label="value",…}` → value, parsed by prometheus_client.
    static func parse(_ text: String) async throws -> [String: Double] {
        let script = """
            import sys, json
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(sys.stdin.read()):
                for s in family.samples:
                    labels = ",".join('%s="%s"' % (k, v) for k, v in sorted(s.labels.items()))
                    out[s.name + "{" + labels + "}"] = s.value
            print(json.dumps(out))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let run = try await runToEnd(process, input: Data(text.utf8))
        try #require(run.status == 0, "python3 with prometheus-client is needed (./test installs it): \(run.err)")
        return try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as! [String: Double]
    }

    @Test func metricsParseAndMoveWithTraffic() async throws {
        let server = try await ServerProcess(database: scratchDatabase())
        let before = try await Self.parse(try await server.get("/metrics").1)
        #expect(before["hotline_cases{state=\"assigned\"}"] == 0)
        for (i, text) in ["小区停水三天了", "燕村的路坏了,没人修"].enumerated() {
            let (status, _) = try await server.post("/webhooks/json", #"{"id":"m\#(i)","from":"+861370000007\#(i)","to":"10690001","text":"\#(text)"}"#)
            #expect(status == 200)
        }
        try await Task.sleep(for: .milliseconds(500))
        let (status, text) = try await server.get("/metrics")
        #expect(status == 200)
        let after = try await Self.parse(text)
        #expect(after["hotline_inbound_messages_total{channel=\"json\",intent=\"complaint\"}"] == 2, "\(after.keys.sorted())")
        #expect(after["hotline_cases{state=\"assigned\"}"] == 2)
        #expect(after["hotline_classification_seconds_count{}"] == 2)
        #expect(after["hotline_outbox_pending{}"] != nil && after["hotline_outbox_oldest_due_seconds{}"] != nil)
        // The two texts went through the writer's passes (with the dispatcher's claims and records).
        #expect((after["hotline_writer_writes{}"] ?? 0) >= (before["hotline_writer_writes{}"] ?? .infinity) + 2)
        #expect((after["hotline_writer_passes{}"] ?? 0) > (before["hotline_writer_passes{}"] ?? .infinity))
        #expect((after["hotline_writer_cpu_seconds{}"] ?? 0) > (before["hotline_writer_cpu_seconds{}"] ?? .infinity))
        #expect(after.keys.contains { $0.hasPrefix("http_server_request_duration_count{") && $0.contains("/webhooks/json") })
        #expect(!text.contains("13700000070"))
        #expect(await server.finish() == 0)
    }
}
