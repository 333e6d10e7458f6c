import Foundation
import HotlineTestSupport
import Testing

/// Tencent Cloud SMS through a real `hotline serve`: a resident's text arrives by the reply
/// callback, its acknowledgement goes out as a template send to a stand-in of the API
/// (Tests/tencent/sms_standin.py, which checks the signature with the official SDK's signer), and a
/// status callback moves it to delivered.
@Suite(.serialized) struct TencentSMSTests {
    @Test func aResidentsTextByReplyCallbackIsAcknowledgedByTemplateAndDelivered() async throws {
        let api = try await PythonPeer.StandIn(repoRoot.appendingPathComponent("Tests/tencent/sms_standin.py").path, ["AKIDe2e", "e2e-secret-key"])
        let channel = """
            channels:
              - id: tc
                kind: tencent
                secret_env: E2E_TENCENT_CALLBACK_SECRET
                sdk_app_id: "1400000001"
                sign_name: 徐家湾委员工作室
                secret_id_env: E2E_TENCENT_SECRET_ID
                secret_key_env: E2E_TENCENT_SECRET_KEY
                number: "10690001"
                api_base_url: http://127.0.0.1:\(api.port)
                templates:
                  ack.complaint: "2100001: case, assignee"
                  ack.question: "2100002: case"
                  ack.unclassified: "2100003: case"
                  fallback: "2100009: studio, case"

            """
        let server = try await ServerProcess(database: scratchDatabase(), configDir: try configWithChannels(channel).path, environment: [
            "E2E_TENCENT_CALLBACK_SECRET": "cb-e2e", "E2E_TENCENT_SECRET_ID": "AKIDe2e", "E2E_TENCENT_SECRET_KEY": "e2e-secret-key",
        ])

        // Without the channel's secret in the URL, nothing is taken.
        let reply = #"{"extend":"","mobile":"13700000001","nationcode":"86","sign":"徐家湾委员工作室","text":"小区停水三天了,没人管","time":\#(Int(Date().timeIntervalSince1970))}"#
        #expect(try await server.post("/webhooks/tencent/reply", reply).0 == 401)
        #expect(try await server.post("/webhooks/tencent/reply?secret=guess", reply).0 == 401)
        let (status, answer) = try await server.post("/webhooks/tencent/reply?secret=cb-e2e", reply)
        #expect(status == 200 && answer.contains(#""result":0"#), "\(answer)")
        #expect(try await server.post("/webhooks/tencent/reply?secret=cb-e2e", reply).0 == 200, "a retried callback")

        // The acknowledgement as its approved template, the member's text as the fallback, both signed as the SDK signs.
        let sends = try await api.waitFor(2)
        #expect(sends.count == 2, "\(sends)")
        #expect(sends.allSatisfy { $0["action"] as? String == "SendSms" && $0["signed"] as? Bool == true && $0["fresh"] as? Bool == true })
        let bodies = sends.compactMap { $0["body"] as? [String: Any] }
        let ack = try #require(bodies.first { ($0["PhoneNumberSet"] as? [String]) == ["+8613700000001"] })
        #expect(ack["TemplateId"] as? String == "2100001" && ack["SignName"] as? String == "徐家湾委员工作室" && ack["SmsSdkAppId"] as? String == "1400000001")
        #expect((ack["TemplateParamSet"] as? [String])?.first == "1", "the case number first: \(ack)")
        let member = try #require(bodies.first { ($0["PhoneNumberSet"] as? [String]) != ["+8613700000001"] })
        #expect(member["TemplateId"] as? String == "2100009" && member["TemplateParamSet"] as? [String] == ["徐家湾委员工作室", "1"])

        // The status callback, by the send's serial number, moves the acknowledgement to delivered.
        let serial = try #require(((sends.first { ($0["body"] as? [String: Any]).map { ($0["PhoneNumberSet"] as? [String]) == ["+8613700000001"] } == true }?["answer"]
            as? [String: Any])?["Response"] as? [String: Any]).flatMap { ($0["SendStatusSet"] as? [[String: Any]])?.first?["SerialNo"] as? String })
        let report = #"[{"user_receive_time":"2026-12-03 10:00:00","nationcode":"86","mobile":"13700000001","report_status":"SUCCESS","errmsg":"DELIVRD","description":"用户短信送达成功","sid":"\#(serial)"}]"#
        let (reported, said) = try await server.post("/webhooks/tencent/status?secret=cb-e2e", report)
        #expect(reported == 200 && said.contains(#""errmsg":"OK""#))
        let messages = jsonLines(try await runCLI(["messages", "--json", "--database", server.database]))
        #expect(messages.filter { $0["direction"] as? String == "in" }.count == 1, "the retried callback stored once")
        let stored = try #require(messages.first { $0["direction"] as? String == "out" && $0["to"] as? String == "+8613700000001" })
        #expect(stored["status"] as? String == "delivered" && stored["provider_id"] as? String == serial, "\(stored)")
        #expect(await server.terminate() == 0)
    }
}
