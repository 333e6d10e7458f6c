import Crypto
import Foundation
import HotlineCore

/// Tencent Cloud's request signature, TC3-HMAC-SHA256 (API 3.0), as its SDKs make it: the
/// canonical request (method, path, query, the signed headers `content-type` and `host`, the
/// payload's SHA-256), the string to sign with the credential scope `<date>/<service>/tc3_request`,
/// and the key derived from `TC3<SecretKey>` through the date, the service and `tc3_request`.
/// tencentcloud-sdk-python-common is the judge in the tests.
public enum TC3 {
    /// The `Authorization` header for a POST of `payload` to `host` at `timestamp` (unix seconds).
    public static func authorization(secretID: String, secretKey: String, service: String, host: String, contentType: String,
                                     payload: [UInt8], timestamp: Int) -> String {
        let canonical = "POST\n/\n\ncontent-type:\(contentType)\nhost:\(host)\n\ncontent-type;host\n\(hex(SHA256.hash(data: payload)))"
        let date = day(timestamp)
        let scope = "\(date)/\(service)/tc3_request"
        let toSign = "TC3-HMAC-SHA256\n\(timestamp)\n\(scope)\n\(hex(SHA256.hash(data: Data(canonical.utf8))))"
        var key = SymmetricKey(data: Data("TC3\(secretKey)".utf8))
        for part in [date, service, "tc3_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = hex(HMAC<SHA256>.authenticationCode(for: Data(toSign.utf8), using: key))
        return "TC3-HMAC-SHA256 Credential=\(secretID)/\(scope), SignedHeaders=content-type;host, Signature=\(signature)"
    }

    /// The UTC day of `timestamp`, `2026-12-03`.
    static func day(_ timestamp: Int) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date(timeIntervalSince1970: TimeInterval(timestamp)))
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 { bytes.lowercaseHex }
}
