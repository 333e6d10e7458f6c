import Crypto
import Foundation
import HotlineCore

extension ChannelKind {
    /// Tencent Cloud SMS (腾讯云短信): approved templates under a registered signature.
    public static let tencent = ChannelKind("tencent")
}

/// Tencent Cloud SMS: texts go out as `SendSms` (API 2021-01-11, signed TC3-HMAC-SHA256) with the
/// template configured for the text's reply template and its parameters; the status callback (a
/// JSON array of reports by the send's `SerialNo`) and the reply callback (a resident's text) come
/// to `/webhooks/tencent/<id>/status` and `/reply`, which carry no signature: their URLs carry the
/// channel's secret (`?secret=…`), refused without it.
public struct TencentSMSChannel: Sendable {
    public var secretID: String
    public var secretKey: String
    public var sdkAppID: String
    public var signName: String
    public var region: String
    public var apiBaseURL: String
    /// The secret the callback URLs carry.
    public var callbackSecret: String
    /// The hotline number residents text (the reply callback does not say it).
    public var hotlineNumber: String
    public var templates: [String: ProviderTemplate]
    /// Longest template parameter, in characters.
    public var paramMaxLength: Int
    public var defaultCountryCode: String
    public var maxTextLength: Int
    /// The clock the signature's timestamp comes from.
    public var now: @Sendable () -> Date

    public init(secretID: String, secretKey: String, sdkAppID: String, signName: String, region: String = "ap-guangzhou",
                apiBaseURL: String = "https://sms.tencentcloudapi.com", callbackSecret: String, hotlineNumber: String,
                templates: [String: ProviderTemplate], paramMaxLength: Int = 12, defaultCountryCode: String = "86", maxTextLength: Int = 1000,
                now: @escaping @Sendable () -> Date = Date.init) {
        (self.secretID, self.secretKey, self.sdkAppID, self.signName, self.region, self.apiBaseURL) = (secretID, secretKey, sdkAppID, signName, region, apiBaseURL)
        (self.callbackSecret, self.hotlineNumber, self.templates, self.paramMaxLength) = (callbackSecret, hotlineNumber, templates, paramMaxLength)
        (self.defaultCountryCode, self.maxTextLength, self.now) = (defaultCountryCode, maxTextLength, now)
    }

    /// The answer Tencent's callbacks expect.
    static let ok = WebhookReply.json(200, ["result": 0, "errmsg": "OK"])

    // MARK: Sending

    /// The host the request goes to, as the `Host` header will say it (a port only when not the default).
    var host: String { OutboundHTTPRequest.hostHeader(of: apiBaseURL, default: "sms.tencentcloudapi.com") }

    /// `SendSms` with the text's template and parameters; our message id in `SessionContext`.
    public func sendRequest(_ t: OutgoingText) -> OutboundHTTPRequest {
        let (id, params) = ProviderTemplates.send(t, templates: templates, maxLength: paramMaxLength) ?? ("", [])
        let body: [String: Any] = ["PhoneNumberSet": [t.to], "SmsSdkAppId": sdkAppID, "SignName": signName, "TemplateId": id,
                                   "TemplateParamSet": params, "SessionContext": String(t.messageID)]
        let payload = Array((try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8))
        let timestamp = Int(now().timeIntervalSince1970)
        let contentType = "application/json"
        return OutboundHTTPRequest(method: "POST", url: apiBaseURL, headers: [
            "Content-Type": contentType, "X-TC-Action": "SendSms", "X-TC-Version": "2021-01-11", "X-TC-Region": region,
            "X-TC-Timestamp": String(timestamp),
            "Authorization": TC3.authorization(secretID: secretID, secretKey: secretKey, service: "sms", host: host, contentType: contentType,
                                               payload: payload, timestamp: timestamp),
        ], body: payload)
    }

    /// `Code: Ok` in the one `SendStatusSet` entry is accepted (its `SerialNo` the provider id);
    /// limits and internal errors are retried; a number on the blacklist (the resident replied TD)
    /// is an opt-out; a bad number, template or signature, or refused credentials fail for good.
    public func sendOutcome(status: Int, body: String) -> SendOutcome {
        guard status < 500, status != 429 else { return .retryable("tencent \(status): \(body.prefix(200))") }
        let response = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["Response"] as? [String: Any]
        if let error = response?["Error"] as? [String: Any] {
            return Self.outcome(code: error["Code"] as? String ?? "", message: error["Message"] as? String ?? "")
        }
        guard let sent = (response?["SendStatusSet"] as? [[String: Any]])?.first else {
            return .retryable("tencent \(status): an answer without SendStatusSet: \(body.prefix(200))")
        }
        let code = sent["Code"] as? String ?? ""
        if code == "Ok" { return .accepted(providerID: sent["SerialNo"] as? String) }
        return Self.outcome(code: code, message: sent["Message"] as? String ?? "")
    }

    static func outcome(code: String, message: String) -> SendOutcome {
        let said = "tencent \(code): \(message)"
        if code.hasPrefix("LimitExceeded") || code.hasPrefix("InternalError") || code == "RequestLimitExceeded" || code == "FailedOperation.InsufficientBalanceInSmsPackage" {
            return .retryable(said)
        }
        if code == "FailedOperation.PhoneNumberInBlacklist" || code == "FailedOperation.PhoneNumberOnBlacklist" { return .optedOut(said) }
        return .permanent(said)
    }

    // MARK: Callbacks

    func authenticate(_ request: WebhookRequest) throws(WebhookError) { try request.requireQuerySecret(callbackSecret, provider: "Tencent Cloud") }

    /// The status callback: `[{"sid", "report_status": "SUCCESS"|"FAIL", "errmsg", "description", …}]`.
    public func statusReports(_ request: WebhookRequest) throws(WebhookError) -> [DeliveryReport] {
        try authenticate(request)
        guard let reports = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [[String: Any]] else {
            throw .malformed("body is not a JSON array of status reports")
        }
        guard reports.count <= 1000 else { throw .malformed("more than 1000 reports in one callback") }
        return try reports.map { report throws(WebhookError) in
            guard let sid = report["sid"] as? String, !sid.isEmpty else { throw .malformed("a report without 'sid'") }
            let said = report["report_status"] as? String ?? ""
            let status: DeliveryStatus? = said == "SUCCESS" ? .delivered : said == "FAIL" ? .failed : nil
            let detail = ["tencent", said, report["errmsg"] as? String ?? "", report["description"] as? String ?? ""].filter { !$0.isEmpty }
            return DeliveryReport(messageID: nil, providerID: try InboundChecks.providerID(sid, field: "sid"), status: status,
                                  detail: detail.joined(separator: " "))
        }
    }

    /// The reply callback: `{"mobile", "nationcode", "text", "time", "sign", "extend"}`. It has no
    /// id: a retried callback is known by its number, time and text.
    public func reply(_ request: WebhookRequest) throws(WebhookError) -> InboundText {
        try authenticate(request)
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else {
            throw .malformed("body is not a JSON object (mobile, nationcode, text, time)")
        }
        let code = (object["nationcode"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? defaultCountryCode
        guard let mobile = object["mobile"] as? String, code.allSatisfy(\.isNumber), code.count <= 4 else { throw .malformed("field 'mobile' is missing") }
        let from = try InboundChecks.phone("+\(code)\(mobile)", field: "mobile", defaultCountryCode: defaultCountryCode)
        let text = try InboundChecks.text(object["text"] as? String, field: "text", maxLength: maxTextLength, overLength: .cut)
        let time = (object["time"] as? NSNumber)?.int64Value
        let digest = TC3.hex(SHA256.hash(data: Data(text.utf8))).prefix(16)
        return InboundText(providerID: "\(from):\(time.map(String.init) ?? "-"):\(digest)", from: from, to: hotlineNumber, text: text,
                           receivedAt: time.map { Date(timeIntervalSince1970: TimeInterval($0)) })
    }
}

extension TencentSMSChannel: SendingChannel {
    public static let kind = ChannelKind.tencent
    public static let options = [ChannelOption("sdk_app_id"), ChannelOption("sign_name"), ChannelOption("secret_id_env", .environment),
                                 ChannelOption("secret_key_env", .environment), ChannelOption("number"),
                                 ChannelOption("region", required: false), ChannelOption("api_base_url", required: false, .url),
                                 ChannelOption("param_max_length", required: false)]
    public static let webhookSecret = WebhookSecretUse.required("the secret the callback URLs carry as ?secret=…")
    public static let templates = TemplateUse.required

    public init(_ setup: ChannelSetup) {
        let region = setup.option("region"), api = setup.option("api_base_url")
        self.init(secretID: setup.secret("secret_id"), secretKey: setup.secret("secret_key"), sdkAppID: setup.option("sdk_app_id"),
                  signName: setup.option("sign_name"), region: region.isEmpty ? "ap-guangzhou" : region,
                  apiBaseURL: api.isEmpty ? "https://sms.tencentcloudapi.com" : api, callbackSecret: setup.webhookSecret ?? "",
                  hotlineNumber: PhoneNumber.normalize(setup.option("number"), defaultCountryCode: setup.defaultCountryCode),
                  templates: setup.settings.templates, paramMaxLength: Int(setup.option("param_max_length")).map { max(4, $0) } ?? 12,
                  defaultCountryCode: setup.defaultCountryCode, maxTextLength: setup.maxTextLength)
    }

    public var webhooks: [WebhookRoute] {
        [
            WebhookRoute("/status", parse: { request throws(WebhookError) in .deliveries(try statusReports(request)) }, recorded: Self.ok),
            WebhookRoute("/reply", parse: { request throws(WebhookError) in .inbound(try reply(request)) }, stored: { _ in Self.ok }),
        ]
    }
}
