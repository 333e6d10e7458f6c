import Foundation
import HotlineChannels
import HotlineCore
import HotlineTestSupport
import Testing

/// Aliyun SMS: the ACS3 signature as the official SDK makes it, templates as named variables, the
/// send's answers, and the report and upstream pushes.
@Suite struct AliyunAdapterTests {
    static let templates = [
        "ack.complaint": ProviderTemplate(id: "SMS_100001", params: ["case", "assignee"]),
        "fallback": ProviderTemplate(id: "SMS_100009", params: ["studio", "case"]),
    ]
    static let at = Date(timeIntervalSince1970: 1_796_297_391)
    static let aliyun = AliyunSMSChannel(accessKeyID: "LTAItest", accessKeySecret: "secretKEY", signName: "徐家湾委员工作室",
                                         apiBaseURL: "http://127.0.0.1:9", callbackSecret: "cb-s3cret", hotlineNumber: "10690001",
                                         templates: templates, now: { at }, nonce: { "n0nce" })

    /// The SDK sends its own SendSms to a local server; the same query and headers signed by
    /// hotline give the same Authorization, and hotline's query is the one the SDK sends.
    @Test func signatureIsTheSDKs() async throws {
        let seen = try #require(try await PythonPeer.json([repoRoot.appendingPathComponent("Tests/aliyun/sdk_request.py").path, "LTAItest", "secretKEY",
                                                     "13700000001", "徐家湾委员工作室", "SMS_100001", #"{"assignee":"王委员","case":"12"}"#, "9"]) as? [String: Any])
        let headers = try #require(seen["headers"] as? [String: String])
        let path = try #require(seen["path"] as? String)
        let authorization = try #require(headers["Authorization"])
        let signedNames = try #require(authorization.firstMatch(of: /SignedHeaders=([^,]+)/)).1.split(separator: ";").map(String.init)
        let signed = Dictionary(uniqueKeysWithValues: signedNames.map { name in (name, headers.first { $0.key.lowercased() == name }?.value ?? "") })
        let query = [("OutId", "9"), ("PhoneNumbers", "13700000001"), ("SignName", "徐家湾委员工作室"), ("TemplateCode", "SMS_100001"),
                     ("TemplateParam", #"{"assignee":"王委员","case":"12"}"#)]
        #expect(path == "/?" + ACS3.canonicalQuery(query))
        #expect(ACS3.authorization(accessKeyID: "LTAItest", secret: "secretKEY", query: query, headers: signed, payload: []) == authorization)
    }

    @Test func sendsTheTemplateWithNamedVariables() throws {
        let text = OutgoingText(messageID: 9, from: "10690001", to: "+8613700000001", text: "…", template: "ack.complaint",
                                values: ["case": "12", "assignee": "王委员", "studio": "徐家湾委员工作室"])
        let request = Self.aliyun.sendRequest(text)
        let query = [("OutId", "9"), ("PhoneNumbers", "13700000001"), ("SignName", "徐家湾委员工作室"), ("TemplateCode", "SMS_100001"),
                     ("TemplateParam", #"{"assignee":"王委员","case":"12"}"#)]
        #expect(request.url == "http://127.0.0.1:9/?" + ACS3.canonicalQuery(query))
        #expect(request.headers["x-acs-action"] == "SendSms" && request.headers["x-acs-date"] == "2026-12-03T11:29:51Z" && request.headers["host"] == nil)
        let signed = ["host": "127.0.0.1:9", "x-acs-action": "SendSms", "x-acs-version": "2017-05-25", "x-acs-date": "2026-12-03T11:29:51Z",
                      "x-acs-signature-nonce": "n0nce", "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]
        #expect(request.headers["Authorization"] == ACS3.authorization(accessKeyID: "LTAItest", secret: "secretKEY", query: query, headers: signed, payload: []))
        // A text without a template of its own goes as the fallback, its variables by the fallback's names.
        let help = Self.aliyun.sendRequest(OutgoingText(messageID: 10, from: "1", to: "+8613800000003", text: "…", template: "member.help",
                                                        values: ["studio": "徐家湾委员工作室"]))
        #expect(help.url.contains("TemplateCode=SMS_100009") && help.url.contains(ACS3.encode(#"{"case":"-","studio":"徐家湾委员工作室"}"#)))
        #expect(help.url.contains("PhoneNumbers=13800000003"))
    }

    @Test(arguments: [
        (200, #"{"Code":"OK","Message":"OK","BizId":"900619746936498440^0","RequestId":"r"}"#, SendOutcome.accepted(providerID: "900619746936498440^0")),
        (200, #"{"Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"触发分钟级流控"}"#, .retryable("aliyun isv.BUSINESS_LIMIT_CONTROL: 触发分钟级流控")),
        (200, #"{"Code":"isv.MOBILE_NUMBER_ILLEGAL","Message":"非法手机号"}"#, .permanent("aliyun isv.MOBILE_NUMBER_ILLEGAL: 非法手机号")),
        (200, #"{"Code":"isv.SMS_TEMPLATE_ILLEGAL","Message":"模板不合法"}"#, .permanent("aliyun isv.SMS_TEMPLATE_ILLEGAL: 模板不合法")),
        (400, #"{"Code":"SignatureDoesNotMatch","Message":"signature"}"#, .permanent("aliyun SignatureDoesNotMatch: signature")),
        (200, #"{"Code":"isp.SYSTEM_ERROR","Message":"系统错误"}"#, .retryable("aliyun isp.SYSTEM_ERROR: 系统错误")),
        (503, "busy", .retryable("aliyun 503: busy")),
    ])
    func sendAnswers(status: Int, body: String, outcome: SendOutcome) {
        #expect(Self.aliyun.sendOutcome(status: status, body: body) == outcome)
    }

    static func push(_ path: String, _ body: String) -> WebhookRequest {
        WebhookRequest(method: .post, pathAndQuery: path, body: Array(body.utf8), now: at)
    }

    @Test func reportAndUpstreamPushes() throws {
        let report = #"[{"phone_number":"13700000001","send_time":"2026-12-03 10:00:00","report_time":"2026-12-03 10:00:05","success":true,"err_code":"DELIVERED","err_msg":"用户接收成功","sms_size":"1","biz_id":"9006^0","out_id":"9"},{"phone_number":"13700000002","success":false,"err_code":"MK:0001","biz_id":"9007^0","out_id":"10"}]"#
        #expect(try Self.aliyun.reports(Self.push("/report?secret=cb-s3cret", report)) == [
            DeliveryReport(messageID: 9, providerID: "9006^0", status: .delivered, detail: "aliyun DELIVERED 用户接收成功"),
            DeliveryReport(messageID: 10, providerID: "9007^0", status: .failed, detail: "aliyun MK:0001"),
        ])
        let up = #"[{"phone_number":"13700000001","send_time":"2026-12-03 10:01:00","content":"查询 12","sign_name":"徐家湾委员工作室","dest_code":"1234","sequence_id":1234567890}]"#
        let texts = try Self.aliyun.upstream(Self.push("/up?secret=cb-s3cret", up))
        #expect(texts == [InboundText(providerID: "1234567890", from: "+8613700000001", to: "10690001", text: "查询 12")])
        #expect(throws: WebhookError.unauthorized("wrong secret")) { try Self.aliyun.upstream(Self.push("/up?secret=x", up)) }
        #expect(throws: WebhookError.self) { try Self.aliyun.upstream(Self.push("/up", up)) }
        #expect(throws: WebhookError.malformed("body is not a JSON array of messages")) { try Self.aliyun.upstream(Self.push("/up?secret=cb-s3cret", "{}")) }
    }
}
