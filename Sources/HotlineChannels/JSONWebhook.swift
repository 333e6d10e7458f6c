import Foundation
import HotlineCore

/// The JSON webhook: `POST /webhooks/json` with `{"id", "from", "to", "text"}` and optional `"received_at"`
/// (ISO 8601), signed with `X-Hotline-Signature: sha256=<hex HMAC-SHA256 of the raw body>` when a secret is set.
public struct JSONWebhook: Sendable {
    /// The header carrying the signature.
    public static let signatureHeader = "X-Hotline-Signature"
    /// Longest provider id accepted.
    public static let maxIDLength = 200

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
            guard Signature.constantTimeEqual(signature.trimmingCharacters(in: .whitespaces).lowercased(), expected) else {
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
            if let s = value as? String { return s }
            if key == "id", let n = value as? NSNumber, !(value is Bool) { return n.stringValue }
            throw .malformed("field '\(key)' must be a string")
        }
        let id = try string("id").trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty else { throw .malformed("field 'id' is empty") }
        guard id.count <= Self.maxIDLength else { throw .malformed("field 'id' is longer than \(Self.maxIDLength) characters") }
        let from = try phone(string("from"), field: "from")
        let to = try phone(string("to"), field: "to")
        let text = try string("text")
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .malformed("field 'text' is empty") }
        guard text.count <= maxTextLength else {
            throw .malformed("field 'text' is longer than \(maxTextLength) characters (\(text.count))")
        }
        var receivedAt: Date?
        if let raw = fields["received_at"], !(raw is NSNull) {
            guard let s = raw as? String, let date = Self.parseDate(s) else {
                throw .malformed("field 'received_at' must be an ISO 8601 time such as 2026-11-21T08:30:00+08:00")
            }
            receivedAt = date
        }
        return InboundText(providerID: id, from: from, to: to, text: text, receivedAt: receivedAt)
    }

    private func phone(_ raw: String, field: String) throws(WebhookError) -> String {
        let allowed = CharacterSet(charactersIn: "+0123456789 -()（）＋０１２３４５６７８９")
        let normal = PhoneNumber.normalize(raw, defaultCountryCode: defaultCountryCode)
        let digits = normal.filter(\.isNumber).count
        guard raw.unicodeScalars.allSatisfy(allowed.contains), (3...16).contains(digits) else {
            throw .malformed("field '\(field)' is not a phone number: '\(raw.prefix(40))'")
        }
        return normal
    }

    static func parseDate(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: s)
    }
}
