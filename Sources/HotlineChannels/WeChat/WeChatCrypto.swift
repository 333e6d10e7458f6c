import Crypto
import CryptoExtras
import Foundation
import HotlineCore

/// WeChat's message signatures and its safe mode (消息加解密): SHA-1 over the sorted token,
/// timestamp, nonce (and, for an encrypted message, the ciphertext); AES-256-CBC with the key from
/// the 43-character EncodingAESKey, the IV its first 16 bytes, PKCS#7 padding to 32-byte blocks,
/// over 16 random bytes, the message's length (4 bytes, big-endian), the message and the AppID.
/// wechatpy's `WeChatCrypto` is the judge in the tests.
public struct WeChatCrypto: Sendable {
    public let token: String
    public let appID: String
    let key: SymmetricKey?
    let iv: [UInt8]

    /// `encodingAESKey` nil: plain mode only. Throws when it is not 43 characters of base64.
    public init(token: String, encodingAESKey: String?, appID: String) throws(WebhookError) {
        (self.token, self.appID) = (token, appID)
        guard let encodingAESKey, !encodingAESKey.isEmpty else { (key, iv) = (nil, []); return }
        guard encodingAESKey.count == 43, let bytes = Data(base64Encoded: encodingAESKey + "="), bytes.count == 32 else {
            throw .unauthorized("the EncodingAESKey must be the 43 characters the account's server settings show")
        }
        (key, iv) = (SymmetricKey(data: bytes), Array(bytes.prefix(16)))
    }

    /// Whether safe mode is configured.
    public var canDecrypt: Bool { key != nil }

    /// SHA-1 hex of the parts sorted and joined: the `signature` and `msg_signature` of WeChat's requests.
    public static func signature(_ parts: [String]) -> String { sha1Hex(parts.sorted().joined()) }

    /// SHA-1 of `text` (UTF-8) in lower-case hex.
    static func sha1Hex(_ text: String) -> String {
        Insecure.SHA1.hash(data: Data(text.utf8)).lowercaseHex
    }

    /// The message inside an `<Encrypt>` value, its AppID checked.
    public func decrypt(_ base64: String) throws(WebhookError) -> [UInt8] {
        guard let key, let cipher = Data(base64Encoded: base64), !cipher.isEmpty, cipher.count % 16 == 0 else {
            throw .malformed("Encrypt is not a message encrypted with this account's EncodingAESKey")
        }
        let plain: [UInt8]
        do {
            plain = Array(try AES._CBC.decrypt(cipher, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true))
        } catch {
            throw .unauthorized("Encrypt cannot be decrypted with this account's EncodingAESKey")
        }
        guard let pad = plain.last, (1...32).contains(Int(pad)), plain.count >= 20 + Int(pad) else {
            throw .unauthorized("Encrypt cannot be decrypted with this account's EncodingAESKey")
        }
        let body = plain.dropLast(Int(pad))
        let start = body.startIndex + 16
        let length = body[start..<start + 4].reduce(0) { $0 << 8 | Int($1) }
        guard length >= 0, start + 4 + length <= body.endIndex else { throw .unauthorized("Encrypt does not hold a message of the length it gives") }
        let message = Array(body[(start + 4)..<(start + 4 + length)])
        guard String(decoding: body[(start + 4 + length)...], as: UTF8.self) == appID else {
            throw .unauthorized("Encrypt was made for another AppID")
        }
        return message
    }

    /// `message` encrypted for a passive reply, base64.
    public func encrypt(_ message: [UInt8]) -> String? {
        guard let key else { return nil }
        var random = SystemRandomNumberGenerator()
        var plain = (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }
        let n = message.count
        plain += [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + message + Array(appID.utf8)
        let pad = 32 - plain.count % 32
        plain += Array(repeating: UInt8(pad), count: pad)
        guard let cipher = try? AES._CBC.encrypt(plain, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true) else { return nil }
        return cipher.base64EncodedString()
    }
}
