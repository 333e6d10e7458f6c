import Crypto
import Foundation
import HotlineCore

/// Twilio and Twilio-compatible providers: inbound SMS and status callbacks as signed form posts,
/// MT through the Messages REST API at a configurable base URL. (Protocol facts: docs/GATEWAYS.md.)
public struct TwilioChannel: Sendable {
    public static let signatureHeader = "X-Twilio-Signature"
    /// Twilio's error for a recipient who replied STOP.
    public static let optedOutError = "21610"

    public var accountSID: String
    public var authToken: String
    /// The REST API's base, e.g. `https://api.twilio.com`.
    public var apiBaseURL: String
    /// This service's public base URL as Twilio calls it (signatures cover it byte for byte).
    public var publicURL: String
    /// Sender: a number, or a Messaging Service SID (`MG…`).
    public var sender: String
    public var defaultCountryCode: String
    /// This channel's webhook path (`/webhooks/twilio/<channel id>`); status callbacks come to `<path>/status`.
    public var webhookPath: String
    /// Longest text stored whole; longer ones are cut and marked.
    public var maxTextLength: Int

    public init(accountSID: String, authToken: String, apiBaseURL: String, publicURL: String, sender: String, defaultCountryCode: String,
                webhookPath: String = "/webhooks/twilio", maxTextLength: Int = 1000) {
        self.webhookPath = webhookPath
        self.maxTextLength = maxTextLength
        self.accountSID = accountSID
        self.authToken = authToken
        self.apiBaseURL = apiBaseURL
        self.publicURL = publicURL
        self.sender = sender
        self.defaultCountryCode = defaultCountryCode
    }

    /// base64(HMAC-SHA1(auth token, URL + every field's name and value, names sorted)).
    public static func signature(authToken: String, url: String, fields: [String: String]) -> String {
        var data = url
        for name in fields.keys.sorted() { data += name + fields[name]! }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(data.utf8), using: SymmetricKey(data: Data(authToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// Checks the signature of a request to `pathAndQuery` (as requested) with form `fields`.
    public func verify(pathAndQuery: String, fields: [String: String], signature: String?) throws(WebhookError) {
        guard let signature, !signature.isEmpty else { throw .unauthorized("missing \(Self.signatureHeader) header") }
        let url = publicURL.trimmingSuffix("/") + pathAndQuery
        let expected = Self.signature(authToken: authToken, url: url, fields: fields)
        guard Signature.constantTimeEqual(signature, expected) else {
            throw .unauthorized("\(Self.signatureHeader) does not match (is public_url exactly the URL configured at the provider?)")
        }
    }

    /// An inbound SMS (`POST /webhooks/twilio`).
    public func inbound(pathAndQuery: String, fields: [String: String], signature: String?) throws(WebhookError) -> InboundText {
        try verify(pathAndQuery: pathAndQuery, fields: fields, signature: signature)
        func field(_ name: String) throws(WebhookError) -> String {
            guard let v = fields[name], !v.trimmingCharacters(in: .whitespaces).isEmpty else { throw .malformed("field '\(name)' is missing") }
            return v
        }
        let sid = try InboundChecks.providerID(try field("MessageSid"), field: "MessageSid")
        let from = try InboundChecks.phone(try field("From"), field: "From", defaultCountryCode: defaultCountryCode)
        let to = try InboundChecks.phone(try field("To"), field: "To", defaultCountryCode: defaultCountryCode)
        // Twilio does not retry a 4xx but treats it as an error on the number: an over-long text is kept, cut and marked.
        let body = try InboundChecks.text(try field("Body"), field: "Body", maxLength: maxTextLength, overLength: .cut)
        // Present when Advanced Opt-Out matched a keyword (STOP, START, HELP); other values are read as plain texts.
        let keyword = fields["OptOutType"].flatMap { ProviderKeyword(rawValue: $0.uppercased()) }
        return InboundText(providerID: sid, from: from, to: to, text: body, keyword: keyword)
    }

    /// A status callback (`POST /webhooks/twilio/status?message=<our id>`).
    public func statusCallback(pathAndQuery: String, fields: [String: String], signature: String?) throws(WebhookError) -> DeliveryReport {
        try verify(pathAndQuery: pathAndQuery, fields: fields, signature: signature)
        let query = pathAndQuery.split(separator: "?", maxSplits: 1).dropFirst().first.map { Array($0.utf8) } ?? []
        guard let raw = try FormFields.parse(query)["message"], let id = Int64(raw) else {
            throw .malformed("query parameter 'message' is missing (the StatusCallback URL carries it)")
        }
        guard let status = fields["MessageStatus"] else { throw .malformed("field 'MessageStatus' is missing") }
        let mapped: DeliveryStatus? = switch status {
        case "sent", "queued", "accepted", "sending": .sent
        case "delivered": .delivered
        case "undelivered", "failed": .failed
        default: nil
        }
        let code = fields["ErrorCode"].flatMap { $0.isEmpty ? nil : $0 }
        let sid = fields["MessageSid"].flatMap { $0.isEmpty ? nil : $0 }
        return DeliveryReport(messageID: id, providerID: sid, status: mapped, detail: "twilio \(status)" + (code.map { " error \($0)" } ?? ""),
                              optedOut: code == Self.optedOutError)
    }

    /// The REST request that sends one message.
    public func sendRequest(messageID: Int64, to: String, text: String) -> OutboundHTTPRequest {
        var fields = [("To", to), ("Body", text), ("StatusCallback", "\(publicURL.trimmingSuffix("/"))\(webhookPath)/status?message=\(messageID)")]
        fields.append(sender.hasPrefix("MG") ? ("MessagingServiceSid", sender) : ("From", sender))
        let credentials = Data("\(accountSID):\(authToken)".utf8).base64EncodedString()
        return OutboundHTTPRequest(
            method: "POST", url: "\(apiBaseURL.trimmingSuffix("/"))/2010-04-01/Accounts/\(accountSID)/Messages.json",
            headers: ["Authorization": "Basic \(credentials)", "Content-Type": "application/x-www-form-urlencoded"],
            body: Array(FormFields.encode(fields).utf8))
    }

    /// 201 with the message's `sid` is accepted; 429 and 5xx are retried; other 4xx fail for good
    /// (21610: the recipient opted out).
    public static func outcome(status: Int, body: String) -> SendOutcome {
        let json = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        switch status {
        case 200..<300: return .accepted(providerID: json?["sid"] as? String)
        case 429, 500...: return .retryable("twilio \(status): \(json?["message"] as? String ?? body.prefix(200).description)")
        default:
            let code = (json?["code"] as? NSNumber)?.stringValue ?? ""
            if code == optedOutError { return .optedOut("twilio 21610: recipient opted out") }
            return .permanent("twilio \(status)\(code.isEmpty ? "" : " error \(code)"): \(json?["message"] as? String ?? body.prefix(200).description)")
        }
    }
}

extension ChannelKind {
    /// Twilio and providers with its API: signed form webhooks, MT by the Messages REST API.
    public static let twilio = ChannelKind("twilio")
}

extension TwilioChannel: SendingChannel {
    public static let kind = ChannelKind.twilio
    public static let options = [ChannelOption("account_sid"), ChannelOption("auth_token_env", .environment), ChannelOption("public_url", .url),
                                 ChannelOption("from"), ChannelOption("api_base_url", required: false, .url)]
    // Requests are signed with the auth token.
    public static let webhookSecret = WebhookSecretUse.unused

    public init(_ setup: ChannelSetup) {
        let api = setup.option("api_base_url")
        self.init(accountSID: setup.option("account_sid"), authToken: setup.secret("auth_token"),
                  apiBaseURL: api.isEmpty ? "https://api.twilio.com" : api, publicURL: setup.option("public_url"),
                  sender: setup.option("from"), defaultCountryCode: setup.defaultCountryCode,
                  webhookPath: setup.webhookPath, maxTextLength: setup.maxTextLength)
    }

    /// TwiML with no message: the replies go out through the REST API and the outbox.
    static let emptyTwiML = WebhookReply(status: 200, contentType: "text/xml; charset=utf-8", body: Array("<Response/>".utf8))

    public var webhooks: [WebhookRoute] {
        [
            // Only the form body is signed as fields; the query is part of the signed URL.
            WebhookRoute(parse: { request throws(WebhookError) in
                .inbound(try inbound(pathAndQuery: request.pathAndQuery, fields: try request.formFields(),
                                     signature: request.header(Self.signatureHeader)))
            }, stored: { _ in Self.emptyTwiML }),
            WebhookRoute("/status") { request throws(WebhookError) in
                .delivery(try statusCallback(pathAndQuery: request.pathAndQuery, fields: try request.formFields(),
                                             signature: request.header(Self.signatureHeader)))
            },
        ]
    }

    public func sendRequest(_ t: OutgoingText) -> OutboundHTTPRequest {
        // The sender is the account's number or messaging service, not the hotline number texted.
        sendRequest(messageID: t.messageID, to: t.to, text: t.text)
    }

    public func sendOutcome(status: Int, body: String) -> SendOutcome { Self.outcome(status: status, body: body) }
}
