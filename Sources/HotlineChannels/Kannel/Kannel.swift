import Foundation
import HotlineCore

/// Kannel: MO from an `sms-service` `get-url`/`post-url`, delivery reports from `dlr-url`, MT through
/// smsbox's `/cgi-bin/sendsms`. (Protocol facts: docs/GATEWAYS.md.)
///
/// The sms-service URL carries `from=%p&to=%P&text=%b&id=%I` (`%I` is stable across Kannel's
/// retries: the dedup key) and the shared secret as `secret=…` (or the `X-Hotline-Secret` header).
public struct KannelChannel: Sendable {
    /// Header that may carry the shared secret instead of the query.
    public static let secretHeader = "X-Hotline-Secret"

    public var secret: String?
    public var defaultCountryCode: String
    public var sendsmsURL: String
    public var username: String
    public var password: String
    /// How Kannel reaches this service, for the `dlr-url`.
    public var publicURL: String
    /// This channel's webhook path (`/webhooks/kannel/<channel id>`); delivery reports come to `<path>/dlr`.
    public var webhookPath: String
    /// Longest text stored whole; longer ones are cut and marked.
    public var maxTextLength: Int

    public init(secret: String?, defaultCountryCode: String, sendsmsURL: String, username: String, password: String, publicURL: String,
                webhookPath: String = "/webhooks/kannel", maxTextLength: Int = 1000) {
        self.webhookPath = webhookPath
        self.maxTextLength = maxTextLength
        self.secret = secret
        self.defaultCountryCode = defaultCountryCode
        self.sendsmsURL = sendsmsURL
        self.username = username
        self.password = password
        self.publicURL = publicURL
    }

    /// An MO request: the fields of the query (GET) or form body (POST). Numbers are checked before
    /// they are normalised; a text over `maxTextLength` is stored cut and marked (Kannel retries a
    /// refusal, and the resident did send it); `time` (`%T`, unix seconds) is the SMSC's time if given.
    public func inbound(fields: [String: String], secretHeader: String?) throws(WebhookError) -> InboundText {
        try authenticate(fields, secretHeader)
        func field(_ name: String) throws(WebhookError) -> String {
            guard let v = fields[name], !v.isBlank else {
                throw .malformed("field '\(name)' is missing (sms-service get-url needs from=%p&to=%P&text=%b&id=%I)")
            }
            return v
        }
        let id = try InboundChecks.providerID(try field("id"), field: "id")
        let from = try InboundChecks.phone(try field("from"), field: "from", defaultCountryCode: defaultCountryCode)
        let to = try InboundChecks.phone(try field("to"), field: "to", defaultCountryCode: defaultCountryCode)
        guard let raw = fields["text"], !raw.isBlank else { throw .malformed("field 'text' is missing or empty") }
        let text = try InboundChecks.text(raw, field: "text", maxLength: maxTextLength, overLength: .cut)
        var sentAt: Date?
        if let time = fields["time"], !time.isEmpty {
            guard let seconds = Int64(time) else { throw .malformed("field 'time' must be unix seconds (%T)") }
            sentAt = Date(timeIntervalSince1970: TimeInterval(seconds))
        }
        return InboundText(providerID: id, from: from, to: to, text: text, receivedAt: sentAt)
    }

    /// A delivery report: `message` (our id, put in the dlr-url when sending) and `type` (Kannel's `%d`).
    public func deliveryReport(fields: [String: String], secretHeader: String?) throws(WebhookError) -> DeliveryReport {
        try authenticate(fields, secretHeader)
        guard let raw = fields["message"], let id = Int64(raw) else { throw .malformed("field 'message' is missing or not a number") }
        guard let rawType = fields["type"], let type = Int(rawType) else { throw .malformed("field 'type' is missing or not a number") }
        let status: DeliveryStatus? = switch type {
        case 1: .delivered
        case 2, 16: .failed
        case 4, 8: .sent
        default: nil
        }
        return DeliveryReport(messageID: id, status: status, detail: "kannel dlr \(type) \(fields["answer"] ?? "")".trimmingCharacters(in: .whitespaces))
    }

    private func authenticate(_ fields: [String: String], _ header: String?) throws(WebhookError) {
        guard let secret, !secret.isEmpty else { return }
        guard let given = fields["secret"] ?? header, !given.isEmpty else {
            throw .unauthorized("missing secret (add secret=… to the Kannel URL or send \(Self.secretHeader))")
        }
        guard Signature.constantTimeEqual(given, secret) else { throw .unauthorized("wrong secret") }
    }

    /// The sendsms request for one outbound message. Chinese needs `coding=2` and `charset=UTF-8`
    /// together; the dlr-url brings delivery reports back with our message id.
    public func sendRequest(messageID: Int64, from: String, to: String, text: String) -> OutboundHTTPRequest {
        var dlr = "\(publicURL.trimmingSuffix("/"))\(webhookPath)/dlr?message=\(messageID)&type=%d&answer=%A"
        if let secret, !secret.isEmpty { dlr += "&secret=\(FormFields.encode(secret))" }
        var fields: [(String, String)] = [
            ("username", username), ("password", password), ("from", from), ("to", to), ("text", text),
        ]
        if SMSSegments.encoding(of: text) == .ucs2 {
            fields += [("coding", "2"), ("charset", "UTF-8")]
        }
        // Reports of what changes a message's status: delivered (1), undelivered (2), SMSC reject
        // (16). Not buffered (4) nor SMSC success (8): they say what the 202 said, and cost a
        // callback (and a write) per part.
        fields += [("dlr-mask", "19"), ("dlr-url", dlr)]
        let separator = sendsmsURL.utf8.contains(UInt8(ascii: "?")) ? "&" : "?"
        return OutboundHTTPRequest(method: "GET", url: sendsmsURL + separator + FormFields.encode(fields))
    }

    /// What sendsms's answer means: `202 0: Accepted` and `202 3: Queued for later delivery` are
    /// accepted; other 4xx are permanent (bad credentials, bad number); 5xx are worth a retry.
    public static func outcome(status: Int, body: String) -> SendOutcome {
        let said = body.trimmed
        switch status {
        case 200..<300: return .accepted(providerID: nil)
        case 429: return .retryable("kannel \(status): \(said)")
        case 400..<500: return .permanent("kannel \(status): \(said)")
        default: return .retryable("kannel \(status): \(said)")
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}

extension ChannelKind {
    /// Kannel's smsbox: MO by `sms-service`, delivery reports by `dlr-url`, MT by sendsms.
    public static let kannel = ChannelKind("kannel")
}

extension KannelChannel: SendingChannel {
    public static let kind = ChannelKind.kannel
    public static let options = [ChannelOption("sendsms_url", .url), ChannelOption("username"),
                                 ChannelOption("password_env", .environment), ChannelOption("public_url", .url)]
    public static let webhookSecret = WebhookSecretUse.optional

    public init(_ setup: ChannelSetup) {
        self.init(secret: setup.webhookSecret, defaultCountryCode: setup.defaultCountryCode, sendsmsURL: setup.option("sendsms_url"),
                  username: setup.option("username"), password: setup.secret("password"), publicURL: setup.option("public_url"),
                  webhookPath: setup.webhookPath, maxTextLength: setup.maxTextLength)
    }

    public var webhooks: [WebhookRoute] {
        [
            // Kannel calls get-url with GET and post-url with POST (a form body); both carry the same
            // fields. The answer is an empty 200: Kannel sends no reply of its own (omit-empty).
            WebhookRoute(methods: [.get, .post], body: .cutOver) { request throws(WebhookError) in
                .inbound(try inbound(fields: try request.allFields(), secretHeader: request.header(Self.secretHeader)))
            },
            WebhookRoute("/dlr", methods: [.get]) { request throws(WebhookError) in
                .delivery(try deliveryReport(fields: try request.allFields(), secretHeader: request.header(Self.secretHeader)))
            },
        ]
    }

    public func sendRequest(_ t: OutgoingText) -> OutboundHTTPRequest {
        sendRequest(messageID: t.messageID, from: t.from, to: t.to, text: t.text)
    }

    public func sendOutcome(status: Int, body: String) -> SendOutcome { Self.outcome(status: status, body: body) }
}
