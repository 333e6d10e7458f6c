import Foundation
import HotlineChannels
import HotlineCore

/// A channel's webhooks under fuzzing. The input is a request written as text:
///
///     POST /dlr?id=1
///     X-Header: value
///
///     body…
///
/// The route is the one whose path the first line names (the channel's own path when none); the
/// harness then signs the request as the provider would with the channel's known secret — an
/// HMAC header, a secret in the query, WeChat's signature and, for `encrypt_type=aes`, the body
/// encrypted in safe mode — so the fuzzer reaches the parsers behind the checks, not just the
/// refusal at the door.
enum WebhookHarness {
    static let secret = "s3cret", token = "tok-en", publicURL = "https://hotline.example.org"
    static let aesKey = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", appID = "wx5f2a"
    static let now = Date(timeIntervalSince1970: 1_796_000_000)

    static let channels: [String: (setup: ChannelSetup, adapter: any HotlineChannel)] = {
        var made: [String: (ChannelSetup, any HotlineChannel)] = [:]
        for kind in ChannelKind.fuzzed {
            let settings = ChannelSettings(id: "f", kind: kind, secretEnv: "S", options: [
                "public_url": publicURL, "number": "10690001", "app_id": appID, "account_sid": "AC123", "from": "+15005550006",
                "sendsms_url": "http://127.0.0.1:9/cgi-bin/sendsms", "username": "u", "api_url": "http://127.0.0.1:9/",
                "sdk_app_id": "1400000001", "sign_name": "徐家湾委员工作室",
            ])
            let setup = ChannelSetup(settings: settings, secrets: ["secret": secret, "auth_token": token, "aes_key": aesKey, "password": "pw",
                                                                   "app_secret": "s", "secret_id": "i", "secret_key": "k",
                                                                   "access_key_id": "i", "access_key_secret": "k"],
                                     defaultCountryCode: "86", maxTextLength: 1000)
            guard let adapter = ChannelRegistry.adapter(setup) else { fatalError("hotline-fuzz: no adapter for \(kind)") }
            made[kind.rawValue] = (setup, adapter)
        }
        return made
    }()

    static func run(_ bytes: [UInt8], kind: ChannelKind) { _ = parse(bytes, kind: kind) }

    /// What the route made of the request: an event, or the refusal (nil: never reached a parser).
    static func parse(_ bytes: [UInt8], kind: ChannelKind) -> Result<WebhookEvent, WebhookError>? {
        guard let (setup, adapter) = channels[kind.rawValue] else { return nil }
        let split = bytes.firstRange(of: [10, 10])
        let head = String(decoding: split.map { bytes[..<$0.lowerBound] } ?? bytes[...], as: UTF8.self)
        var body = split.map { Array(bytes[$0.upperBound...]) } ?? []
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let first = lines.isEmpty ? "" : lines.removeFirst()
        let method: WebhookRoute.Method = first.hasPrefix("GET") ? .get : .post
        let target = first.split(separator: " ", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        let path = String(target.prefix { $0 != "?" })
        let routes = adapter.webhooks
        guard let route = routes.first(where: { $0.path == path && $0.methods.contains(method) })
            ?? routes.first(where: { $0.methods.contains(method) }) else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var pathAndQuery = setup.webhookPath + target
        sign(kind, &pathAndQuery, &headers, &body)
        if method == .get { body = [] }
        let cut = body.count > WebhookRequest.maxBody
        if cut, case .whole = route.body { return nil }  // the app refuses it (413) before any parser
        let fields = headers
        let request = WebhookRequest(method: method, pathAndQuery: pathAndQuery, body: cut ? Array(body.prefix(WebhookRequest.maxBody)) : body,
                                     bodyWasCut: cut, header: { fields[$0.lowercased()] }, now: now)
        do throws(WebhookError) {
            let event = try route.parse(request)
            // What the app does next with a parsed event that needs the channel: answer it.
            if case let .inbound(_, _, passive?) = event { _ = passive.build("已收到") }
            return .success(event)
        } catch {
            return .failure(error)
        }
    }

    /// Adds what the provider's signature or secret would be.
    static func sign(_ kind: ChannelKind, _ pathAndQuery: inout String, _ headers: inout [String: String], _ body: inout [UInt8]) {
        func addQuery(_ item: String) { pathAndQuery += (pathAndQuery.contains("?") ? "&" : "?") + item }
        switch kind {
        case .json:
            headers["x-hotline-signature"] = headers["x-hotline-signature"] ?? "sha256=" + Signature.hmacSHA256Hex(secret: secret, data: body)
        case .kannel:
            headers["x-hotline-secret"] = headers["x-hotline-secret"] ?? secret
        case .tencent, .aliyun:
            addQuery("secret=" + secret)
        case .android:
            let ts = headers["x-timestamp"] ?? String(Int(now.timeIntervalSince1970))
            headers["x-timestamp"] = ts
            headers["x-signature"] = headers["x-signature"] ?? Signature.hmacSHA256Hex(secret: secret, data: body + Array(ts.utf8))
        case .twilio:
            let fields = (try? FormFields.parse(body)) ?? [:]
            headers["x-twilio-signature"] = headers["x-twilio-signature"]
                ?? TwilioChannel.signature(authToken: token, url: publicURL + pathAndQuery, fields: fields)
        case .wechat:
            let ts = String(Int(now.timeIntervalSince1970)), nonce = "n1"
            if pathAndQuery.contains("encrypt_type=aes"), let crypto = try? WeChatCrypto(token: secret, encodingAESKey: aesKey, appID: appID),
               let encrypted = crypto.encrypt(body) {
                body = Array("<xml><ToUserName><![CDATA[gh_studio]]></ToUserName><Encrypt><![CDATA[\(encrypted)]]></Encrypt></xml>".utf8)
                addQuery("msg_signature=" + WeChatCrypto.signature([secret, ts, nonce, encrypted]))
            }
            addQuery("signature=\(WeChatCrypto.signature([secret, ts, nonce]))&timestamp=\(ts)&nonce=\(nonce)")
        default:
            break
        }
    }
}
