import Foundation
import HotlineCore

/// An Android phone with a SIM as the gateway (capcom6 "SMS Gateway for Android"): webhooks for
/// received messages and delivery events, signed `X-Signature` = hex HMAC-SHA256(body + `X-Timestamp`);
/// sends through the app's `POST /3rdparty/v1/messages`.
public struct AndroidGatewayChannel: Sendable {
    public static let signatureHeader = "X-Signature"
    public static let timestampHeader = "X-Timestamp"

    public var signingKey: String
    /// Accepted clock difference for `X-Timestamp` (replays outside it are refused).
    public var replayWindow: TimeInterval
    /// The hotline number this phone's SIM answers (the webhook does not say it).
    public var hotlineNumber: String
    public var apiURL: String
    public var username: String
    public var password: String
    public var defaultCountryCode: String
    /// Longest text stored whole; longer ones are cut and marked.
    public var maxTextLength: Int

    public init(signingKey: String, replayWindow: TimeInterval = 300, hotlineNumber: String, apiURL: String, username: String,
                password: String, defaultCountryCode: String, maxTextLength: Int = 1000) {
        self.maxTextLength = maxTextLength
        self.signingKey = signingKey
        self.replayWindow = replayWindow
        self.hotlineNumber = hotlineNumber
        self.apiURL = apiURL
        self.username = username
        self.password = password
        self.defaultCountryCode = defaultCountryCode
    }

    /// What one webhook call carries.
    public enum Event: Sendable, Equatable {
        case received(InboundText)
        /// A delivery event for a message the app sent; `providerID` is the app's message id.
        case status(providerID: String, DeliveryStatus?, detail: String)
    }

    /// Verifies signature and timestamp, then parses the event.
    public func event(body: [UInt8], signature: String?, timestamp: String?, now: Date) throws(WebhookError) -> Event {
        guard !signingKey.isEmpty else { throw .unauthorized("no signing key configured for this channel (secret_env)") }
        guard let signature, !signature.isEmpty, let timestamp, !timestamp.isEmpty else {
            throw .unauthorized("missing \(Self.signatureHeader) or \(Self.timestampHeader) header")
        }
        guard let seconds = Double(timestamp), abs(now.timeIntervalSince1970 - seconds) <= replayWindow else {
            throw .unauthorized("\(Self.timestampHeader) is outside the \(Int(replayWindow)) s window (a replay, or a clock off)")
        }
        let expected = Signature.hmacSHA256Hex(secret: signingKey, data: body + Array(timestamp.utf8))
        guard Signature.constantTimeEqual(signature.lowercased(), expected) else { throw .unauthorized("\(Self.signatureHeader) does not match") }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw .malformed("body is not a JSON object")
        }
        guard let event = object["event"] as? String else { throw .malformed("field 'event' is missing") }
        guard let payload = object["payload"] as? [String: Any] else { throw .malformed("field 'payload' is missing") }
        switch event {
        case "sms:received":
            // The app retries a refusal with backoff: an over-long text is stored cut and marked instead.
            let text = try InboundChecks.text(payload["message"] as? String, field: "payload.message", maxLength: maxTextLength, overLength: .cut)
            let from = try InboundChecks.phone(payload["phoneNumber"] as? String, field: "payload.phoneNumber", defaultCountryCode: defaultCountryCode)
            // The event id is the same when the app retries a webhook; messageId is derived from content and not unique.
            let id = try InboundChecks.providerID(object["id"] as? String ?? payload["messageId"] as? String, field: "id")
            var sentAt: Date?
            if let raw = payload["receivedAt"] as? String { sentAt = JSONWebhook.parseDate(raw) }
            return .received(InboundText(providerID: id, from: from, to: hotlineNumber, text: text, receivedAt: sentAt))
        case "sms:sent", "sms:delivered", "sms:failed":
            guard let messageID = payload["messageId"] as? String else { throw .malformed("field 'payload.messageId' is missing") }
            let status: DeliveryStatus = event == "sms:sent" ? .sent : event == "sms:delivered" ? .delivered : .failed
            return .status(providerID: messageID, status, detail: "android \(event) \(payload["reason"] as? String ?? "")")
        default:
            return .status(providerID: "", nil, detail: "android \(event) ignored")
        }
    }

    /// The send request for one message.
    public func sendRequest(to: String, text: String) -> OutboundHTTPRequest {
        let body: [String: Any] = ["textMessage": ["text": text], "phoneNumbers": [to], "withDeliveryReport": true]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        let credentials = Data("\(username):\(password)".utf8).base64EncodedString()
        return OutboundHTTPRequest(method: "POST", url: "\(apiURL.trimmingSuffix("/"))/3rdparty/v1/messages",
                                   headers: ["Authorization": "Basic \(credentials)", "Content-Type": "application/json"], body: Array(data))
    }

    /// 2xx with the message's `id` is accepted; 429 and 5xx are retried; other 4xx fail for good.
    public static func outcome(status: Int, body: String) -> SendOutcome {
        let json = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        switch status {
        case 200..<300: return .accepted(providerID: json?["id"] as? String)
        case 429, 500...: return .retryable("android \(status): \(body.prefix(200))")
        default: return .permanent("android \(status): \(json?["message"] as? String ?? String(body.prefix(200)))")
        }
    }
}

extension ChannelKind {
    /// An Android phone running capcom6's SMS Gateway: signed webhooks, MT through the app's API.
    public static let android = ChannelKind("android")
}

extension AndroidGatewayChannel: SendingChannel {
    public static let kind = ChannelKind.android
    public static let options = [ChannelOption("api_url", .url), ChannelOption("username"), ChannelOption("password_env", .environment),
                                 ChannelOption("number")]
    public static let webhookSecret = WebhookSecretUse.required("the app's webhook signing key")
    // The app gives a retried webhook a new event id when it re-reads the inbox: the same text
    // from the same number within two minutes is the same message.
    public static let sameTextWindow: TimeInterval? = 120

    public init(_ setup: ChannelSetup) {
        self.init(signingKey: setup.webhookSecret ?? "",
                  hotlineNumber: PhoneNumber.normalize(setup.option("number"), defaultCountryCode: setup.defaultCountryCode),
                  apiURL: setup.option("api_url"), username: setup.option("username"), password: setup.secret("password"),
                  defaultCountryCode: setup.defaultCountryCode, maxTextLength: setup.maxTextLength)
    }

    public var webhooks: [WebhookRoute] {
        [
            WebhookRoute { request throws(WebhookError) in
                switch try event(body: request.body, signature: request.header(Self.signatureHeader),
                                 timestamp: request.header(Self.timestampHeader), now: request.now) {
                case let .received(text): .inbound(text)
                // The app's events name its own message id, which its send answer returned.
                case let .status(providerID, status, detail): .delivery(DeliveryReport(messageID: nil, providerID: providerID, status: status, detail: detail))
                }
            },
        ]
    }

    public func sendRequest(_ t: OutgoingText) -> OutboundHTTPRequest {
        // The phone sends from its own SIM; delivery reports come back by the phone's message id.
        sendRequest(to: t.to, text: t.text)
    }

    public func sendOutcome(status: Int, body: String) -> SendOutcome { Self.outcome(status: status, body: body) }
}
