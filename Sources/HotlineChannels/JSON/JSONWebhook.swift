import Foundation
import HotlineCore

/// The JSON webhook: `POST /webhooks/json` with `{"id", "from", "to", "text"}` and optional `"received_at"`
/// (ISO 8601), signed with `X-Hotline-Signature: sha256=<hex HMAC-SHA256 of the raw body>` when a secret is set.
public struct JSONWebhook: Sendable {
    /// The header carrying the signature.
    public static let signatureHeader = "X-Hotline-Signature"
    public var secret: String?
    public var maxTextLength: Int
    public var defaultCountryCode: String

    public init(secret: String?, maxTextLength: Int, defaultCountryCode: String) {
        self.secret = secret
        self.maxTextLength = maxTextLength
        self.defaultCountryCode = defaultCountryCode
    }

    /// Verifies the signature (when a secret is set), then parses the body.
    public func parse(body: [UInt8], signature: String?) throws(WebhookError) -> InboundText {
        if let secret, !secret.isEmpty {
            guard let signature, !signature.isEmpty else {
                throw .unauthorized("missing \(Self.signatureHeader) header (sha256=<hex HMAC-SHA256 of the body>)")
            }
            let expected = "sha256=" + Signature.hmacSHA256Hex(secret: secret, data: body)
            guard Signature.constantTimeEqual(signature.trimmedSpaces.lowercased(), expected) else {
                throw .unauthorized("\(Self.signatureHeader) does not match the body")
            }
        }
        guard !body.isEmpty else { throw .malformed("body is empty: expected a JSON object with id, from, to, text") }
        guard String(validating: body, as: UTF8.self) != nil else { throw .malformed("body is not valid UTF-8") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(body))
        } catch {
            throw .malformed("body is not valid JSON")
        }
        guard let fields = object as? [String: Any] else { throw .malformed("body must be a JSON object with id, from, to, text") }

        func string(_ key: String) throws(WebhookError) -> String {
            guard let value = fields[key], !(value is NSNull) else { throw .malformed("field '\(key)' is missing") }
            guard let s = value as? String else { throw .malformed("field '\(key)' must be a string") }
            return s
        }
        let id = try InboundChecks.providerID(try Self.id(fields["id"]), field: "id")
        let from = try InboundChecks.phone(try string("from"), field: "from", defaultCountryCode: defaultCountryCode)
        let to = try InboundChecks.phone(try string("to"), field: "to", defaultCountryCode: defaultCountryCode)
        let text = try InboundChecks.text(try string("text"), field: "text", maxLength: maxTextLength, overLength: .refuse)
        var receivedAt: Date?
        if let raw = fields["received_at"], !(raw is NSNull) {
            guard let s = raw as? String, let date = Self.parseDate(s) else {
                throw .malformed("field 'received_at' must be an ISO 8601 time such as 2026-11-21T08:30:00+08:00")
            }
            receivedAt = date
        }
        return InboundText(providerID: id, from: from, to: to, text: text, receivedAt: receivedAt)
    }

    /// The `id` field as text: a string as it is, a JSON integer in decimal (`1`, `1.0` and `1e0`
    /// are the same id, `"1"`); fractions and booleans are refused.
    static func id(_ value: Any?) throws(WebhookError) -> String? {
        guard let value, !(value is NSNull) else { return nil }
        if let s = value as? String { return s }
        guard let n = value as? NSNumber else { throw .malformed("field 'id' must be a string or an integer") }
        switch String(cString: n.objCType) {
        case "c", "B":
            throw .malformed("field 'id' must be a string or an integer, not true/false")
        case "d", "f":
            let d = n.doubleValue
            guard d.rounded() == d, abs(d) < 9.0e15 else { throw .malformed("field 'id' must be a string or an integer") }
            return String(Int64(d))
        default:
            return n.stringValue
        }
    }

    static func parseDate(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: s)
    }
}

extension ChannelKind {
    /// The JSON webhook: texts in by signed JSON; it cannot send.
    public static let json = ChannelKind("json", reach: .nobody)
}

extension JSONWebhook: HotlineChannel {
    public static let kind = ChannelKind.json
    public static let webhookSecret = WebhookSecretUse.optional

    public init(_ setup: ChannelSetup) {
        self.init(secret: setup.webhookSecret, maxTextLength: setup.maxTextLength, defaultCountryCode: setup.defaultCountryCode)
    }

    public var webhooks: [WebhookRoute] {
        [
            WebhookRoute(parse: { request throws(WebhookError) in
                .inbound(try parse(body: request.body, signature: request.header(Self.signatureHeader)))
            }, stored: { stored in
                var answer: [String: any Sendable] = ["message_id": stored.messageID, "duplicate": stored.duplicate]
                answer["case"] = stored.caseNumber // left out when none
                return .json(200, answer)
            }),
        ]
    }

    /// Its callers are programs: every answer is JSON, `{"error": …}` when not taken.
    public func reply(to failure: WebhookFailure) -> WebhookReply {
        switch failure {
        case let .refused(error): .json(error.status, ["error": error.description])
        case let .notFound(why): .json(404, ["error": why])
        case let .notStored(what): .json(503, ["error": "\(what) not stored, try again"])
        }
    }
}
