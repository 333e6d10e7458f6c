import Foundation

/// What the providers whose callbacks carry no signature share (Tencent Cloud's and Aliyun's SMS):
/// the channel's secret in the callback URL, and the host their signed requests name.
extension WebhookRequest {
    /// Refuses a request whose query does not carry `secret` as `?secret=…` (compared in constant time).
    public func requireQuerySecret(_ secret: String, provider: String) throws(WebhookError) {
        guard let given = try queryFields()["secret"], !given.isEmpty else {
            throw .unauthorized("missing secret (the callback URL configured at \(provider) carries ?secret=…)")
        }
        guard !secret.isEmpty, Signature.constantTimeEqual(given, secret) else { throw .unauthorized("wrong secret") }
    }
}

extension OutboundHTTPRequest {
    /// The `Host` header the transport will send for `url` (a port only when not the scheme's
    /// default): what a signature over the host must cover.
    public static func hostHeader(of url: String, default fallback: String) -> String {
        guard let parsed = URL(string: url), let host = parsed.host else { return fallback }
        guard let port = parsed.port, port != (parsed.scheme == "https" ? 443 : 80) else { return host }
        return "\(host):\(port)"
    }
}
