import Foundation
import HotlineChannels
import HotlineCore
import HotlineTestSupport
import Testing

/// Runs `script` with wechatpy (./test installs it) and returns what it printed.
func wechatpy(_ script: String, _ arguments: [String] = []) async throws -> String { try await PythonPeer.run(["-c", script] + arguments) }

/// The WeChat Official Account adapter: the server-URL check, plain and safe-mode pushes (wechatpy
/// encrypts and decrypts), events, and the customer-service send with its token.
@Suite struct WeChatAdapterTests {
    static let key = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
    static let now = Date(timeIntervalSince1970: 1_796_000_000)
    static let ts = "1796000000"
    static let wechat = WeChatChannel(token: "tok3n", appID: "wx5f2a", appSecret: "s3cret", encodingAESKey: key,
                                      apiBaseURL: "http://127.0.0.1:9/", hotlineNumber: "10690001", welcome: "欢迎关注")

    static func query(_ ts: String = ts, nonce: String = "n1", extra: [String: String] = [:]) -> [String: String] {
        ["signature": WeChatCrypto.signature(["tok3n", ts, nonce]), "timestamp": ts, "nonce": nonce].merging(extra) { _, new in new }
    }

    static func message(_ fields: [(String, String)]) -> [UInt8] {
        // "]]>" cannot stand inside CDATA: WeChat splits it across two sections.
        Array(("<xml>" + fields.map { "<\($0.0)><![CDATA[\($0.1.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>"))]]></\($0.0)>" }.joined()
            + "</xml>").utf8)
    }

    static let text = message([("ToUserName", "gh_studio"), ("FromUserName", "oUser_1-a"), ("CreateTime", ts), ("MsgType", "text"),
                               ("Content", "小区门口路灯坏了]]>一周"), ("MsgId", "24531900000001")])

    @Test func signatureIsWeChatsAsWechatpyChecksIt() async throws {
        let signature = WeChatCrypto.signature(["tok3n", Self.ts, "n1"])
        let checked = try await wechatpy("""
            import sys
            from wechatpy.utils import check_signature
            check_signature(*sys.argv[1:5]); print("ok")
            """, ["tok3n", signature, Self.ts, "n1"])
        #expect(checked == "ok")
    }

    @Test(arguments: [
        ("good", query(extra: ["echostr": "5837397520965286"]), 200, "5837397520965286"),
        ("wrong signature", query(extra: ["echostr": "1", "signature": "0123"]), 401, "signature does not match"),
        ("stale timestamp", query("1795999000", extra: ["echostr": "1"]), 401, "outside the 300 s window"),
        ("no nonce", ["signature": "x", "timestamp": ts, "echostr": "1"], 401, "'nonce' are needed"),
        ("echostr that is markup", query(extra: ["echostr": "<script>"]), 400, "echostr"),
    ])
    func handshake(name: String, query: [String: String], status: Int, said: String) {
        do {
            let reply = try Self.wechat.handshake(query: query, now: Self.now)
            #expect(status == 200 && String(decoding: reply.body, as: UTF8.self) == said, "\(name)")
        } catch {
            #expect(error.status == status && error.description.contains(said), "\(name): \(error)")
        }
    }

    @Test func plainTextPushIsAnInboundTextFromTheFollower() throws {
        guard case let .inbound(text, answer, passive) = try Self.wechat.push(query: Self.query(extra: ["openid": "oUser_1-a"]), body: Self.text,
                                                                              now: Self.now), let passive else {
            Issue.record("not an inbound text with a passive reply"); return
        }
        #expect(answer == nil && passive.window == 5)
        // Plain mode: the reply in the response is WeChat's XML, from the account to the follower.
        let reply = String(decoding: passive.build("已收到,编号12").body, as: UTF8.self)
        #expect(reply == "<xml><ToUserName><![CDATA[oUser_1-a]]></ToUserName><FromUserName><![CDATA[gh_studio]]></FromUserName>"
            + "<CreateTime>\(Self.ts)</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[已收到,编号12]]></Content></xml>")
        #expect(text == InboundText(providerID: "24531900000001", from: "wx:oUser_1-a", to: "10690001", text: "小区门口路灯坏了]]>一周",
                                    receivedAt: Self.now))
    }

    @Test(arguments: [
        ("event subscribe", [("MsgType", "event"), ("Event", "subscribe")], "[关注公众号]", ProviderKeyword.optIn),
        ("event unsubscribe", [("MsgType", "event"), ("Event", "unsubscribe")], "[取消关注]", .optOut),
        ("voice recognised", [("MsgType", "voice"), ("Recognition", "楼道灯不亮"), ("MsgId", "7")], "楼道灯不亮", nil),
        ("image", [("MsgType", "image"), ("PicUrl", "http://mmbiz/x"), ("MsgId", "8")], "[图片]", nil),
        ("location", [("MsgType", "location"), ("Label", "龙湖小区3号楼"), ("MsgId", "9")], "[位置] 龙湖小区3号楼", nil),
    ] as [(String, [(String, String)], String, ProviderKeyword?)])
    func eventsAndOtherMessages(name: String, fields: [(String, String)], text: String, keyword: ProviderKeyword?) throws {
        let body = Self.message([("ToUserName", "gh_studio"), ("FromUserName", "oUser1"), ("CreateTime", Self.ts)] + fields)
        guard case let .inbound(inbound, answer, _) = try Self.wechat.push(query: Self.query(), body: body, now: Self.now) else {
            Issue.record("\(name): not stored"); return
        }
        #expect(inbound.text == text && inbound.keyword == keyword && inbound.from == "wx:oUser1", "\(name)")
        // An event has no MsgId: a retried one is known by its sender and time.
        if keyword != nil { #expect(inbound.providerID == "oUser1:\(Self.ts):\(fields[1].1)") }
        // The welcome is the passive reply to a new follower, and nothing else gets one.
        #expect((answer.map { String(decoding: $0.body, as: UTF8.self).contains("<Content><![CDATA[欢迎关注]]></Content>") }) == (keyword == .optIn ? true : nil))
    }

    @Test(arguments: [("success", DeliveryStatus.delivered, false), ("failed:user block", .failed, true), ("failed: system failed", .failed, false)])
    func templateMessagesFateIsADeliveryReport(status: String, delivery: DeliveryStatus, optedOut: Bool) throws {
        let body = Self.message([("ToUserName", "gh_studio"), ("FromUserName", "oUser1"), ("CreateTime", Self.ts), ("MsgType", "event"),
                                 ("Event", "TEMPLATESENDJOBFINISH"), ("MsgID", "200228332"), ("Status", status)])
        guard case let .delivery(report) = try Self.wechat.push(query: Self.query(), body: body, now: Self.now) else { Issue.record("not a report"); return }
        #expect(report == DeliveryReport(messageID: nil, providerID: "200228332", status: delivery, detail: "wechat template \(status)", optedOut: optedOut))
    }

    @Test func otherEventsAreAcknowledgedAndNotKept() throws {
        let body = Self.message([("FromUserName", "oUser1"), ("CreateTime", Self.ts), ("MsgType", "event"), ("Event", "VIEW")])
        guard case let .reply(reply) = try Self.wechat.push(query: Self.query(), body: body, now: Self.now) else { Issue.record("kept"); return }
        #expect(reply == WeChatChannel.success)
    }

    @Test(arguments: [
        ("not XML", Array("你好".utf8), 400, "not WeChat's XML"),
        ("no sender", message([("MsgType", "text"), ("Content", "x"), ("MsgId", "1")]), 400, "FromUserName"),
        ("sender that is no OpenID", message([("FromUserName", "o1 OR 1=1"), ("MsgType", "text"), ("Content", "x"), ("MsgId", "1")]), 400, "FromUserName"),
        ("entity expansion", Array(#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]><xml><FromUserName>oU</FromUserName><MsgType>text</MsgType><Content>&b;&b;&b;</Content><MsgId>1</MsgId></xml>"#.utf8), 400, "not WeChat's XML"),
    ])
    func malformedPushes(name: String, body: [UInt8], status: Int, said: String) {
        do {
            _ = try Self.wechat.push(query: Self.query(), body: body, now: Self.now)
            Issue.record("\(name): taken")
        } catch {
            #expect(error.status == status && error.description.contains(said), "\(name): \(error)")
        }
    }

    /// A push encrypted by wechatpy is read; the welcome hotline answers is decrypted by wechatpy.
    @Test func safeModeAsWechatpyEncryptsAndDecrypts() async throws {
        let inner = String(decoding: Self.message([("ToUserName", "gh_studio"), ("FromUserName", "oUser2"), ("CreateTime", Self.ts),
                                                   ("MsgType", "event"), ("Event", "subscribe")]), as: UTF8.self)
        let encrypted = try await wechatpy("""
            import sys
            from wechatpy.crypto import WeChatCrypto
            print(WeChatCrypto("tok3n", sys.argv[1], "wx5f2a").encrypt_message(sys.argv[2], "n7", sys.argv[3]))
            """, [Self.key, inner, Self.ts])
        let msgSignature = try #require(encrypted.range(of: #"(?<=<MsgSignature><!\[CDATA\[)[0-9a-f]+"#, options: .regularExpression).map { String(encrypted[$0]) })
        let query = Self.query(nonce: "n7", extra: ["encrypt_type": "aes", "msg_signature": msgSignature])
        guard case let .inbound(text, answer, _) = try Self.wechat.push(query: query, body: Array(encrypted.utf8), now: Self.now), let answer else {
            Issue.record("not a follow with its welcome"); return
        }
        #expect(text.from == "wx:oUser2" && text.keyword == .optIn)
        let reply = String(decoding: answer.body, as: UTF8.self)
        let fields = ["MsgSignature", "TimeStamp", "Nonce"].map { name in
            reply.range(of: "(?<=<\(name)>(<!\\[CDATA\\[)?)[0-9a-zA-Z]+", options: .regularExpression).map { String(reply[$0]) } ?? ""
        }
        let decrypted = try await wechatpy("""
            import sys
            from wechatpy.crypto import WeChatCrypto
            print(WeChatCrypto("tok3n", sys.argv[1], "wx5f2a").decrypt_message(*sys.argv[2:6]))
            """, [Self.key, reply] + fields)
        #expect(decrypted.contains("<ToUserName><![CDATA[oUser2]]></ToUserName>") && decrypted.contains("<FromUserName><![CDATA[gh_studio]]></FromUserName>"))
        #expect(decrypted.contains("<Content><![CDATA[欢迎关注]]></Content>"))

        // The same push for another account's AppID, and with a wrong msg_signature, are refused.
        var other = Self.wechat
        other.appID = "wx0ther"
        #expect(throws: WebhookError.unauthorized("Encrypt was made for another AppID")) { try other.push(query: query, body: Array(encrypted.utf8), now: Self.now) }
        var forged = query
        forged["msg_signature"] = String(repeating: "0", count: 40)
        #expect(throws: WebhookError.unauthorized("msg_signature does not match")) { try Self.wechat.push(query: forged, body: Array(encrypted.utf8), now: Self.now) }
        var plainOnly = Self.wechat
        plainOnly.encodingAESKey = nil
        #expect(throws: WebhookError.self) { try plainOnly.push(query: query, body: Array(encrypted.utf8), now: Self.now) }
    }

    @Test func customerServiceSendAndStableToken() throws {
        let send = Self.wechat.sendRequest(OutgoingText(messageID: 3, from: "10690001", to: "wx:oUser1", text: "已收到,编号12"), token: "T/1+")
        #expect(send.method == "POST" && send.url == "http://127.0.0.1:9/cgi-bin/message/custom/send?access_token=T%2F1%2B")
        #expect(String(decoding: send.body ?? [], as: UTF8.self) == #"{"msgtype":"text","text":{"content":"已收到,编号12"},"touser":"oUser1"}"#)
        let token = Self.wechat.tokenRequest(renew: true)
        #expect(token.url == "http://127.0.0.1:9/cgi-bin/stable_token")
        #expect(String(decoding: token.body ?? [], as: UTF8.self)
            == #"{"appid":"wx5f2a","force_refresh":true,"grant_type":"client_credential","secret":"s3cret"}"#)
        #expect(Self.wechat.readToken(status: 200, body: #"{"access_token":"ACCESS","expires_in":7200}"#) == .token("ACCESS", validFor: 7200))
        #expect(Self.wechat.readToken(status: 200, body: #"{"errcode":40125,"errmsg":"invalid appsecret"}"#)
            == .failed(.permanent("wechat token 200 errcode 40125: invalid appsecret")))
        #expect(Self.wechat.readToken(status: 200, body: #"{"errcode":-1,"errmsg":"system error"}"#) == .failed(.retryable("wechat token 200 errcode -1: system error")))
    }

    /// Past the 48 hours (45015), a text goes as its template message, or the fallback's; with no
    /// templates, or for another refusal, there is no second way.
    @Test func templateMessageAfterTheFortyEightHours() throws {
        var wechat = Self.wechat
        let text = OutgoingText(messageID: 4, from: "10690001", to: "wx:oUser1", text: "…", template: "resident.reply",
                                values: ["case": "12", "text": "已联系自来水公司,明天上午派人来修理水管和水表", "studio": "徐家湾委员工作室"])
        let stale = #"{"errcode":45015,"errmsg":"response out of time limit"}"#
        #expect(wechat.fallbackRequest(text, token: "T", status: 200, body: stale) == nil, "no templates configured")
        wechat.templates = ["resident.reply": ProviderTemplate(id: "TPL_REPLY", params: ["character_string1=case", "thing2=text"]),
                            "fallback": ProviderTemplate(id: "TPL_NOTE", params: ["thing1=studio", "character_string2=case"])]
        let request = try #require(wechat.fallbackRequest(text, token: "T", status: 200, body: stale))
        #expect(request.url == "http://127.0.0.1:9/cgi-bin/message/template/send?access_token=T")
        #expect(String(decoding: request.body ?? [], as: UTF8.self) == #"{"data":{"character_string1":{"value":"12"},"thing2":{"value":"已联系自来水公司,明天上午派人来修理水…"}},"template_id":"TPL_REPLY","touser":"oUser1"}"#)
        var notice = text
        notice.template = nil
        let fallback = try #require(wechat.fallbackRequest(notice, token: "T", status: 200, body: stale))
        #expect(String(decoding: fallback.body ?? [], as: UTF8.self).contains(#""template_id":"TPL_NOTE""#))
        #expect(wechat.fallbackRequest(text, token: "T", status: 200, body: #"{"errcode":40003,"errmsg":"invalid openid"}"#) == nil)
    }

    @Test(arguments: [
        (200, #"{"errcode":0,"errmsg":"ok"}"#, SendOutcome.accepted(providerID: nil), false),
        (200, #"{"errcode":42001,"errmsg":"access_token expired"}"#, .permanent("wechat errcode 42001: access_token expired"), true),
        (200, #"{"errcode":40001,"errmsg":"invalid credential"}"#, .permanent("wechat errcode 40001: invalid credential"), true),
        (200, #"{"errcode":45047,"errmsg":"out of send limit"}"#, .retryable("wechat errcode 45047: out of send limit"), false),
        (200, #"{"errcode":43004,"errmsg":"require subscribe"}"#, .optedOut("wechat errcode 43004: require subscribe"), false),
        (200, #"{"errcode":43101,"errmsg":"user refuse to accept the msg"}"#,
         .permanent("wechat errcode 43101: user refuse to accept the msg (the follower has not subscribed to this notice)"), false),
        (200, #"{"errcode":45015,"errmsg":"response out of time limit"}"#,
         .permanent("wechat errcode 45015: response out of time limit (more than 48 hours since the follower last wrote)"), false),
        (503, "busy", .retryable("wechat 503: busy"), false),
    ])
    func sendAnswers(status: Int, body: String, outcome: SendOutcome, tokenRefused: Bool) {
        #expect(Self.wechat.sendOutcome(status: status, body: body) == outcome)
        #expect(Self.wechat.tokenRefused(status: status, body: body) == tokenRefused)
    }

    /// A template message links to the case's page; a subscription notice (notice_api: subscribe)
    /// goes by bizsend with the page as its `page`.
    @Test func noticesLinkToTheCasePage() throws {
        var wechat = Self.wechat
        wechat.templates = ["resident.reply": ProviderTemplate(id: "TPL_REPLY", params: ["character_string1=case", "thing2=text"])]
        wechat.casePage = CasePage(publicURL: "https://hotline.example.org/")
        let text = OutgoingText(messageID: 4, from: "10690001", to: "wx:oUser1", text: "…", template: "resident.reply",
                                values: ["case": "12", "text": "明天修", "token": "AbCdEfGhIjKlMnOpQrStUv"])
        let stale = #"{"errcode":45015,"errmsg":"response out of time limit"}"#
        let template = try #require(wechat.fallbackRequest(text, token: "T", status: 200, body: stale))
        #expect(String(decoding: template.body ?? [], as: UTF8.self).contains(#""url":"https://hotline.example.org/c/AbCdEfGhIjKlMnOpQrStUv""#))
        #expect(wechat.subscriptionTemplates.isEmpty, "template messages need no subscription")
        wechat.noticeAPI = .subscribe
        let notice = try #require(wechat.fallbackRequest(text, token: "T", status: 200, body: stale))
        #expect(notice.url == "http://127.0.0.1:9/cgi-bin/message/subscribe/bizsend?access_token=T")
        #expect(String(decoding: notice.body ?? [], as: UTF8.self)
            == #"{"data":{"character_string1":{"value":"12"},"thing2":{"value":"明天修"}},"page":"https://hotline.example.org/c/AbCdEfGhIjKlMnOpQrStUv","template_id":"TPL_REPLY","touser":"oUser1"}"#)
        #expect(wechat.subscriptionTemplates == ["TPL_REPLY"])
    }

    /// The subscribe button's answers and the notices' fate come as events with a list of templates.
    @Test func subscriptionEvents() throws {
        func event(_ name: String, _ list: String) -> [UInt8] {
            Array(("<xml><ToUserName><![CDATA[gh_studio]]></ToUserName><FromUserName><![CDATA[oUser1]]></FromUserName><CreateTime>\(Self.ts)</CreateTime>"
                + "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[\(name)]]></Event>\(list)</xml>").utf8)
        }
        let popup = event("subscribe_msg_popup_event", """
            <SubscribeMsgPopupEvent><List><TemplateId><![CDATA[TPL_REPLY]]></TemplateId><SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString>\
            <PopupScene>2</PopupScene></List><List><TemplateId><![CDATA[TPL_NOTE]]></TemplateId><SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString>\
            <PopupScene>2</PopupScene></List></SubscribeMsgPopupEvent>
            """)
        guard case let .consents(consents) = try Self.wechat.push(query: Self.query(), body: popup, now: Self.now) else {
            Issue.record("not consents"); return
        }
        #expect(consents == [NoticeConsent(address: "wx:oUser1", template: "TPL_REPLY", accepted: true),
                             NoticeConsent(address: "wx:oUser1", template: "TPL_NOTE", accepted: false)])
        let change = event("subscribe_msg_change_event", """
            <SubscribeMsgChangeEvent><List><TemplateId><![CDATA[TPL_REPLY]]></TemplateId><SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString></List></SubscribeMsgChangeEvent>
            """)
        guard case let .consents(changed) = try Self.wechat.push(query: Self.query(), body: change, now: Self.now) else { Issue.record("not consents"); return }
        #expect(changed == [NoticeConsent(address: "wx:oUser1", template: "TPL_REPLY", accepted: false)])
        let sent = event("subscribe_msg_sent_event", """
            <SubscribeMsgSentEvent><List><TemplateId><![CDATA[TPL_REPLY]]></TemplateId><MsgID>1700827132819554304</MsgID><ErrorCode>0</ErrorCode>\
            <ErrorStatus><![CDATA[success]]></ErrorStatus></List></SubscribeMsgSentEvent>
            """)
        guard case let .deliveries(reports) = try Self.wechat.push(query: Self.query(), body: sent, now: Self.now) else { Issue.record("not reports"); return }
        #expect(reports == [DeliveryReport(messageID: nil, providerID: "1700827132819554304", status: .delivered, detail: "wechat subscription notice success")])
    }

    /// The JS-SDK page signature is the one wechatpy computes; the ticket's answers.
    @Test func pageSignatureIsWechatpys() async throws {
        let ours = WeChatChannel.pageSignature(ticket: "kgt8ON7yVITDhtdwci0qeW", nonce: "Wm3WZYTPz0wzccnW", timestamp: 1_414_587_457,
                                               url: "https://hotline.example.org/c/AbCdEfGhIjKlMnOpQrStUv#top")
        let theirs = try await wechatpy("""
            from wechatpy.client.api.jsapi import WeChatJSAPI
            print(WeChatJSAPI(None).get_jsapi_signature("Wm3WZYTPz0wzccnW", "kgt8ON7yVITDhtdwci0qeW", 1414587457,
                                                        "https://hotline.example.org/c/AbCdEfGhIjKlMnOpQrStUv"))
            """)
        #expect(ours == theirs)
        #expect(Self.wechat.ticketRequest(token: "T&x").url == "http://127.0.0.1:9/cgi-bin/ticket/getticket?access_token=T%26x&type=jsapi")
        #expect(Self.wechat.readTicket(status: 200, body: #"{"errcode":0,"errmsg":"ok","ticket":"TK","expires_in":7200}"#) == .token("TK", validFor: 7200))
        #expect(Self.wechat.readTicket(status: 200, body: #"{"errcode":40001,"errmsg":"invalid credential"}"#)
            == .failed(.permanent("wechat errcode 40001: invalid credential")))
    }
}
