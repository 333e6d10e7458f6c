import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

/// The shipped config with a change, over an in-memory database.
func makeHotline(clock: WallClock = .fixed(thursday), _ change: (inout HotlineSettings) -> Void) throws -> Hotline {
    var (settings, table) = try HotlineSetup.load(HotlinePaths(
        config: repoRoot.appendingPathComponent("config").path, intents: repoRoot.appendingPathComponent("Intents").path))
    change(&settings)
    return try Hotline(settings: settings, rules: table, database: .inMemory(), clock: clock,
                       secrets: ["kannel": "s3cret", "kannel.password": "pw", "twilio.auth_token": "tok-en"])
}

/// Adds a Kannel and a Twilio channel to the shipped config.
func withGateways(_ settings: inout HotlineSettings) {
    settings.channels.append(ChannelSettings(id: "kannel", kind: .kannel, secretEnv: "X", options: [
        "sendsms_url": "http://127.0.0.1:1/cgi-bin/sendsms", "username": "u", "password_env": "P", "public_url": "http://127.0.0.1:2",
    ]))
    settings.channels.append(ChannelSettings(id: "twilio", kind: .twilio, options: [
        "account_sid": "AC123", "auth_token_env": "T", "public_url": "https://hotline.example.org", "from": "+8610690001",
    ]))
}

/// Transfers to departments: configured per studio, open until the member records the answer.
@Suite struct DepartmentTransferTests {
    @Test func aTransferToADepartmentStaysOpenIsChasedAndClosesWithTheAnswer() async throws {
        let clock = StepClock(thursday)
        let phones = try await MemberCommandReplyTests.openCase(clock: clock)
        try await phones.text(m3, "接 1")
        _ = try await phones.inbox(m3)
        _ = try await phones.inbox(resident)
        try await phones.text(m3, "转 1 水务局")
        var c = try await phones.case(1)
        #expect(c.state == .withDepartment && c.department == "区水务局" && c.outcome == nil)
        #expect(try await phones.inbox(m3).first?.contains("已转区水务局办理,请在") == true)
        let told = try await phones.inbox(resident)
        #expect(told.count == 1 && told[0].contains("已转交区水务局办理,王委员会督办"), "\(told)")
        #expect(!told[0].contains("满意"))
        // 区水务局 has 5 days: the member is reminded to chase it before then.
        clock.advance(5 * 86_400 - 3_600)
        try await phones.hotline.followUp()
        #expect(try await phones.inbox(m3).first?.contains("督办区水务局") == true)
        // The department answers; the member records it and the case closes, the resident is surveyed.
        clock.advance(1_800)
        try await phones.text(m3, "办结 1 已更换水表")
        c = try await phones.case(1)
        #expect(c.state == .closed && c.outcome == .transferred && c.outcomeNote == "已更换水表" && c.department == "区水务局")
        let closed = try await phones.inbox(resident)
        #expect(closed.count == 2 && closed[0].contains("已由区水务局办结:已更换水表") && closed[1].contains("满意请回复1"), "\(closed)")
        #expect(Listings.departmentHours(c) == 119.5)
    }

    @Test(arguments: [
        ("转 1 城管菊", "没有叫“城管菊”的委员或部门。您是不是要转:区城管局"),
        ("转 1 13800000003", "没有叫“13800000003”的委员或部门"),
        ("转 1 街道办", "没有叫“街道办”的委员或部门"),
    ])
    func unknownTargetsAreRefusedWithTheClosestNames(text: String, reply: String) async throws {
        let phones = try await MemberCommandReplyTests.openCase()
        try await phones.text(m3, text)
        let got = try await phones.inbox(m3)
        #expect(got.count == 1 && got[0].contains(reply), "\(got)")
        #expect(try await phones.inbox(resident).isEmpty)
        #expect(try await phones.case(1).state == .assigned)
    }

    @Test func aMemberOnLeaveOrAtCapacityIsNoTransferTarget() async throws {
        let hotline = try makeHotline { settings in
            let i = settings.deployment.studios.firstIndex { $0.id == "xujiawan" }!
            settings.deployment.studios[i].sla.maxOpenCases = 1
        }
        let phones = Phones(hotline)
        try await phones.text(resident, "小区停水三天了")            // case 1 → M3
        try await phones.text("+8613700000021", "燕村的路坏了,没人修")  // case 2 → M4 (燕村)
        #expect(try await phones.case(2).assigneeId == "M4")
        _ = try await phones.inbox(m3)
        try await phones.text(m3, "转 1 M4")
        #expect(try await phones.inbox(m3).first?.contains("赵委员不能接这个案件(待办已达上限1件)") == true)
        try await phones.text("+8613800000005", "请假")
        try await phones.text(m3, "转 1 刘委员")
        #expect(try await phones.inbox(m3).first?.contains("刘委员不能接这个案件(正在请假)") == true)
        #expect(try await phones.case(1).assigneeId == "M3")
    }

    @Test func reassignmentAfterTwoMissesSkipsMembersOnLeaveAndSaysSo() async throws {
        let clock = StepClock(thursday)
        let phones = try await MemberCommandReplyTests.openCase(clock: clock)
        // M6, the other member linked to 龙湖社区, is away: the reassignment goes past them.
        try await phones.text(m6, "请假")
        for _ in 0..<3 {
            clock.advance(5 * 3_600)
            try await phones.hotline.followUp()
        }
        let c = try await phones.case(1)
        #expect(c.assigneeId != "M6" && c.assigneeId != "M3")
        let events = try await phones.hotline.database.events(caseID: c.id!)
        let reassigned = try #require(events.last { $0.kind == "reassigned" })
        #expect(reassigned.detail?.contains("skipped M6 (正在请假)") == true, "\(reassigned.detail ?? "")")
    }
}

/// Commands act in the case's own studio, whichever hotline number they were texted to.
@Suite struct CrossStudioCommandTests {
    @Test func aCommandToTheOtherStudiosNumberSpeaksForTheCasesStudio() async throws {
        let hotline = try makeHotline { settings in
            let i = settings.deployment.studios.firstIndex { $0.id == "xinjiang" }!
            let j = settings.deployment.studios[i].roster.firstIndex { $0.id == "X1" }!
            settings.deployment.studios[i].roster[j].phone = m3
        }
        let phones = Phones(hotline)
        let villager = "+8613700000055"
        try await phones.text(villager, "王守村吃水难,井里抽不出水", to: "10690002")
        _ = try await phones.inbox(villager)
        try await phones.text(m3, "接 xinjiang-1", to: "10690001")
        try await phones.text(m3, "回复 xinjiang-1 明天派人去修", to: "10690001")
        let told = try await phones.inbox(villager)
        #expect(told.count == 2, "\(told)")
        #expect(told.allSatisfy { $0.hasPrefix("【新绛县有事好商量平台】") && !$0.contains("徐家湾") })
        #expect(told[0].contains("已由孙委员受理"))
        let out = try await hotline.database.messages().filter { $0.direction == .outbound }
        #expect(out.filter { $0.toNumber == villager || $0.toNumber == m3 }.allSatisfy { $0.fromNumber == "10690002" || $0.caseId == nil })
        #expect(out.filter { $0.toNumber == villager }.allSatisfy { $0.fromNumber == "10690002" })
    }
}

/// Members' texts that are no command go to the liaisons.
@Suite struct MemberFreeTextTests {
    @Test func freeTextIsPassedOnToTheLiaisonsMasked() async throws {
        let phones = Phones(try makeHotline())
        try await phones.text(m3, "今天下午开会吗")
        #expect(try await phones.inbox(m3) == ["您的留言已转给周联络员、吴联络员。命令请回复“帮助”。"])
        let l = try await phones.inbox(l1)
        #expect(l == ["【委员留言】王委员(+86138****0003):今天下午开会吗"])
        // A known verb with a bad argument keeps its own answer.
        try await phones.text(m3, "回复 1")
        #expect(try await phones.inbox(m3).first?.contains("缺少内容") == true)
        #expect(try await phones.inbox(l1).isEmpty)
        // A studio's only liaison has nobody to pass it to: the command list, as before.
        try await phones.text("+8613900000011", "你好", to: "10690002")
        #expect(try await phones.inbox("+8613900000011").first?.hasPrefix("没有这个命令") == true)
    }

    /// A text carrying one of our texts to the roster (an auto-reply quoting a forward, a liaison
    /// passing an alert on) is never passed on again; the sender is told why.
    @Test(arguments: ["自动回复:我在开会。您的短信:【委员留言】王委员(+86138****0003):今天下午开会吗",
                      "【超期】1(王委员)未在11月22日 10:00前受理,请督办。这个怎么办?"])
    func ourOwnTextsAreNeverPassedOnAgain(text: String) async throws {
        let phones = Phones(try makeHotline())
        try await phones.text(l1, text)
        #expect(try await phones.inbox(l1) == [ReplyTemplates().render("member.quoted", [:])])
        #expect(try await phones.inbox("+8613900000002").isEmpty)
    }

    @Test(arguments: ["请假 到 9999-12-31", "请假 到 02-30", "请假 到 2025-01-01"])
    func leaveDatesMustBeRealAndWithinAYear(text: String) async throws {
        let phones = Phones(try makeHotline())
        try await phones.text(m3, text)
        #expect(try await phones.inbox(m3).first?.contains("请假日期应是一年内的真实日期") == true)
        #expect(try await phones.hotline.database.casework(now: thursday) { try $0.onLeave(studio: "xujiawan") }.isEmpty)
    }
}

/// The studio's number however a provider writes it; senders checked on every channel; texts cleaned.
@Suite struct InboundFieldTests {
    @Test(arguments: ["10690001", "8610690001", "+8610690001", "+86 1069 0001", "0086 10690001", "010690001", "0 1069 0001"])
    func everyFormOfTheHotlineNumberFindsTheStudio(to: String) async throws {
        let phones = Phones(try makeHotline())
        try await phones.text("+8613700000031", "路灯坏了", to: to)
        #expect(try await phones.hotline.database.cases().first?.studioId == "xujiawan")
        let out = try await phones.hotline.database.messages().filter { $0.direction == .outbound }
        #expect(!out.isEmpty && out.allSatisfy { $0.fromNumber == "10690001" })
    }

    @Test func twilioE164HotlineNumberIsFound() async throws {
        let hotline = try makeHotline(withGateways)
        let fields = ["MessageSid": "SM9", "From": "+8613700000001", "To": "+8610690001", "Body": "路灯坏了"]
        var signed = HTTPFields()
        signed[HTTPFields.Element.Name(TwilioChannel.signatureHeader)!] = TwilioAdapterTests.signed(fields)
        let headers = signed
        try await buildApplication(hotline: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: "/webhooks/twilio", method: .post, headers: headers,
                                     body: ByteBuffer(string: FormFields.encode(fields.map { ($0.key, $0.value) }))) { #expect($0.status == .ok) }
        }
        #expect(try await hotline.database.cases().count == 1)
    }

    @Test(arguments: [
        ("from=attacker&to=10690001&text=x&id=a1", "field 'from' is not a phone number"),
        ("from=evil%2B86138-0000-0001&to=10690001&text=x&id=a2", "field 'from' is not a phone number"),
        ("from=13700000001&to=abc10690001xyz&text=x&id=a3", "field 'to' is not a phone number"),
        ("from=13700000001&to=10690001&text=x&id=a%0Ab", "field 'id' contains control characters"),
    ])
    func kannelRefusesSendersThatAreNoNumbers(query: String, error: String) async throws {
        let hotline = try makeHotline(withGateways)
        try await buildApplication(hotline: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: "/webhooks/kannel?secret=s3cret&" + query, method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains(error), "\(String(buffer: response.body))")
            }
        }
        #expect(try await hotline.database.messages().isEmpty)
    }

    @Test func androidRefusesASenderThatIsNoNumber() throws {
        let android = AndroidGatewayChannel(signingKey: "k", hotlineNumber: "10690001", apiURL: "http://a", username: "u", password: "p",
                                            defaultCountryCode: "86")
        let body = Array(#"{"event":"sms:received","id":"e1","payload":{"messageId":"m","message":"hi","phoneNumber":"hello"}}"#.utf8)
        let ts = "1764000000"
        let signature = Signature.hmacSHA256Hex(secret: "k", data: body + Array(ts.utf8))
        #expect(throws: WebhookError.malformed("field 'payload.phoneNumber' is not a phone number: 'h***o'")) {
            try android.event(body: body, signature: signature, timestamp: ts, now: Date(timeIntervalSince1970: 1764000000))
        }
    }

    @Test func controlCharactersAreRemovedFromTextsAndRefusedInNumbers() async throws {
        let hotline = try makeHotline()
        try await buildApplication(hotline: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: "/webhooks/json", method: .post,
                                     body: ByteBuffer(string: body(id: "n1", from: "+8613700000001", text: "停水了\u{0}三天\u{7}了\n谁管"))) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/webhooks/json", method: .post,
                                     body: ByteBuffer(string: body(id: "n2", from: "1\n2026-12-01 error hotline: FORGED", text: "x"))) { response in
                #expect(response.status == .badRequest)
                #expect(!String(buffer: response.body).contains("\n2026"))
            }
        }
        let stored = try await hotline.database.messages().first { $0.direction == .inbound }
        #expect(stored?.text == "停水了三天了\n谁管")
        let notice = try await hotline.database.messages().first { $0.toNumber == m3 }
        #expect(notice?.text.hasSuffix("回复“接 1”受理。") == true)
    }

    @Test(arguments: [("\"7\"", "7"), ("2", "2"), ("1", "1"), ("0", "0"), ("1.0", "1"), ("1e2", "100"), ("-3", "-3")])
    func jsonIDsAreStringsOrIntegersInOneForm(raw: String, stored: String) async throws {
        let hotline = try makeHotline()
        try await buildApplication(hotline: hotline, senders: nil).test(.router) { client in
            let b = #"{"id": \#(raw), "from": "+8613700000041", "to": "10690001", "text": "路灯坏了"}"#
            try await client.execute(uri: "/webhooks/json", method: .post, body: ByteBuffer(string: b)) { #expect($0.status == .ok) }
        }
        #expect(try await hotline.database.messages().first { $0.direction == .inbound }?.providerId == stored)
    }

    @Test(arguments: ["1.5", "true", "[1]"])
    func jsonIDsThatAreNoIntegerAreRefused(raw: String) async throws {
        let hotline = try makeHotline()
        try await buildApplication(hotline: hotline, senders: nil).test(.router) { client in
            let b = #"{"id": \#(raw), "from": "+8613700000041", "to": "10690001", "text": "路灯坏了"}"#
            try await client.execute(uri: "/webhooks/json", method: .post, body: ByteBuffer(string: b)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("field 'id' must be a string or an integer"))
            }
        }
    }

    /// Kannel's post-url: a form body over 64 KiB (a long text, 9 bytes a character encoded) is
    /// stored cut like a long GET text, not refused (Kannel would retry a refusal, then drop it).
    @Test(arguments: [60_000, 7_000])
    func anOverlongKannelPostIsStoredCut(characters: Int) async throws {
        let hotline = try makeHotline(withGateways)
        let long = String(repeating: "水", count: characters)
        let body = "from=13700000001&to=10690001&id=P\(characters)&text=" + FormFields.encode(long)
        try await buildApplication(hotline: hotline, senders: nil).test(.router) { client in
            var headers = HTTPFields()
            headers[.contentType] = "application/x-www-form-urlencoded"
            try await client.execute(uri: "/webhooks/kannel?secret=s3cret", method: .post, headers: headers, body: ByteBuffer(string: body)) {
                #expect($0.status == .ok, "\(String(buffer: $0.body))")
            }
        }
        let stored = try #require(try await hotline.database.messages().first { $0.direction == .inbound })
        #expect(stored.text.hasPrefix(String(repeating: "水", count: 1000)) && stored.text.contains("…(超长已截断"), "\(stored.text.suffix(30))")
    }

    /// A body past any real text (over 1 MiB) is no message: 400 naming the size, nothing stored.
    @Test func aKannelPostPastAnyRealTextIsRefused() async throws {
        let hotline = try makeHotline(withGateways)
        let body = "from=13700000001&to=10690001&id=BIG&text=" + String(repeating: "a", count: 1_100_000)
        try await buildApplication(hotline: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: "/webhooks/kannel?secret=s3cret", method: .post, body: ByteBuffer(string: body)) {
                #expect($0.status == .badRequest && String(buffer: $0.body).contains("larger than 1048576 bytes"), "\(String(buffer: $0.body))")
            }
        }
        #expect(try await hotline.database.messages().isEmpty)
    }

    @Test func aBodyCutInsideACharacterKeepsWhatCameWhole() throws {
        let encoded = Array("id=1&text=\(FormFields.encode("水水"))".utf8)
        // Cut inside the second character's bytes, and inside an escape.
        #expect(try FormFields.parse(cut: encoded.dropLast(4)) == ["id": "1", "text": "水"])
        #expect(try FormFields.parse(cut: encoded.dropLast(2)) == ["id": "1", "text": "水"])
        #expect(try FormFields.parse(cut: encoded) == ["id": "1", "text": "水水"])
    }

    @Test func anOverlongGatewayTextIsStoredCutAtOnce() async throws {
        let hotline = try makeHotline(withGateways)
        let long = String(repeating: "水", count: 60_000)
        try await buildApplication(hotline: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: "/webhooks/kannel?secret=s3cret&from=13700000001&to=10690001&id=L1&text=" + FormFields.encode(long),
                                     method: .get) { #expect($0.status == .ok) }
            // The JSON webhook refuses instead: its sender does not retry a 4xx.
            try await client.execute(uri: "/webhooks/json", method: .post, body: ByteBuffer(string: body(id: "L2", text: String(long.prefix(2000))))) {
                #expect($0.status == .badRequest)
            }
        }
        let stored = try #require(try await hotline.database.messages().first { $0.direction == .inbound })
        #expect(stored.text.hasPrefix(String(repeating: "水", count: 1000)) && stored.text.hasSuffix("…(超长已截断,原文60000字)"))
        let out = try await hotline.database.messages().filter { $0.direction == .outbound }
        #expect(out.allSatisfy { ($0.parts ?? 99) <= 5 })
    }

    @Test func providerTimeCountsForDeadlinesWhenBelievable() async throws {
        let hotline = try makeHotline()
        let sent = thursday.addingTimeInterval(-3_600)
        try await buildApplication(hotline: hotline, senders: nil).test(.router) { client in
            for (id, at) in [("t1", Listings.isoString(sent)), ("t2", "2030-01-01T00:00:00Z")] {
                let b = #"{"id": "\#(id)", "from": "+861370000005\#(id.last!)", "to": "10690001", "text": "小区停水了", "received_at": "\#(at)"}"#
                try await client.execute(uri: "/webhooks/json", method: .post, body: ByteBuffer(string: b)) { #expect($0.status == .ok) }
            }
        }
        let cases = try await hotline.database.cases().sorted { $0.number < $1.number }
        // Water: accept within 4 h, counted from when the resident sent it; a time in the future is not believed.
        #expect(cases[0].acceptDue == sent.addingTimeInterval(4 * 3_600))
        #expect(cases[1].acceptDue == thursday.addingTimeInterval(4 * 3_600))
        let inbound = try await hotline.database.messages().filter { $0.direction == .inbound }.sorted { $0.id! < $1.id! }
        #expect(inbound[0].createdAt == thursday && inbound[0].sentAt == sent)
    }
}

/// Delivery reports move only their own channel's messages; 21610 never opts out staff.
@Suite struct DeliveryReportScopeTests {
    @Test func aReportForAnotherChannelsMessageMovesNothing() async throws {
        let hotline = try makeHotline(withGateways)
        try await buildApplication(hotline: hotline, senders: nil).test(.router) { client in
            // A JSON-webhook case: its texts go out on the dry-run channel.
            try await client.execute(uri: "/webhooks/json", method: .post, body: ByteBuffer(string: body(id: "j1", text: "停水了"))) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/webhooks/kannel/dlr?secret=s3cret&message=2&type=1", method: .get) { #expect($0.status == .ok) }
            // A member's notice (to M4's number) reported as opted out through Twilio.
            let status = ["MessageSid": "SMx", "MessageStatus": "failed", "ErrorCode": "21610"]
            var headers = HTTPFields()
            headers[HTTPFields.Element.Name(TwilioChannel.signatureHeader)!] = TwilioAdapterTests.signed(status, path: "/webhooks/twilio/status?message=3")
            try await client.execute(uri: "/webhooks/twilio/status?message=3", method: .post, headers: headers,
                                     body: ByteBuffer(string: FormFields.encode(status.map { ($0.key, $0.value) }))) { #expect($0.status == .ok) }
        }
        let out = try await hotline.database.messages().filter { $0.direction == .outbound }
        #expect(out.allSatisfy { $0.status == "queued" })
    }

    @Test func optOutNeverMarksAMember() async throws {
        let hotline = try makeHotline(withGateways)
        let phones = Phones(hotline)
        try await phones.text("+8613800000004", "待办")   // M4 has a residents row too, as every sender does
        let reply = try #require(try await hotline.database.messages().first { $0.toNumber == "+8613800000004" })
        try await hotline.database.writer.write { db in try db.execute(sql: "UPDATE messages SET channel = 'twilio' WHERE id = ?", arguments: [reply.id]) }
        let roster = Set(hotline.settings.deployment.studios.flatMap { $0.roster.map(\.phone) })
        try await hotline.database.recordOptOut(messageID: reply.id!, channel: "twilio", sparing: roster, now: thursday)
        #expect(try await !hotline.database.isOptedOut(studio: "xujiawan", phone: "+8613800000004"))
        // A resident's number is opted out as before.
        try await phones.text(resident, "小区停水三天了")
        let ack = try #require(try await hotline.database.messages().first { $0.toNumber == resident })
        try await hotline.database.writer.write { db in try db.execute(sql: "UPDATE messages SET channel = 'twilio' WHERE id = ?", arguments: [ack.id]) }
        try await hotline.database.recordOptOut(messageID: ack.id!, channel: "twilio", sparing: roster, now: thursday)
        #expect(try await hotline.database.isOptedOut(studio: "xujiawan", phone: resident))
    }
}

/// A hotline never answers a hotline: two studios texting each other, or a number echoing back.
@Suite struct HotlineNumberSenderTests {
    @Test func aTextFromAnyStudiosHotlineNumberIsStoredAndNeverAnswered() async throws {
        let phones = Phones(try makeHotline())
        try await phones.text("10690002", "【新绛县有事好商量平台】已收到您的来信,编号1。", to: "10690001")
        try await phones.text("+8610690001", "【徐家湾委员工作室】已收到", to: "10690002")
        // With the trunk prefix a phone shows before a number dialled within the country.
        try await phones.text("010690002", "【新绛县有事好商量平台】您的诉求已受理", to: "10690001")
        let messages = try await phones.hotline.database.messages()
        #expect(messages.count == 3 && messages.allSatisfy { $0.direction == .inbound })
        #expect(try await phones.hotline.database.cases().isEmpty)
    }
}

/// Health: HEAD answers, and a database that takes no writes is not healthy.
@Suite struct HealthTests {
    @Test func headAndAReadOnlyDatabase() async throws {
        let hotline = try makeHotline()
        try await buildApplication(hotline: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .head) { #expect($0.status == .ok) }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            // No write can be committed (as with a full disk): not healthy.
            try await hotline.database.writer.write { db in
                try db.execute(sql: "CREATE TRIGGER refuse BEFORE UPDATE ON health BEGIN SELECT RAISE(FAIL, 'disk full'); END")
                try db.execute(sql: "CREATE TRIGGER refuse2 BEFORE INSERT ON health BEGIN SELECT RAISE(FAIL, 'disk full'); END")
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .serviceUnavailable) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .serviceUnavailable) }
        }
    }

    /// Ready means messages can be stored and the outbox dispatcher is alive.
    @Test func readyWhenTheDispatcherBeats() async throws {
        let clock = StepClock(thursday)
        let hotline = try makeHotline(clock: clock.wall)
        // No dispatcher service runs here; one is expected as `hotline serve` expects its own.
        hotline.dispatcherHeartbeat.expect()
        try await buildApplication(hotline: hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("outbox dispatcher silent"))
            }
            try await OutboxDispatcher(hotline: hotline, senders: .all(hotline.settings.channels, ScriptedSender())).drainOnce()
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .head) { #expect($0.status == .ok) }
            clock.advance(31)
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .serviceUnavailable) }
        }
    }
}
