import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HotlineTestSupport
import Testing

/// A WeChat Official Account through a real `hotline serve`: wechatpy (Tests/wechat/wechat_peer.py)
/// builds the handshake and the pushes in plain and safe mode and decrypts hotline's passive reply;
/// a stand-in of WeChat's API (the same script) takes the customer-service sends and issues the
/// access tokens.
@Suite(.serialized) struct WeChatTests {
    static let peer = repoRoot.appendingPathComponent("Tests/wechat/wechat_peer.py").path

    static func waitFor(_ what: String, _ condition: () async -> Bool) async throws {
        let deadline = Date().addingTimeInterval(15)
        while await !condition() {
            try #require(Date() < deadline, "waited 15 s for \(what)")
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test func aFollowersDayThroughTheServerURL() async throws {
        // The stand-in of api.weixin.qq.com.
        let api = try await PythonPeer.StandIn(Self.peer, ["api"])
        let apiPort = api.port
        // The shipped config with the account added (as config/examples/wechat has it).
        let account = """
            channels:
              - id: wx
                kind: wechat
                secret_env: E2E_WECHAT_TOKEN
                app_id: wx5f2ae2e
                app_secret_env: E2E_WECHAT_APP_SECRET
                aes_key_env: E2E_WECHAT_AES_KEY
                number: "10690001"
                api_base_url: http://127.0.0.1:\(apiPort)
                welcome: 欢迎关注徐家湾委员工作室,有话请直接留言。
                templates:
                  resident.reply: "TPL_REPLY: character_string1=case, thing2=text"
                  fallback: "TPL_NOTE: thing1=studio, character_string2=case"

            """
        let server = try await ServerProcess(database: scratchDatabase(), configDir: try configWithChannels(account).path, environment: [
            "E2E_WECHAT_TOKEN": "tok3n-e2e", "E2E_WECHAT_APP_SECRET": "app-s3cret", "E2E_WECHAT_AES_KEY": "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
        ])
        let url = "http://127.0.0.1:\(server.port)/webhooks/wechat"

        let answers = try #require(try await PythonPeer.json([Self.peer, "push", url]) as? [String: [Any]])
        func answer(_ name: String) -> (Int, String) { (answers[name]?.first as? Int ?? 0, answers[name]?.last as? String ?? "") }
        #expect(answer("handshake") == (200, "7381635391"))
        #expect(answer("handshake_forged").0 == 401 && answer("handshake_stale").0 == 401 && answer("forged_push").0 == 401)
        // The acknowledgement is the passive reply, in plain XML or encrypted (wechatpy decrypted it);
        // WeChat's retry of the same MsgId is stored once and answered "success".
        for name in ["text_plain", "text_safe"] {
            let (status, body) = answer(name)
            #expect(status == 200 && body.contains("<MsgType><![CDATA[text]]></MsgType>") && body.contains("编号"), "\(name): \(body)")
        }
        #expect(answer("text_plain").1.contains("<ToUserName><![CDATA[oPlainResident01]]></ToUserName>"))
        #expect(answer("text_safe").1.contains("<ToUserName><![CDATA[oSafeResident002]]></ToUserName>"))
        #expect(answer("text_plain_retried") == (200, "success") && answer("unsubscribe_plain") == (200, "success"))
        // The welcome is the passive reply to a new follower, encrypted.
        let welcome = answer("subscribe_safe")
        #expect(welcome.0 == 200 && welcome.1.contains("<Content><![CDATA[欢迎关注徐家湾委员工作室,有话请直接留言。]]></Content>"), "\(welcome.1)")
        #expect(welcome.1.contains("<ToUserName><![CDATA[oNewFollower0003]]></ToUserName>"))

        // Stored once each (the retried MsgId too); a case for each resident's text; the
        // acknowledgements recorded as sent in the response, not through the API.
        let messages = jsonLines(try await runCLI(["messages", "--json", "--database", server.database]))
        let inbound = messages.filter { $0["direction"] as? String == "in" }
        #expect(inbound.compactMap { $0["provider_id"] as? String }.filter { $0 == "50001" }.count == 1)
        #expect(Set(inbound.compactMap { $0["from"] as? String })
            == ["wx:oPlainResident01", "wx:oSafeResident002", "wx:oNewFollower0003", "wx:oStaleFollower04"])
        #expect(inbound.filter { $0["case"] is Int }.count == 3)
        let acks = messages.filter { $0["direction"] as? String == "out" && ($0["to"] as? String ?? "").hasPrefix("wx:") }
        #expect(acks.count == 3 && acks.allSatisfy { $0["provider_id"] as? String == "passive" && $0["status"] as? String == "sent" }, "\(acks)")
        // The members heard of the cases on the studio's SMS channel, not on WeChat.
        #expect(messages.filter { $0["direction"] as? String == "out" && $0["channel"] as? String == "wx" }.count == 3)
        try await Task.sleep(for: .seconds(6))
        #expect(api.calls.isEmpty, "nothing went through the API: \(api.calls)")

        // The follower who left is opted out.
        let token = try await coordinatorToken(database: server.database)
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/api/v1/residents/xujiawan/wx:oNewFollower0003")!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        let resident = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(resident["opted_out"] as? Bool == true, "\(resident)")

        // The member's reply, later, goes through the customer-service API with a token fetched once.
        let safeCase = try #require(inbound.first { $0["from"] as? String == "wx:oSafeResident002" }?["case"] as? Int)
        let member = try #require(messages.first { $0["direction"] as? String == "out" && $0["case"] as? Int == safeCase
            && !($0["to"] as? String ?? "").hasPrefix("wx:") }?["to"] as? String)
        func memberTexts(_ id: String, _ text: String) async throws {
            let (status, body) = try await server.post("/webhooks/json", #"{"id":"\#(id)","from":"\#(member)","to":"10690001","text":"\#(text)"}"#)
            #expect(status == 200, "\(body)")
        }
        try await memberTexts("m1", "回复\(safeCase) 已联系村委会,明天派人修路")
        try await Self.waitFor("the member's reply through the API") { api.calls.contains { $0["call"] as? String == "send" } }
        var calls = api.calls
        #expect(calls.map { "\($0["call"]!) \($0["token"] ?? $0["force_refresh"]!) \($0["answer"]!)" } == ["token 0 0", "send ACCESS-1 0"])
        #expect(calls.last?["touser"] as? String == "oSafeResident002" && (calls.last?["content"] as? String ?? "").contains("明天派人修路"))

        // WeChat expires the token: the next send is refused (42001), a new token is fetched at once
        // (force_refresh) and the text sent with it.
        var expire = URLRequest(url: URL(string: "http://127.0.0.1:\(apiPort)/test/expire")!)
        expire.httpMethod = "POST"
        _ = try await URLSession.shared.data(for: expire)
        try await memberTexts("m2", "回复\(safeCase) 施工队已到现场")
        try await Self.waitFor("a send with the new token") { api.calls.contains { $0["token"] as? String == "ACCESS-2" } }
        calls = api.calls
        #expect(calls.dropFirst(2).map { "\($0["call"]!) \($0["token"] ?? $0["force_refresh"]!) \($0["answer"]!)" }
            == ["send ACCESS-1 42001", "token 1 0", "send ACCESS-2 0"])

        // Past the 48 hours (WeChat answers 45015), the member's reply goes as the template message
        // configured for it, its fields filled from the reply.
        let staleCase = try #require(inbound.first { $0["from"] as? String == "wx:oStaleFollower04" }?["case"] as? Int)
        let staleMember = try #require(messages.first { $0["direction"] as? String == "out" && $0["case"] as? Int == staleCase
            && !($0["to"] as? String ?? "").hasPrefix("wx:") }?["to"] as? String)
        let (replied, said) = try await server.post("/webhooks/json",
            #"{"id":"m3","from":"\#(staleMember)","to":"10690001","text":"回复\#(staleCase) 电梯明天修好"}"#)
        #expect(replied == 200, "\(said)")
        try await Self.waitFor("the template message") { api.calls.contains { $0["call"] as? String == "template" } }
        calls = api.calls
        #expect(calls.dropFirst(5).map { "\($0["call"]!) \($0["touser"]!) \($0["answer"]!)" }
            == ["send oStaleFollower04 45015", "template oStaleFollower04 0"])
        let template = try #require(calls.last)
        #expect(template["template_id"] as? String == "TPL_REPLY")
        let fields = try #require(template["data"] as? [String: [String: String]])
        #expect(fields["character_string1"]?["value"] == String(staleCase) && fields["thing2"]?["value"] == "电梯明天修好", "\(fields)")
        // WeChat's push of the template message's fate moves the reply to delivered.
        let reported = try #require(try await PythonPeer.json([Self.peer, "event", url, "oStaleFollower04", "200228332", "success"]) as? [Any])
        #expect(reported.first as? Int == 200)
        let reply = jsonLines(try await runCLI(["messages", "--json", "--database", server.database])).first {
            $0["to"] as? String == "wx:oStaleFollower04" && ($0["text"] as? String ?? "").contains("电梯明天修好")
        }
        #expect(reply?["status"] as? String == "delivered" && reply?["provider_id"] as? String == "200228332", "\(reply ?? [:])")
        #expect(await server.terminate() == 0)
    }

    /// An account that sends subscription notices (订阅通知): the case page offers WeChat's subscribe
    /// button inside WeChat, signed with a JS-SDK ticket (wechatpy checks the signature); the
    /// follower's answer is recorded; past the 48 hours the member's reply goes by bizsend to the
    /// subscriber with the case page as its link, and WeChat's report of its fate moves it to
    /// delivered; to a follower who did not subscribe (43101) it waits, said on the case.
    @Test func subscriptionNoticesAndTheCasePage() async throws {
        let api = try await PythonPeer.StandIn(Self.peer, ["api"])
        let config = """
            case_page:
              public_url: https://hotline.example.org
            channels:
              - id: wx
                kind: wechat
                secret_env: E2E_WECHAT_TOKEN
                app_id: wx5f2ae2e
                app_secret_env: E2E_WECHAT_APP_SECRET
                number: "10690001"
                api_base_url: http://127.0.0.1:\(api.port)
                notice_api: subscribe
                templates:
                  resident.reply: "TPL_SUB_REPLY: character_string1=case, thing2=text"

            """
        let server = try await ServerProcess(database: scratchDatabase(), configDir: try configWithChannels(config).path, environment: [
            "E2E_WECHAT_TOKEN": "tok3n-e2e", "E2E_WECHAT_APP_SECRET": "app-s3cret",
        ])
        let url = "http://127.0.0.1:\(server.port)/webhooks/wechat"
        func push(_ arguments: [String]) async throws -> (Int, String) {
            let answer = try #require(try await PythonPeer.json([Self.peer] + arguments) as? [Any])
            return (answer.first as? Int ?? 0, answer.last as? String ?? "")
        }
        #expect(try await push(["text", url, "oStaleSubscriber5", "60001", "龙湖社区3号楼电梯坏了一个星期"]).0 == 200)
        #expect(try await push(["text", url, "oStaleRefuser0006", "60002", "燕村路面塌了一个坑,很危险"]).0 == 200)
        var messages = jsonLines(try await runCLI(["messages", "--json", "--database", server.database]))
        func caseOf(_ openID: String) throws -> (number: Int, token: String, member: String) {
            let inbound = try #require(messages.first { $0["from"] as? String == "wx:\(openID)" && $0["direction"] as? String == "in" })
            let number = try #require(inbound["case"] as? Int)
            let ack = try #require(messages.first { $0["to"] as? String == "wx:\(openID)" && ($0["text"] as? String ?? "").contains("/c/") })
            let token = String(try #require((ack["text"] as? String)?.split(separator: "/c/").last?.prefix(22)))
            let member = try #require(messages.first { $0["direction"] as? String == "out" && $0["case"] as? Int == number
                && !($0["to"] as? String ?? "").hasPrefix("wx:") }?["to"] as? String)
            return (number, token, member)
        }
        let subscriber = try caseOf("oStaleSubscriber5"), refuser = try caseOf("oStaleRefuser0006")

        // Outside WeChat the page has no button and the strict policy.
        let (plainStatus, plainPage) = try await server.get("/c/\(subscriber.token)")
        #expect(plainStatus == 200 && !plainPage.contains("wx-open-subscribe"))
        // Inside WeChat: the button for the account's notice templates, and the JS-SDK configuration
        // signed for this page's address with the ticket WeChat issued.
        func pageInWeChat(_ token: String) async throws -> (String, String) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/c/\(token)")!)
            request.setValue("Mozilla/5.0 (Linux; Android 14) MicroMessenger/8.0.50.2701(0x28003237) NetType/WIFI Language/zh_CN", forHTTPHeaderField: "User-Agent")
            let (data, response) = try await URLSession.shared.data(for: request)
            return (String(decoding: data, as: UTF8.self), (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Security-Policy") ?? "")
        }
        let (page, policy) = try await pageInWeChat(subscriber.token)
        #expect(page.contains(#"<wx-open-subscribe template="TPL_SUB_REPLY""#) && policy.contains("https://res.wx.qq.com"), "\(policy)")
        func attribute(_ name: String) -> String {
            page.components(separatedBy: "\(name)=\"").dropFirst().first?.components(separatedBy: "\"").first ?? ""
        }
        #expect(attribute("data-app-id") == "wx5f2ae2e")
        let expected = try #require(try await PythonPeer.json([Self.peer, "signature", "TICKET-1", attribute("data-nonce"), attribute("data-timestamp"),
                                                         "https://hotline.example.org/c/\(subscriber.token)"]) as? [String]).first
        #expect(attribute("data-signature") == expected, "the page signature is the one wechatpy makes")
        #expect(api.calls.filter { $0["call"] as? String == "ticket" }.count == 1)

        // The follower presses the button and accepts: recorded; the page says so.
        #expect(try await push(["popup", url, "oStaleSubscriber5", "TPL_SUB_REPLY", "accept"]) == (200, "success"))
        #expect(try await pageInWeChat(subscriber.token).0.contains("您已订阅办理进度通知"))

        // Past the 48 hours the member's reply goes as the subscription notice, linking to the page.
        for (id, who) in [("s1", subscriber), ("s2", refuser)] {
            let (status, said) = try await server.post("/webhooks/json",
                #"{"id":"\#(id)","from":"\#(who.member)","to":"10690001","text":"回复\#(who.number) 电梯明天修好"}"#)
            #expect(status == 200, "\(said)")
        }
        try await Self.waitFor("both notices") { api.calls.filter { $0["call"] as? String == "bizsend" }.count == 2 }
        let notice = try #require(api.calls.first { $0["call"] as? String == "bizsend" && $0["touser"] as? String == "oStaleSubscriber5" })
        #expect(notice["template_id"] as? String == "TPL_SUB_REPLY" && notice["page"] as? String == "https://hotline.example.org/c/\(subscriber.token)")
        let fields = try #require(notice["data"] as? [String: [String: String]])
        #expect(fields["character_string1"]?["value"] == String(subscriber.number) && fields["thing2"]?["value"] == "电梯明天修好")
        #expect(try await push(["sent", url, "oStaleSubscriber5", "TPL_SUB_REPLY", "1700827132819554304"]) == (200, "success"))
        try await Self.waitFor("the refused notice recorded as waiting") {
            messages = jsonLines((try? await runCLI(["messages", "--json", "--database", server.database])) ?? "")
            return messages.contains { $0["to"] as? String == "wx:oStaleRefuser0006" && $0["status"] as? String == "waiting" }
        }
        let delivered = messages.first { $0["to"] as? String == "wx:oStaleSubscriber5" && ($0["text"] as? String ?? "").contains("电梯明天修好") }
        #expect(delivered?["status"] as? String == "delivered", "\(delivered ?? [:])")
        let waiting = try #require(messages.first { $0["to"] as? String == "wx:oStaleRefuser0006" && $0["status"] as? String == "waiting" })
        #expect((waiting["error"] as? String ?? "").contains("43101"), "\(waiting)")
        #expect(await server.terminate() == 0)
    }
}
