import Crypto
import Foundation
import HotlineCore

extension ChannelKind {
    /// Aliyun SMS (阿里云短信服务, dysmsapi): approved templates under a registered signature.
    public static let aliyun = ChannelKind("aliyun")
}

/// Aliyun SMS: texts go out as `SendSms` of dysmsapi (2017-05-25), signed ACS3-HMAC-SHA256 as the
/// official SDK signs it, with the template configured for the text's reply template and its
/// values as the template's named variables (`${case}`); delivery receipts (SmsReport) and
/// residents' texts (SmsUp) come by Aliyun's HTTP batch push to `/webhooks/aliyun/<id>/report` and
/// `/up`, which carry no signature: their URLs carry the channel's secret (`?secret=…`).
public struct AliyunSMSChannel: Sendable {
    public var accessKeyID: String
    public var accessKeySecret: String
    public var signName: String
    public var apiBaseURL: String
    public var callbackSecret: String
    /// The hotline number residents text (the push names the account's extension code, not it).
    public var hotlineNumber: String
    public var templates: [String: ProviderTemplate]
    public var paramMaxLength: Int
    public var defaultCountryCode: String
    public var maxTextLength: Int
    public var now: @Sendable () -> Date
    /// The signature's nonce (random; fixed in tests).
    public var nonce: @Sendable () -> String

    public init(accessKeyID: String, accessKeySecret: String, signName: String, apiBaseURL: String = "https://dysmsapi.aliyuncs.com",
                callbackSecret: String, hotlineNumber: String, templates: [String: ProviderTemplate], paramMaxLength: Int = 35,
                defaultCountryCode: String = "86", maxTextLength: Int = 1000, now: @escaping @Sendable () -> Date = Date.init,
                nonce: @escaping @Sendable () -> String = { UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }) {
        (self.accessKeyID, self.accessKeySecret, self.signName, self.apiBaseURL) = (accessKeyID, accessKeySecret, signName, apiBaseURL)
        (self.callbackSecret, self.hotlineNumber, self.templates, self.paramMaxLength) = (callbackSecret, hotlineNumber, templates, paramMaxLength)
        (self.defaultCountryCode, self.maxTextLength, self.now, self.nonce) = (defaultCountryCode, maxTextLength, now, nonce)
    }

    /// The answer Aliyun's pushes expect.
    static let ok = WebhookReply.json(200, ["code": 0, "msg": "成功"])

    var host: String { OutboundHTTPRequest.hostHeader(of: apiBaseURL, default: "dysmsapi.aliyuncs.com") }

    // MARK: Sending

    /// `SendSms` with the text's template, its variables as JSON, our message id as `OutId`.
    public func sendRequest(_ t: OutgoingText) -> OutboundHTTPRequest {
        var id = "", variables: [String: String] = [:]
        if let (template, params) = ProviderTemplates.send(t, templates: templates, maxLength: paramMaxLength) {
            id = template
            let names = (t.template.flatMap { templates[$0] } ?? templates[ProviderTemplates.fallback])?.params ?? []
            variables = Dictionary(zip(names, params), uniquingKeysWith: { a, _ in a })
        }
        // Aliyun wants the number without + and, for mainland numbers, without 86.
        var phone = t.to.hasPrefix("+") ? String(t.to.dropFirst()) : t.to
        if phone.hasPrefix("86"), phone.count == 13 { phone.removeFirst(2) }
        let json = (try? JSONSerialization.data(withJSONObject: variables, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let query = [("OutId", String(t.messageID)), ("PhoneNumbers", phone), ("SignName", signName), ("TemplateCode", id), ("TemplateParam", json)]
        let empty = [UInt8]()
        var signed = [
            "host": host, "x-acs-action": "SendSms", "x-acs-version": "2017-05-25",
            "x-acs-date": Self.isoDate(now()), "x-acs-signature-nonce": nonce(), "x-acs-content-sha256": ACS3.hex(SHA256.hash(data: empty)),
        ]
        let authorization = ACS3.authorization(accessKeyID: accessKeyID, secret: accessKeySecret, query: query, headers: signed, payload: empty)
        signed["host"] = nil  // the transport writes Host itself, as signed
        signed["Authorization"] = authorization
        signed["Accept"] = "application/json"
        return OutboundHTTPRequest(method: "POST", url: "\(apiBaseURL.trimmingSuffix("/"))/?\(ACS3.canonicalQuery(query))", headers: signed, body: nil)
    }

    static func isoDate(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    /// `Code: OK` is accepted (its `BizId` the provider id); flow control and system errors are
    /// retried; a bad number, template, signature or key fails for good.
    public func sendOutcome(status: Int, body: String) -> SendOutcome {
        guard status < 500, status != 429 else { return .retryable("aliyun \(status): \(body.prefix(200))") }
        guard let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], let code = json["Code"] as? String else {
            return .retryable("aliyun \(status): an answer without Code: \(body.prefix(200))")
        }
        let said = "aliyun \(code): \(json["Message"] as? String ?? "")"
        switch code {
        case "OK": return .accepted(providerID: json["BizId"] as? String)
        case _ where code.hasPrefix("isp.") || code.hasSuffix("LIMIT_CONTROL") || code == "Throttling" || code == "ServiceUnavailable"
            || code == "isv.AMOUNT_NOT_ENOUGH":
            return .retryable(said)
        default: return .permanent(said)
        }
    }

    // MARK: Pushes

    func authenticate(_ request: WebhookRequest) throws(WebhookError) { try request.requireQuerySecret(callbackSecret, provider: "Aliyun") }

    func array(_ request: WebhookRequest, _ what: String) throws(WebhookError) -> [[String: Any]] {
        try authenticate(request)
        guard let items = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [[String: Any]] else {
            throw .malformed("body is not a JSON array of \(what)")
        }
        guard items.count <= 1000 else { throw .malformed("more than 1000 \(what) in one push") }
        return items
    }

    /// SmsReport: `[{"phone_number", "success", "err_code", "err_msg", "biz_id", "out_id", …}]`.
    public func reports(_ request: WebhookRequest) throws(WebhookError) -> [DeliveryReport] {
        try array(request, "reports").map { r throws(WebhookError) in
            let success = (r["success"] as? Bool) ?? ((r["success"] as? String) == "true")
            let messageID = (r["out_id"] as? String).flatMap { Int64($0) }
            let bizID = (r["biz_id"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            guard messageID != nil || bizID != nil else { throw .malformed("a report without out_id or biz_id") }
            let detail = ["aliyun", r["err_code"] as? String ?? "", r["err_msg"] as? String ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
            return DeliveryReport(messageID: messageID, providerID: bizID, status: success ? .delivered : .failed, detail: detail)
        }
    }

    /// SmsUp: `[{"phone_number", "content", "send_time", "sequence_id", "sign_name", "dest_code"}]`.
    public func upstream(_ request: WebhookRequest) throws(WebhookError) -> [InboundText] {
        try array(request, "messages").map { m throws(WebhookError) in
            let sequence = (m["sequence_id"] as? NSNumber)?.stringValue ?? (m["sequence_id"] as? String)
            return InboundText(providerID: try InboundChecks.providerID(sequence, field: "sequence_id"),
                               from: try InboundChecks.phone(m["phone_number"] as? String, field: "phone_number", defaultCountryCode: defaultCountryCode),
                               to: hotlineNumber,
                               text: try InboundChecks.text(m["content"] as? String, field: "content", maxLength: maxTextLength, overLength: .cut))
        }
    }
}

extension AliyunSMSChannel: SendingChannel {
    public static let kind = ChannelKind.aliyun
    public static let options = [ChannelOption("sign_name"), ChannelOption("access_key_id_env", .environment),
                                 ChannelOption("access_key_secret_env", .environment), ChannelOption("number"),
                                 ChannelOption("api_base_url", required: false, .url), ChannelOption("param_max_length", required: false)]
    public static let webhookSecret = WebhookSecretUse.required("the secret the push URLs carry as ?secret=…")
    public static let templates = TemplateUse.required

    public init(_ setup: ChannelSetup) {
        let api = setup.option("api_base_url")
        self.init(accessKeyID: setup.secret("access_key_id"), accessKeySecret: setup.secret("access_key_secret"), signName: setup.option("sign_name"),
                  apiBaseURL: api.isEmpty ? "https://dysmsapi.aliyuncs.com" : api, callbackSecret: setup.webhookSecret ?? "",
                  hotlineNumber: PhoneNumber.normalize(setup.option("number"), defaultCountryCode: setup.defaultCountryCode),
                  templates: setup.settings.templates, paramMaxLength: Int(setup.option("param_max_length")).map { max(4, $0) } ?? 35,
                  defaultCountryCode: setup.defaultCountryCode, maxTextLength: setup.maxTextLength)
    }

    public var webhooks: [WebhookRoute] {
        [
            WebhookRoute("/report", parse: { request throws(WebhookError) in .deliveries(try reports(request)) }, recorded: Self.ok),
            WebhookRoute("/up", parse: { request throws(WebhookError) in .inbounds(try upstream(request)) }, recorded: Self.ok),
        ]
    }
}
