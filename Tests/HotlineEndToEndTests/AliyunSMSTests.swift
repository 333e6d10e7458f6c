import Foundation
import HotlineTestSupport
import Testing

/// Aliyun SMS through a real `hotline serve`: residents' texts arrive by the upstream push (a batch),
/// their acknowledgements go out as template sends to a stand-in of the API
/// (Tests/aliyun/sms_standin.py, which checks each signature with the official SDK's function), and
/// a report push moves one to delivered.
@Suite(.serialized) struct AliyunSMSTests {
    @Test func upstreamTextsAreAcknowledgedByTemplateAndReported() async throws {
        let api = try await PythonPeer.StandIn(repoRoot.appendingPathComponent("Tests/aliyun/sms_standin.py").path, ["LTAIe2e", "e2e-secret"])
        let channel = """
            channels:
              - id: ali
                kind: aliyun
                secret_env: E2E_ALIYUN_PUSH_SECRET
                sign_name: 徐家湾委员工作室
                access_key_id_env: E2E_ALIYUN_KEY_ID
                access_key_secret_env: E2E_ALIYUN_KEY_SECRET
                number: "10690001"
                api_base_url: http://127.0.0.1:\(api.port)
                templates:
                  ack.complaint: "SMS_2100001: case, assignee"
                  ack.question: "SMS_2100002: case"
                  ack.unclassified: "SMS_2100003: case"
                  fallback: "SMS_2100009: studio, case"

            """
        let server = try await ServerProcess(database: scratchDatabase(), configDir: try configWithChannels(channel).path, environment: [
            "E2E_ALIYUN_PUSH_SECRET": "push-e2e", "E2E_ALIYUN_KEY_ID": "LTAIe2e", "E2E_ALIYUN_KEY_SECRET": "e2e-secret",
        ])

        // Two residents' texts in one push, the second to a number no studio has; without the secret, nothing.
        let up = #"[{"phone_number":"13700000001","send_time":"2026-12-03 10:01:00","content":"小区停水三天了,没人管","sign_name":"徐家湾委员工作室","dest_code":"1","sequence_id":700001},{"phone_number":"13700000002","content":"路灯坏了","sequence_id":700002}]"#
        #expect(try await server.post("/webhooks/aliyun/up", up).0 == 401)
        let (status, answer) = try await server.post("/webhooks/aliyun/up?secret=push-e2e", up)
        #expect(status == 200 && answer.contains(#""code":0"#), "\(answer)")
        #expect(try await server.post("/webhooks/aliyun/up?secret=push-e2e", up).0 == 200, "a push again")

        let sends = try await api.waitFor(4)
        #expect(sends.count == 4, "two acknowledgements, two members' texts: \(sends)")
        #expect(sends.allSatisfy { $0["action"] as? String == "SendSms" && $0["signed"] as? Bool == true }, "\(sends)")
        let queries = sends.compactMap { $0["query"] as? [String: String] }
        let acks = queries.filter { ["13700000001", "13700000002"].contains($0["PhoneNumbers"] ?? "") }
        #expect(acks.count == 2 && acks.allSatisfy { $0["SignName"] == "徐家湾委员工作室" && ($0["TemplateCode"] ?? "").hasPrefix("SMS_21000") })
        let ack = try #require(acks.first { $0["PhoneNumbers"] == "13700000001" })
        let variables = try #require(try JSONSerialization.jsonObject(with: Data((ack["TemplateParam"] ?? "").utf8)) as? [String: String])
        #expect(ack["TemplateCode"] == "SMS_2100001" && Set(variables.keys) == ["case", "assignee"], "\(ack)")

        // The report push, by our message id (OutId) and the send's BizId, moves the acknowledgement
        // to delivered; one naming another send's BizId moves nothing.
        let outID = try #require(ack["OutId"])
        let bizID = try #require((sends.first { ($0["query"] as? [String: String])?["OutId"] == outID }?["answer"] as? [String: Any])?["BizId"] as? String)
        func report(_ biz: String) -> String {
            #"[{"phone_number":"13700000001","success":true,"err_code":"DELIVERED","err_msg":"用户接收成功","biz_id":"\#(biz)","out_id":"\#(outID)"}]"#
        }
        func messageStatus() async throws -> String? {
            jsonLines(try await runCLI(["messages", "--json", "--database", server.database])).first { ($0["id"] as? Int).map(String.init) == outID }?["status"] as? String
        }
        #expect(try await server.post("/webhooks/aliyun/report?secret=push-e2e", report("biz-forged^0")).0 == 200)
        #expect(try await messageStatus() == "sent")
        let (reported, said) = try await server.post("/webhooks/aliyun/report?secret=push-e2e", report(bizID))
        #expect(reported == 200 && said.contains(#""code":0"#))
        #expect(try await messageStatus() == "delivered")
        let messages = jsonLines(try await runCLI(["messages", "--json", "--database", server.database]))
        #expect(messages.filter { $0["direction"] as? String == "in" }.count == 2, "the repeated push stored once")
        #expect(await server.terminate() == 0)
    }
}
