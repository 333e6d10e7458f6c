import Crypto
import Foundation
import Synchronization

/// HMAC signatures of webhook bodies, compared in constant time.
public enum Signature {
    /// Lowercase hex of HMAC-SHA256(`secret`, `data`).
    public static func hmacSHA256Hex(secret: String, data: some DataProtocol) -> String {
        var hmac = keyed(secret)
        hmac.update(data: data)
        // Through the raw bytes: the code's own Sequence makes an array to iterate.
        return hmac.finalize().withUnsafeBytes { $0.lowercaseHex }
    }

    /// An HMAC keyed with `secret`, ready for its data: made once per secret (a channel's), since
    /// keying it (two hashes of the padded key, and the key's copies) was nearly half of a signed
    /// webhook's signature check in a profile of `hotline-bench http`, and the hex of the code
    /// through its `Sequence` most of the rest.
    static func keyed(_ secret: String) -> HMAC<SHA256> {
        if let hmac = keyedBySecret.withLock({ $0[secret] }) { return hmac }
        let hmac = HMAC<SHA256>(key: SymmetricKey(data: Data(secret.utf8)))
        keyedBySecret.withLock { cache in
            // A deployment has a few secrets; anything beyond is keyed each time, never stored.
            if cache.count < 64 { cache[secret] = hmac }
        }
        return hmac
    }

    private static let keyedBySecret = Mutex<[String: HMAC<SHA256>]>([:])

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
