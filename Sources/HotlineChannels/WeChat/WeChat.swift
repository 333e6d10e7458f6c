import Foundation
import HotlineCore

extension ChannelKind {
    /// A WeChat Official Account (服务号): followers' messages pushed to the server URL, answers
    /// through the customer-service message API. It reaches only its followers.
    public static let wechat = ChannelKind("wechat", reach: .ownContacts)
}

/// A WeChat Official Account (服务号). The server URL (`/webhooks/wechat/<id>`) answers WeChat's
/// handshake (GET: `signature`, `timestamp`, `nonce`, `echostr`) and takes its XML pushes (POST), in
/// plain or safe mode (`encrypt_type=aes`, `msg_signature`); a follower is the address
/// `wx:<OpenID>`. Texts go out by `message/custom/send` with the account's `access_token`
/// (`cgi-bin/stable_token`). wechatpy is the judge in the tests.
public struct WeChatChannel: Sendable {
    /// How far a request's `timestamp` may be from now (a replay, or a clock off, beyond it).
    public static let replayWindow: TimeInterval = 300
    /// The address prefix of a follower: `wx:` + OpenID.
    public static let addressPrefix = "wx:"
    /// How long WeChat waits for a push's response (then it retries, three times in all).
    public static let passiveWindow: TimeInterval = 5
    /// What WeChat takes as "received, no passive reply".
    public static let success = WebhookReply(status: 200, contentType: "text/plain; charset=utf-8", body: Array("success".utf8))

    public var token: String
    public var appID: String
    public var appSecret: String
    /// The EncodingAESKey (safe mode); nil or empty: plain mode only.
    public var encodingAESKey: String?
    public var apiBaseURL: String
    /// The hotline number of the studio this account serves (the pushes do not say it).
    public var hotlineNumber: String
    /// The passive reply to a new follower.
    public var welcome: String
    /// Longest text stored whole; longer ones are cut and marked.
    public var maxTextLength: Int
    /// Template messages for texts past the 48 hours customer-service messages are allowed for:
    /// each reply template (or `fallback`) to a template id and its fields (`thing2=assignee`).
    public var templates: [String: ProviderTemplate] = [:]
    /// Which of WeChat's two kinds of notice the `templates` are.
    public var noticeAPI: NoticeAPI = .template
    /// The residents' case page, where a notice links to the case it is about.
    public var casePage: CasePage?

    /// WeChat's two kinds of notice past the 48 hours.
    public enum NoticeAPI: String, Sendable, CaseIterable {
        /// Template messages (模板消息, `message/template/send`), with a link to the case page.
        case template
        /// Subscription notices (订阅通知, `message/subscribe/bizsend`): sent only to followers who
        /// subscribed (the case page's subscribe button); WeChat refuses the rest (43101).
        case subscribe
    }

    public init(token: String, appID: String, appSecret: String, encodingAESKey: String?, apiBaseURL: String = "https://api.weixin.qq.com",
                hotlineNumber: String, welcome: String = WeChatChannel.defaultWelcome, maxTextLength: Int = 1000) {
        (self.token, self.appID, self.appSecret, self.encodingAESKey, self.apiBaseURL) = (token, appID, appSecret, encodingAESKey, apiBaseURL)
        (self.hotlineNumber, self.welcome, self.maxTextLength) = (hotlineNumber, welcome, maxTextLength)
    }

    public static let defaultWelcome = "您好,这里是委员工作室的“有话说,找委员”热线。请直接发送您想反映的问题或建议,我们会回复案件编号并转给负责的委员;回复“查询 编号”可查看办理进度。"

    /// The follower's address for an OpenID.
    public static func address(openID: String) -> String { addressPrefix + openID }

    /// The OpenID of a follower's address (`wx:<OpenID>`; an address without the prefix as it is).
    static func openID(of address: String) -> String {
        address.hasPrefix(addressPrefix) ? String(address.dropFirst(addressPrefix.count)) : address
    }

    // MARK: The server URL

    /// Checks `signature` (SHA-1 of the sorted token, timestamp and nonce) and that the timestamp is recent.
    func verify(_ query: [String: String], now: Date) throws(WebhookError) {
        guard let signature = query["signature"], let timestamp = query["timestamp"], let nonce = query["nonce"],
              !signature.isEmpty, !timestamp.isEmpty, !nonce.isEmpty else {
            throw .unauthorized("query parameters 'signature', 'timestamp' and 'nonce' are needed (WeChat's server URL check)")
        }
        guard let seconds = Double(timestamp), abs(now.timeIntervalSince1970 - seconds) <= Self.replayWindow else {
            throw .unauthorized("timestamp is outside the \(Int(Self.replayWindow)) s window (a replay, or a clock off)")
        }
        guard !token.isEmpty, Signature.constantTimeEqual(signature.lowercased(), WeChatCrypto.signature([token, timestamp, nonce])) else {
            throw .unauthorized("signature does not match (is secret_env the Token of the account's server settings?)")
        }
    }

    /// The handshake: `echostr` given back as it came once the signature holds.
    public func handshake(query: [String: String], now: Date) throws(WebhookError) -> WebhookReply {
        try verify(query, now: now)
        guard let echo = query["echostr"], (1...128).contains(echo.count), echo.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw .malformed("query parameter 'echostr' is missing or not WeChat's")
        }
        return WebhookReply(status: 200, contentType: "text/plain; charset=utf-8", body: Array(echo.utf8))
    }

    /// A push: verified, decrypted in safe mode, and read as an inbound text, a follow or unfollow,
    /// or something acknowledged and not kept (other events).
    public func push(query: [String: String], body: [UInt8], now: Date) throws(WebhookError) -> WebhookEvent {
        try verify(query, now: now)
        var (fields, items) = try WeChatXML.read(body)
        var safe: (nonce: String, crypto: WeChatCrypto)?
        if query["encrypt_type"] == "aes" || (fields["MsgType"] == nil && fields["Encrypt"] != nil) {
            let crypto = try WeChatCrypto(token: token, encodingAESKey: encodingAESKey, appID: appID)
            guard crypto.canDecrypt else { throw .unauthorized("a safe-mode push, and no EncodingAESKey configured (aes_key_env)") }
            guard let encrypted = fields["Encrypt"], let given = query["msg_signature"], let timestamp = query["timestamp"], let nonce = query["nonce"] else {
                throw .malformed("a safe-mode push needs Encrypt in the body and msg_signature in the query")
            }
            guard Signature.constantTimeEqual(given.lowercased(), WeChatCrypto.signature([token, timestamp, nonce, encrypted])) else {
                throw .unauthorized("msg_signature does not match")
            }
            (fields, items) = try WeChatXML.read(try crypto.decrypt(encrypted))
            safe = (nonce, crypto)
        }
        guard let openID = fields["FromUserName"], (1...64).contains(openID.count),
              openID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw .malformed("field 'FromUserName' is missing or not an OpenID")
        }
        if let named = query["openid"], !named.isEmpty, named != openID { throw .unauthorized("openid in the query is not the message's FromUserName") }
        let account = fields["ToUserName"] ?? ""
        let created = fields["CreateTime"].flatMap { Double($0) }.map { Date(timeIntervalSince1970: $0) }
        let from = Self.address(openID: openID)
        // WeChat waits 5 s for the response: the acknowledgement, if ready, is the passive reply.
        let mode = safe
        let passive = PassiveReply(window: Self.passiveWindow) { content in
            passiveReply(content, to: openID, from: account, safe: mode, now: now)
        }
        func text(_ id: String, _ raw: String?, keyword: ProviderKeyword? = nil) throws(WebhookError) -> InboundText {
            InboundText(providerID: try InboundChecks.providerID(id, field: "MsgId"), from: from, to: hotlineNumber,
                        text: try InboundChecks.text(raw, field: "Content", maxLength: maxTextLength, overLength: .cut),
                        receivedAt: created, keyword: keyword)
        }
        // An event has no MsgId: WeChat's own advice is to tell retries apart by sender and time.
        let eventID = "\(openID):\(fields["CreateTime"] ?? ""):\(fields["Event"] ?? "")"
        switch fields["MsgType"] ?? "" {
        case "text":
            return .inbound(try text(fields["MsgId"] ?? "", fields["Content"]), passive: passive)
        case "event":
            switch fields["Event"] ?? "" {
            case "subscribe":
                let reply = passiveReply(welcome, to: openID, from: account, safe: safe, now: now)
                return .inbound(try text(eventID, "[关注公众号]", keyword: .optIn), answer: reply)
            case "unsubscribe":
                return .inbound(try text(eventID, "[取消关注]", keyword: .optOut))
            case "TEMPLATESENDJOBFINISH":
                // A template message's fate, by the msgid its send answered: delivered, or refused
                // because the follower blocked the account's messages (an opt-out).
                let said = fields["Status"] ?? ""
                let msgID = try InboundChecks.providerID(fields["MsgID"] ?? fields["MsgId"], field: "MsgID")
                return .delivery(DeliveryReport(messageID: nil, providerID: msgID, status: said == "success" ? .delivered : .failed,
                                                detail: "wechat template \(said)", optedOut: said.contains("user block")))
            case "subscribe_msg_popup_event", "subscribe_msg_change_event":
                // The follower's answer to the subscribe button for each notice template, or a later change in WeChat.
                return .consents(items.compactMap { item in
                    guard let template = item["TemplateId"], ProviderTemplates.parse(template) != nil else { return nil }
                    return NoticeConsent(address: from, template: template, accepted: item["SubscribeStatusString"] == "accept")
                })
            case "subscribe_msg_sent_event":
                // A subscription notice's fate, by the msgid its send answered.
                return .deliveries(try items.map { item throws(WebhookError) in
                    let msgID = try InboundChecks.providerID(item["MsgID"], field: "MsgID")
                    let delivered = item["ErrorCode"] == "0"
                    return DeliveryReport(messageID: nil, providerID: msgID, status: delivered ? .delivered : .failed,
                                          detail: "wechat subscription notice \(item["ErrorStatus"] ?? item["ErrorCode"] ?? "")")
                })
            default:
                return .reply(Self.success)
            }
        case "image": return .inbound(try text(fields["MsgId"] ?? "", "[图片]"), passive: passive)
        case "voice":
            return .inbound(try text(fields["MsgId"] ?? "", fields["Recognition"].flatMap { $0.isBlank ? nil : $0 } ?? "[语音]"), passive: passive)
        case "video", "shortvideo": return .inbound(try text(fields["MsgId"] ?? "", "[视频]"), passive: passive)
        case "location": return .inbound(try text(fields["MsgId"] ?? "", "[位置] \(fields["Label"] ?? "")"), passive: passive)
        case "link": return .inbound(try text(fields["MsgId"] ?? "", "[链接] \(fields["Title"] ?? "") \(fields["Url"] ?? "")"), passive: passive)
        default: return .reply(Self.success)
        }
    }

    /// A passive text reply, encrypted in safe mode.
    func passiveReply(_ content: String, to openID: String, from account: String, safe: (nonce: String, crypto: WeChatCrypto)?, now: Date) -> WebhookReply {
        let time = String(Int(now.timeIntervalSince1970))
        let xml = WeChatXML.document([("ToUserName", openID), ("FromUserName", account), ("CreateTime", time), ("MsgType", "text"), ("Content", content)])
        guard let safe else { return WebhookReply(status: 200, contentType: "application/xml; charset=utf-8", body: Array(xml.utf8)) }
        guard let encrypted = safe.crypto.encrypt(Array(xml.utf8)) else { return Self.success }
        let signature = WeChatCrypto.signature([token, time, safe.nonce, encrypted])
        let wrapped = WeChatXML.document([("Encrypt", encrypted), ("MsgSignature", signature), ("TimeStamp", time), ("Nonce", safe.nonce)])
        return WebhookReply(status: 200, contentType: "application/xml; charset=utf-8", body: Array(wrapped.utf8))
    }

    // MARK: Sending

    /// `cgi-bin/stable_token`: the same token to every caller until it expires, so several nodes can
    /// share the account; `force_refresh` when a send found it refused.
    public func tokenRequest(renew: Bool) -> OutboundHTTPRequest {
        let body: [String: Any] = ["grant_type": "client_credential", "appid": appID, "secret": appSecret, "force_refresh": renew]
        return OutboundHTTPRequest(method: "POST", url: "\(apiBaseURL.trimmingSuffix("/"))/cgi-bin/stable_token",
                                   headers: ["Content-Type": "application/json"], body: Self.json(body))
    }

    public func readToken(status: Int, body: String) -> AccessTokenAnswer {
        let json = Self.object(body)
        if status == 200, let token = json?["access_token"] as? String, !token.isEmpty {
            return .token(token, validFor: (json?["expires_in"] as? NSNumber)?.doubleValue ?? 7200)
        }
        let code = (json?["errcode"] as? NSNumber)?.intValue
        let said = "wechat token \(status)\(code.map { " errcode \($0)" } ?? ""): \(json?["errmsg"] as? String ?? String(body.prefix(200)))"
        // -1: system busy; 45009: too many calls today (resets); others (a wrong AppSecret, 40164 an
        // address not on the account's IP allowlist) need someone to fix the account.
        return status >= 500 || status == 429 || code == -1 || code == 45009 ? .failed(.retryable(said)) : .failed(.permanent(said))
    }

    /// `message/custom/send`: a text to a follower, allowed for 48 hours after their last message.
    public func sendRequest(_ t: OutgoingText, token: String) -> OutboundHTTPRequest {
        let openID = Self.openID(of: t.to)
        let body: [String: Any] = ["touser": openID, "msgtype": "text", "text": ["content": t.text]]
        return OutboundHTTPRequest(method: "POST", url: "\(apiBaseURL.trimmingSuffix("/"))/cgi-bin/message/custom/send?access_token=\(FormFields.encode(token))",
                                   headers: ["Content-Type": "application/json"], body: Self.json(body))
    }

    /// Past the 48 hours a follower may be sent customer-service messages (45015), the text goes as
    /// the notice configured for it (or the fallback) — a template message, or a subscription
    /// notice (``NoticeAPI``) —, its fields filled from its values (20 characters at most, as
    /// WeChat's `thing` fields take), linking to the case's page where it has one.
    public func fallbackRequest(_ t: OutgoingText, token: String, status: Int, body: String) -> OutboundHTTPRequest? {
        guard (Self.object(body)?["errcode"] as? NSNumber)?.intValue == 45015,
              let (id, values) = ProviderTemplates.send(t, templates: templates, maxLength: 20) else { return nil }
        let template = t.template.flatMap { templates[$0] } ?? templates[ProviderTemplates.fallback]
        var data: [String: Any] = [:]
        for (param, value) in zip(template?.params ?? [], values) {
            data[ProviderTemplates.fieldName(param) ?? param] = ["value": value]
        }
        let openID = Self.openID(of: t.to)
        var message: [String: Any] = ["touser": openID, "template_id": id, "data": data]
        // The page of the case the text is about: where the whole text can be read.
        let link = t.values["token"].flatMap { token in casePage.map { $0.link(token) } }
        let path: String
        switch noticeAPI {
        case .template:
            path = "message/template/send"
            if let link { message["url"] = link }
        case .subscribe:
            path = "message/subscribe/bizsend"
            if let link { message["page"] = link }
        }
        return OutboundHTTPRequest(method: "POST", url: "\(apiBaseURL.trimmingSuffix("/"))/cgi-bin/\(path)?access_token=\(FormFields.encode(token))",
                                   headers: ["Content-Type": "application/json"], body: Self.json(message))
    }

    /// The template ids of the subscription notices (what the case page's subscribe button asks
    /// for); none when the account uses template messages.
    public var subscriptionTemplates: [String] {
        noticeAPI == .subscribe ? Array(Set(templates.values.map(\.id))).sorted() : []
    }

    // MARK: The case page's subscribe button (JS-SDK)

    /// `cgi-bin/ticket/getticket?type=jsapi`: the ticket that signs a page's JS-SDK configuration.
    public func ticketRequest(token: String) -> OutboundHTTPRequest {
        OutboundHTTPRequest(method: "GET", url: "\(apiBaseURL.trimmingSuffix("/"))/cgi-bin/ticket/getticket?access_token=\(FormFields.encode(token))&type=jsapi")
    }

    public func readTicket(status: Int, body: String) -> AccessTokenAnswer {
        let json = Self.object(body)
        if status == 200, (json?["errcode"] as? NSNumber)?.intValue ?? 0 == 0, let ticket = json?["ticket"] as? String, !ticket.isEmpty {
            return .token(ticket, validFor: (json?["expires_in"] as? NSNumber)?.doubleValue ?? 7200)
        }
        return .failed(sendOutcome(status: status, body: body))
    }

    /// The JS-SDK signature of page `url` (without its `#` part): SHA-1 of
    /// `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`.
    public static func pageSignature(ticket: String, nonce: String, timestamp: Int, url: String) -> String {
        let page = url.split(separator: "#", maxSplits: 1).first.map(String.init) ?? url
        return WeChatCrypto.sha1Hex("jsapi_ticket=\(ticket)&noncestr=\(nonce)&timestamp=\(timestamp)&url=\(page)")
    }

    /// Codes that say the token is no longer good: invalid (40001), expired (42001), not this account's (40014).
    static let tokenCodes: Set<Int> = [40001, 40014, 42001]

    public func tokenRefused(status: Int, body: String) -> Bool {
        (Self.object(body)?["errcode"] as? NSNumber).map { Self.tokenCodes.contains($0.intValue) } ?? false
    }

    /// errcode 0 is sent; -1 (busy), 45009 (call limit), 45047 (the follower's message allowance)
    /// and 5xx are retried; 43004 (no longer follows) and 43019 (blocked) mean the follower has
    /// opted out; 45015 (past the 48-hour window), 43101 (not subscribed to the notice) and the
    /// rest fail for good.
    public func sendOutcome(status: Int, body: String) -> SendOutcome {
        guard status < 500, status != 429 else { return .retryable("wechat \(status): \(body.prefix(200))") }
        let json = Self.object(body)
        guard let code = (json?["errcode"] as? NSNumber)?.intValue else {
            return status == 200 ? .retryable("wechat: an answer without errcode: \(body.prefix(200))") : .permanent("wechat \(status): \(body.prefix(200))")
        }
        let said = "wechat errcode \(code): \(json?["errmsg"] as? String ?? "")"
        switch code {
        case 0: return .accepted(providerID: (json?["msgid"] as? NSNumber)?.stringValue)
        case -1, 45009, 45047: return .retryable(said)
        case 43004, 43019: return .optedOut(said)
        case 43101: return .permanent("\(said) (the follower has not subscribed to this notice)")
        case 45015: return .permanent("\(said) (more than 48 hours since the follower last wrote)")
        default: return .permanent(said)
        }
    }

    static func json(_ object: [String: Any]) -> [UInt8] {
        // WeChat shows \u escapes as they are: keep Chinese as UTF-8 (JSONSerialization does), slashes unescaped.
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8))
    }

    static func object(_ body: String) -> [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] }
}

extension WeChatChannel: PageSigningChannel {
    public static let kind = ChannelKind.wechat
    public static let options = [ChannelOption("app_id"), ChannelOption("app_secret_env", .environment), ChannelOption("number"),
                                 ChannelOption("aes_key_env", required: false, .environment), ChannelOption("api_base_url", required: false, .url),
                                 ChannelOption("welcome", required: false),
                                 ChannelOption("notice_api", required: false, .choice(NoticeAPI.allCases.map(\.rawValue)))]
    public static let webhookSecret = WebhookSecretUse.required("the Token of the account's server settings (服务器配置)")
    public static let templates = TemplateUse.optional

    public init(_ setup: ChannelSetup) {
        let api = setup.option("api_base_url"), welcome = setup.option("welcome")
        self.init(token: setup.webhookSecret ?? "", appID: setup.option("app_id"), appSecret: setup.secret("app_secret"),
                  encodingAESKey: setup.secret("aes_key"), apiBaseURL: api.isEmpty ? "https://api.weixin.qq.com" : api,
                  hotlineNumber: PhoneNumber.normalize(setup.option("number"), defaultCountryCode: setup.defaultCountryCode),
                  welcome: welcome.isEmpty ? Self.defaultWelcome : welcome, maxTextLength: setup.maxTextLength)
        templates = setup.settings.templates
        noticeAPI = NoticeAPI(rawValue: setup.option("notice_api")) ?? .template
        casePage = setup.casePage
    }

    public var webhooks: [WebhookRoute] {
        [
            WebhookRoute(methods: [.get]) { request throws(WebhookError) in
                .reply(try handshake(query: try request.queryFields(), now: request.now))
            },
            // Stored: "success", and the acknowledgement goes out through the customer-service API.
            WebhookRoute(parse: { request throws(WebhookError) in
                try push(query: try request.queryFields(), body: request.body, now: request.now)
            }, stored: { _ in Self.success }, recorded: Self.success),
        ]
    }

    /// Never used by the app, which sends with a token; a request without one WeChat refuses (41001).
    public func sendRequest(_ t: OutgoingText) -> OutboundHTTPRequest { sendRequest(t, token: "") }
}
