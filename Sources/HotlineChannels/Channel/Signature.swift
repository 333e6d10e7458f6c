import Crypto
import Foundation

/// HMAC signatures of webhook bodies, compared in constant time.
public enum Signature {
    /// Lowercase hex of HMAC-SHA256(`secret`, `data`).
    public static func hmacSHA256Hex(secret: String, data: some DataProtocol) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: Data(secret.utf8)))
        return mac.lowercaseHex
    }

    /// Compares two strings without stopping at the first difference.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }
}
