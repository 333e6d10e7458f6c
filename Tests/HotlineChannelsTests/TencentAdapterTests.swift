import Foundation
import HotlineChannels
import HotlineCore
import HotlineTestSupport
import Testing

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Tencent Cloud SMS: the TC3 signature as the official SDK makes it, templates and their
/// parameters, the send's answers, and the status and reply callbacks.
@Suite struct TencentAdapterTests {
    static let templates = [
        "ack.complaint": ProviderTemplate(id: "1100001", params: ["case", "assignee"]),
        "ack.question": ProviderTemplate(id: "1100002", params: ["case"]),
        "ack.unclassified": ProviderTemplate(id: "1100003", params: ["case"]),
        "resident.accepted": ProviderTemplate(id: "1100004", params: ["case", "assignee", "resident"]),
        "fallback": ProviderTemplate(id: "1100009", params: ["studio", "case"]),
    ]
    static let at = Date(timeIntervalSince1970: 1_796_297_391)
    static let tencent = TencentSMSChannel(secretID: "AKIDtest", secretKey: "secretKEY", sdkAppID: "1400000001", signName: "徐家湾委员工作室",
                                           apiBaseURL: "http://127.0.0.1:9", callbackSecret: "cb-s3cret", hotlineNumber: "10690001",
                                           templates: templates, now: { at })

    /// The SDK sends its own request to a local server; the same payload signed by hotline at the
    /// same second gives the same Authorization.
    @Test func signatureIsTheSDKs() async throws {
        let payload = #"{"PhoneNumberSet":["+8613700000001"],"SmsSdkAppId":"1400000001","SignName":"徐家湾委员工作室","TemplateId":"1100001","TemplateParamSet":["12","王委员"],"SessionContext":"9"}"#
        let seen = try #require(try await PythonPeer.json([repoRoot.appendingPathComponent("Tests/tencent/sdk_request.py").path, "AKIDtest", "secretKEY", payload])
            as? [String: Any])
        let headers = try #require(seen["headers"] as? [String: String])
        let body = try #require(seen["body"] as? String)
        let timestamp = try #require(Int(headers["X-TC-Timestamp"] ?? ""))
        let ours = TC3.authorization(secretID: "AKIDtest", secretKey: "secretKEY", service: "sms", host: try #require(headers["Host"]),
                                     contentType: try #require(headers["Content-Type"]), payload: Array(body.utf8), timestamp: timestamp)
        #expect(ours == headers["Authorization"])
    }

    static func text(_ template: String?, _ values: [String: String], to: String = "+8613700000001") -> OutgoingText {
        OutgoingText(messageID: 9, from: "10690001", to: to, text: "…", template: template, values: values)
    }

    @Test(arguments: [
        ("the text's own template", text("ack.complaint", ["case": "12", "assignee": "王委员", "studio": "徐家湾委员工作室"]), "1100001", ["12", "王委员"]),
        ("no template of its own: the fallback", text("member.help", ["studio": "徐家湾委员工作室"]), "1100009", ["徐家湾委员工作室", "-"]),
        ("a notice: the fallback", text(nil, [:]), "1100009", ["-", "-"]),
        ("values cut to the provider's length", text("resident.accepted", ["case": "12", "assignee": "欧阳诸葛委员会副主任委员长", "resident": "+86137****0001"]),
         "1100004", ["12", "欧阳诸葛委员会副主任委…", "****0001"]),
    ])
    func templatesAndParameters(name: String, text: OutgoingText, id: String, params: [String]) throws {
        let request = Self.tencent.sendRequest(text)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body ?? [])) as? [String: Any])
        #expect(body["TemplateId"] as? String == id, "\(name)")
        #expect(body["TemplateParamSet"] as? [String] == params, "\(name)")
        #expect(body["PhoneNumberSet"] as? [String] == ["+8613700000001"] && body["SessionContext"] as? String == "9")
        #expect(body["SignName"] as? String == "徐家湾委员工作室" && body["SmsSdkAppId"] as? String == "1400000001")
        #expect(request.headers["X-TC-Action"] == "SendSms" && request.headers["X-TC-Version"] == "2021-01-11")
        #expect(request.headers["Authorization"] == TC3.authorization(secretID: "AKIDtest", secretKey: "secretKEY", service: "sms", host: "127.0.0.1:9",
                                                                      contentType: "application/json", payload: request.body ?? [], timestamp: 1_796_297_391))
    }

    @Test(arguments: [
        (200, #"{"Response":{"SendStatusSet":[{"SerialNo":"5000:1040","Code":"Ok","Message":"send success"}],"RequestId":"r"}}"#,
         SendOutcome.accepted(providerID: "5000:1040")),
        (200, #"{"Response":{"SendStatusSet":[{"SerialNo":"","Code":"FailedOperation.PhoneNumberInBlacklist","Message":"unsubscribed"}],"RequestId":"r"}}"#,
         .optedOut("tencent FailedOperation.PhoneNumberInBlacklist: unsubscribed")),
        (200, #"{"Response":{"SendStatusSet":[{"Code":"InvalidParameterValue.IncorrectPhoneNumber","Message":"bad number"}],"RequestId":"r"}}"#,
         .permanent("tencent InvalidParameterValue.IncorrectPhoneNumber: bad number")),
        (200, #"{"Response":{"Error":{"Code":"LimitExceeded.PhoneNumberThirtySecondLimit","Message":"too often"},"RequestId":"r"}}"#,
         .retryable("tencent LimitExceeded.PhoneNumberThirtySecondLimit: too often")),
        (200, #"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad signature"},"RequestId":"r"}}"#,
         .permanent("tencent AuthFailure.SignatureFailure: bad signature")),
        (200, #"{"Response":{"Error":{"Code":"FailedOperation.TemplateIncorrectOrUnapproved","Message":"template"},"RequestId":"r"}}"#,
         .permanent("tencent FailedOperation.TemplateIncorrectOrUnapproved: template")),
        (502, "bad gateway", .retryable("tencent 502: bad gateway")),
    ])
    func sendAnswers(status: Int, body: String, outcome: SendOutcome) {
        #expect(Self.tencent.sendOutcome(status: status, body: body) == outcome)
    }

    static func callback(_ path: String, _ body: String) -> WebhookRequest {
        WebhookRequest(method: .post, pathAndQuery: path, body: Array(body.utf8), now: at)
    }

    @Test func statusCallbackIsReportsBySerialNumber() throws {
        let body = #"[{"user_receive_time":"2026-12-03 08:03:04","nationcode":"86","mobile":"13700000001","report_status":"SUCCESS","errmsg":"DELIVRD","description":"用户短信送达成功","sid":"5000:1040"},{"mobile":"13700000002","report_status":"FAIL","errmsg":"MK:0005","description":"空号","sid":"5000:1041"}]"#
        let reports = try Self.tencent.statusReports(Self.callback("/webhooks/tencent/t/status?secret=cb-s3cret", body))
        #expect(reports == [
            DeliveryReport(messageID: nil, providerID: "5000:1040", status: .delivered, detail: "tencent SUCCESS DELIVRD 用户短信送达成功"),
            DeliveryReport(messageID: nil, providerID: "5000:1041", status: .failed, detail: "tencent FAIL MK:0005 空号"),
        ])
        for (path, why) in [("/status", "missing secret (the callback URL configured at Tencent Cloud carries ?secret=…)"), ("/status?secret=guess", "wrong secret")] {
            #expect(throws: WebhookError.unauthorized(why)) { try Self.tencent.statusReports(Self.callback(path, body)) }
        }
        #expect(throws: WebhookError.malformed("body is not a JSON array of status reports")) {
            try Self.tencent.statusReports(Self.callback("/status?secret=cb-s3cret", #"{"sid":"1"}"#))
        }
    }

    @Test func replyCallbackIsAResidentsText() throws {
        let body = #"{"extend":"","mobile":"13700000001","nationcode":"86","sign":"徐家湾委员工作室","text":"查询 12","time":1796297000}"#
        let text = try Self.tencent.reply(Self.callback("/reply?secret=cb-s3cret", body))
        #expect(text.from == "+8613700000001" && text.to == "10690001" && text.text == "查询 12")
        #expect(text.receivedAt == Date(timeIntervalSince1970: 1_796_297_000))
        // A retried callback is the same message; another text at the same second is not.
        #expect(try Self.tencent.reply(Self.callback("/reply?secret=cb-s3cret", body)).providerID == text.providerID)
        let other = body.replacingOccurrences(of: "查询 12", with: "谢谢")
        #expect(try Self.tencent.reply(Self.callback("/reply?secret=cb-s3cret", other)).providerID != text.providerID)
        #expect(throws: WebhookError.self) {
            try Self.tencent.reply(Self.callback("/reply?secret=cb-s3cret", body.replacingOccurrences(of: "13700000001", with: "1370000000１abc")))
        }
    }
}
