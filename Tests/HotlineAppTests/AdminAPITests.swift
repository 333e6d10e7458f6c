import Foundation
import HotlineChannels
import HotlineCore
@testable import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

/// The admin API over the shipped config: who may do what, bad input answered 4xx with a
/// message, changes through the SMS commands' lifecycle, pages stable under inserts.
@Suite struct AdminAPITests {
    /// A studio with two cases (1: water at 龙湖社区 → M3; 2: roads at 燕村) and one account per role.
    final class Desk: @unchecked Sendable {
        let phones: Phones
        let clock: StepClock
        let tokens: [String: String]
        var hotline: HotlineParts { phones.hotline }

        init() async throws {
            clock = StepClock(thursday)
            phones = Phones(try makeHotline(clock: clock.wall))
            try await phones.text(resident, "小区停水三天了,我的电话13912345678")
            try await phones.text("+8613700000021", "燕村的路坏了,没人修")
            let staff = StaffAccounts(phones.hotline, cost: 4)
            var tokens: [String: String] = [:]
            for (login, role, studios, member) in [("chen", StaffRole.coordinator, ["xujiawan"], nil as String?), ("xin", .liaison, ["xinjiang"], nil),
                                                   ("wang", .member, ["xujiawan"], "M3"), ("zhang", .member, ["xujiawan"], "M1"),
                                                   ("audit", .auditor, [], nil)] {
                _ = try await staff.add(login: login, name: login, role: role, studios: studios, rosterID: member)
                tokens[login] = try await staff.issueToken(login: login).token
            }
            self.tokens = tokens
        }

        /// Runs requests against the service's router.
        func test(_ body: @Sendable (TestClientProtocol) async throws -> Void) async throws {
            try await buildApplication(parts: hotline, senders: nil, bcryptCost: 4).test(.router, body)
        }
    }

    /// One request as `login` (nil: no token): status and JSON body.
    static func call(_ client: TestClientProtocol, _ login: String?, _ desk: Desk, _ method: HTTPRequest.Method, _ uri: String,
                     _ body: String? = nil) async throws -> (HTTPResponse.Status, [String: Any]) {
        var headers = HTTPFields()
        if let login { headers[.authorization] = "Bearer \(desk.tokens[login] ?? login)" }
        headers[.contentType] = "application/json"
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { r in
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: r.body))) as? [String: Any] ?? [:]
            return (r.status, object)
        }
    }

    static func refs(_ object: [String: Any]) -> [String] {
        (object["cases"] as? [[String: Any]] ?? []).compactMap { $0["ref"] as? String }
    }

    @Test func noTokenNoEntry() async throws {
        let desk = try await Desk()
        try await desk.test { client in
            for (token, why) in [(nil as String?, "Bearer token is required"), ("hl_forged", "not valid"), ("plain", "not valid")] {
                let (status, body) = try await Self.call(client, token, desk, .get, "/api/v1/cases")
                #expect(status == .unauthorized)
                #expect((body["error"] as? String)?.contains(why) == true)
            }
        }
    }

    /// Each role's allowed and forbidden actions: (account, method, path, body, status).
    static let access: [(String, HTTPRequest.Method, String, String?, HTTPResponse.Status)] = [
        ("chen", .get, "/api/v1/cases/xujiawan/1", nil, .ok),
        ("chen", .get, "/api/v1/cases?studio=xinjiang", nil, .forbidden),
        ("chen", .get, "/api/v1/cases?studio=nowhere", nil, .notFound),
        ("xin", .get, "/api/v1/cases/xujiawan/1", nil, .forbidden),
        ("xin", .post, "/api/v1/cases/xujiawan/1/notes", #"{"text":"x"}"#, .forbidden),
        ("wang", .get, "/api/v1/cases/xujiawan/1", nil, .ok),
        ("zhang", .get, "/api/v1/cases/xujiawan/1", nil, .forbidden),
        ("zhang", .post, "/api/v1/cases/xujiawan/1/notes", #"{"text":"x"}"#, .forbidden),
        ("zhang", .get, "/api/v1/cases?member=M3", nil, .forbidden),
        ("wang", .get, "/api/v1/reports/month?month=2026-11", nil, .forbidden),
        ("wang", .get, "/api/v1/residents/xujiawan/+8613700000001", nil, .forbidden),
        ("wang", .get, "/api/v1/outbox", nil, .forbidden),
        ("wang", .get, "/api/v1/notices", nil, .forbidden),
        ("wang", .get, "/api/v1/members", nil, .ok),
        ("wang", .get, "/api/v1/rules", nil, .ok),
        ("audit", .get, "/api/v1/cases/xujiawan/2", nil, .ok),
        ("audit", .get, "/api/v1/reports/month?month=2026-11", nil, .ok),
        ("audit", .get, "/api/v1/residents/xujiawan/+8613700000001", nil, .forbidden),
        ("audit", .get, "/api/v1/residents/xujiawan/+86137****0001", nil, .ok),
        ("audit", .post, "/api/v1/cases/xujiawan/1/notes", #"{"text":"x"}"#, .forbidden),
        ("audit", .post, "/api/v1/cases/xujiawan/1/close", #"{"outcome":"resolved","note":"x","version":1}"#, .forbidden),
        ("audit", .post, "/api/v1/outbox/retry", #"{"ids":[]}"#, .forbidden),
        ("audit", .post, "/api/v1/notices", #"{"studio":"xujiawan","kind":"general","title":"t","to":["members"]}"#, .forbidden),
        ("xin", .get, "/api/v1/residents/xujiawan/+8613700000001", nil, .forbidden),
        ("xin", .get, "/api/v1/notices/xujiawan/1", nil, .forbidden),
        ("xin", .get, "/api/v1/reports/month?month=2026-11&studio=xujiawan", nil, .forbidden),
        ("chen", .get, "/api/v1/residents/xujiawan/+8613700000001", nil, .ok),
        ("chen", .get, "/api/v1/notices", nil, .ok),
        ("audit", .get, "/api/v1/notices", nil, .ok),
        ("audit", .get, "/api/v1/outbox", nil, .ok),
        ("audit", .get, "/api/v1/members", nil, .ok),
        ("xin", .get, "/api/v1/members?studio=xujiawan", nil, .forbidden),
        ("xin", .post, "/api/v1/rules/classify", #"{"text":"停水","studio":"xujiawan"}"#, .forbidden),
        ("chen", .get, "/api/v1/residents/xujiawan/+8613799999999", nil, .notFound),
        ("chen", .get, "/api/v1/cases/xujiawan/99", nil, .notFound),
    ]

    @Test func rolesAndStudios() async throws {
        let desk = try await Desk()
        try await desk.test { client in
            for (login, method, uri, body, expected) in Self.access {
                let (status, object) = try await Self.call(client, login, desk, method, uri, body)
                #expect(status == expected, "\(login) \(method) \(uri)")
                if expected != .ok { #expect(object["error"] is String, "\(login) \(method) \(uri) names the problem") }
            }
            // Lists hold what each account may see.
            #expect(Self.refs(try await Self.call(client, "chen", desk, .get, "/api/v1/cases").1).sorted() == ["xujiawan-1", "xujiawan-2"])
            #expect(Self.refs(try await Self.call(client, "xin", desk, .get, "/api/v1/cases").1) == [])
            #expect(Self.refs(try await Self.call(client, "wang", desk, .get, "/api/v1/cases").1) == ["xujiawan-1"])
            #expect(Self.refs(try await Self.call(client, "audit", desk, .get, "/api/v1/cases").1).count == 2)
            // Numbers whole for the coordinator, masked for members and auditors.
            let (_, mine) = try await Self.call(client, "chen", desk, .get, "/api/v1/cases/xujiawan/1")
            #expect((mine["case"] as? [String: Any])?["resident"] as? String == resident)
            for login in ["wang", "audit"] {
                let (_, c) = try await Self.call(client, login, desk, .get, "/api/v1/cases/xujiawan/1")
                let shown = try #require((c["case"] as? [String: Any])?["resident"] as? String)
                #expect(shown != resident && shown.contains("*"), "\(login) sees \(shown)")
            }
        }
    }

    /// A resident who wrote through WeChat is looked up by their address (`wx:<OpenID>`), whole for
    /// the coordinator, masked for the auditor; the auditor cannot ask by the whole address.
    @Test func followersAreLookedUpByTheirAddress() async throws {
        let desk = try await Desk()
        let follower = "wx:oUser_42-Zq9x8w7v6u5t4s3r2q1p0"
        let json = try #require(desk.hotline.settings.channels.first { $0.kind == .json })
        _ = try await desk.hotline.receive(InboundText(providerID: "wx1", from: follower, to: "10690001", text: "路灯坏了"), channel: json)
        let masked = PhoneNumber.mask(follower)
        #expect(masked == "wx:****" + follower.suffix(4))
        try await desk.test { client in
            for (login, address, expected) in [("chen", follower, HTTPResponse.Status.ok), ("audit", masked, .ok), ("audit", follower, .forbidden),
                                               ("chen", "wx:oNobody", .notFound), ("chen", "wx:o1%27%20OR%201=1", .badRequest)] {
                let (status, body) = try await Self.call(client, login, desk, .get, "/api/v1/residents/xujiawan/\(address)")
                #expect(status == expected, "\(login) \(address): \(body)")
                if status == .ok {
                    #expect(body["phone"] as? String == (login == "chen" ? follower : masked))
                    #expect((body["cases"] as? [[String: Any]])?.count == 1)
                }
            }
        }
    }

    /// A follower who bound a number is one resident with it: the look-up by either shows the
    /// other (masked for the auditor) and both's cases.
    @Test func aBoundFollowerAndTheirNumberAreOneResident() async throws {
        let desk = try await Desk()
        let follower = "wx:oBound0001", phone = "+8613700000001"
        let json = try #require(desk.hotline.settings.channels.first { $0.kind == .json })
        _ = try await desk.hotline.receive(InboundText(providerID: "wx2", from: follower, to: "10690001", text: "小区垃圾三天没人清运"), channel: json)
        try await desk.hotline.database.writer.write { db in
            try db.execute(sql: "UPDATE residents SET bound_phone = ? WHERE studio_id = 'xujiawan' AND phone = ?", arguments: [phone, follower])
        }
        try await desk.test { client in
            for (login, address, linked) in [("chen", follower, phone), ("chen", phone, follower), ("audit", PhoneNumber.mask(follower), PhoneNumber.mask(phone))] {
                let (status, body) = try await Self.call(client, login, desk, .get, "/api/v1/residents/xujiawan/\(address)")
                #expect(status == .ok, "\(login) \(address): \(body)")
                #expect(body["linked"] as? [String] == [linked], "\(login) \(address): \(body)")
                let residents = Set((body["cases"] as? [[String: Any]] ?? []).compactMap { $0["resident"] as? String })
                #expect(residents.count == 2, "both addresses' cases: \(residents)")
            }
        }
    }

    @Test func changesGoThroughTheLifecycle() async throws {
        let desk = try await Desk()
        try await desk.test { client in
            let (_, read) = try await Self.call(client, "chen", desk, .get, "/api/v1/cases/xujiawan/1")
            let version = try #require((read["case"] as? [String: Any])?["version"] as? Int)
            #expect((read["case"] as? [String: Any])?["member"] as? String == "M3")
            // Reassigned with the version read: the case moves, the audit trail names who did it.
            var (status, body) = try await Self.call(client, "chen", desk, .post, "/api/v1/cases/xujiawan/1/reassign",
                                                     #"{"to":"M6","reason":"陈委员熟悉龙湖","version":\#(version)}"#)
            #expect(status == .ok && body["member"] as? String == "M6" && body["version"] as? Int == version + 1)
            // The same change against the old version: 409, and nothing moves.
            (status, body) = try await Self.call(client, "chen", desk, .post, "/api/v1/cases/xujiawan/1/reassign",
                                                 #"{"to":"M1","version":\#(version)}"#)
            #expect(status == .conflict && (body["error"] as? String)?.contains("version \(version + 1)") == true)
            // To nobody: 422 naming the problem; a note; a close; a second close refused by the lifecycle.
            (status, body) = try await Self.call(client, "chen", desk, .post, "/api/v1/cases/xujiawan/1/reassign", #"{"to":"M99","version":\#(version + 1)}"#)
            #expect(status == .unprocessableContent && (body["error"] as? String)?.contains("M99") == true)
            (status, _) = try await Self.call(client, "chen", desk, .post, "/api/v1/cases/xujiawan/1/notes", #"{"text":"已电话联系居民"}"#)
            #expect(status == .ok)
            (status, body) = try await Self.call(client, "chen", desk, .post, "/api/v1/cases/xujiawan/1/close",
                                                 #"{"outcome":"resolved","note":"已恢复供水","version":\#(version + 1)}"#)
            #expect(status == .ok && body["state"] as? String == "closed" && body["outcome"] as? String == "resolved")
            (status, body) = try await Self.call(client, "chen", desk, .post, "/api/v1/cases/xujiawan/1/close",
                                                 #"{"outcome":"resolved","note":"again","version":\#(version + 2)}"#)
            #expect(status == .unprocessableContent && body["error"] is String)
            let (_, detail) = try await Self.call(client, "chen", desk, .get, "/api/v1/cases/xujiawan/1")
            let events = try #require(detail["events"] as? [[String: Any]]).map { "\($0["actor"]!) \($0["kind"]!)" }
            #expect(events.contains("staff:chen reassigned") && events.contains("staff:chen note") && events.contains("staff:chen closed"))
            #expect(events.contains("staff:chen refused"))
            // The new member, the old one and the resident were texted, as with 转 N by text.
            let to = try await desk.hotline.database.messages().filter { $0.direction == .outbound }.map(\.toNumber)
            #expect(to.contains("+8613800000006") && to.contains(m3) && to.filter { $0 == resident }.count >= 3)
        }
    }

    @Test func membersActOnTheirOwnCasesOnly() async throws {
        let desk = try await Desk()
        try await desk.test { client in
            var (status, body) = try await Self.call(client, "wang", desk, .post, "/api/v1/cases/xujiawan/1/close",
                                                     #"{"outcome":"unresolved","note":"需区里协调","version":1}"#)
            #expect(status == .ok && body["outcome"] as? String == "unresolved")
            let (_, two) = try await Self.call(client, "chen", desk, .get, "/api/v1/cases/xujiawan/2")
            let v2 = try #require((two["case"] as? [String: Any])?["version"] as? Int)
            (status, body) = try await Self.call(client, "wang", desk, .post, "/api/v1/cases/xujiawan/2/reassign", #"{"to":"M3","version":\#(v2)}"#)
            #expect(status == .forbidden)
            // A department: the case goes there and stays open.
            (status, body) = try await Self.call(client, "chen", desk, .post, "/api/v1/cases/xujiawan/2/reassign", #"{"to":"区水务局","version":\#(v2)}"#)
            #expect(status == .ok && body["state"] as? String == "with-department" && body["department"] as? String == "区水务局")
        }
    }

    @Test(arguments: [
        ("/api/v1/cases?limit=0", "limit"), ("/api/v1/cases?state=lost", "state"), ("/api/v1/cases?topic=weather", "topic"),
        ("/api/v1/cases?overdue=maybe", "overdue"), ("/api/v1/cases?from=yesterday", "from"), ("/api/v1/cases?cursor=zz", "cursor"),
        ("/api/v1/cases/xujiawan/abc", "number"), ("/api/v1/reports/month", "month"), ("/api/v1/reports/month?month=2026-13", "month"),
        ("/api/v1/outbox?status=lost", "status"),
    ])
    func badQueries(uri: String, names: String) async throws {
        let desk = try await Desk()
        try await desk.test { client in
            let (status, body) = try await Self.call(client, "chen", desk, .get, uri)
            #expect(status == .badRequest)
            #expect((body["error"] as? String)?.contains(names) == true, "\(body)")
        }
    }

    @Test(arguments: [
        ("not json", "not JSON"), (#"{"to":"M6"}"#, "lacks 'version'"), (#"{"to":6,"version":1}"#, "'to' has the wrong type"),
        (String(repeating: "x", count: 70_000), "larger than 64 KiB"),
    ])
    func badBodies(body: String, names: String) async throws {
        let desk = try await Desk()
        try await desk.test { client in
            let (status, object) = try await Self.call(client, "chen", desk, .post, "/api/v1/cases/xujiawan/1/reassign", body)
            #expect(status == (body.count > 65_536 ? .contentTooLarge : .badRequest))
            #expect((object["error"] as? String)?.contains(names) == true, "\(object)")
        }
    }

    @Test func pagesStayStableUnderInserts() async throws {
        let desk = try await Desk()
        for i in 3...7 { try await desk.phones.text("+86137000001\(i)0", "燕村路灯坏了第\(i)次") }
        try await desk.test { client in
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let (status, body) = try await Self.call(client, "chen", desk, .get, "/api/v1/cases?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(status == .ok)
                seen += Self.refs(body)
                cursor = body["next_cursor"] as? String
                pages += 1
                // Texts arriving between pages open newer cases: they never shift the pages still to read.
                if pages == 1 { try await desk.phones.text("+8613700000190", "谭家庄村的垃圾没人清运") }
            } while cursor != nil && pages < 10
            #expect(seen == (1...7).reversed().map { "xujiawan-\($0)" })
            // Filters combine.
            let (_, filtered) = try await Self.call(client, "chen", desk, .get, "/api/v1/cases?q=路灯&limit=2")
            #expect(Self.refs(filtered) == ["xujiawan-7", "xujiawan-6"] && filtered["next_cursor"] is String)
            let (_, water) = try await Self.call(client, "chen", desk, .get, "/api/v1/cases?topic=water&state=assigned,accepted")
            #expect(Self.refs(water) == ["xujiawan-1"])
            // Soonest deadline first, page by page: every open case once, in the order of its deadline.
            var dues: [String] = []
            var byDeadline: [String] = []
            cursor = nil
            repeat {
                let (status, body) = try await Self.call(client, "chen", desk, .get, "/api/v1/cases?sort=deadline&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(status == .ok)
                for c in body["cases"] as? [[String: Any]] ?? [] {
                    byDeadline.append(c["ref"] as? String ?? "")
                    dues.append((c["next_deadline"] as? [String: Any])?["due"] as? String ?? "")
                }
                cursor = body["next_cursor"] as? String
            } while cursor != nil && byDeadline.count < 20
            #expect(Set(byDeadline).count == byDeadline.count && byDeadline.count == 8 && dues == dues.sorted() && !dues.contains(""))
        }
    }

    /// A case whose stored classification cannot be read still opens, in the API and on the
    /// dashboard's case page: its intent and topic, no rules fired.
    @Test func aCaseWithAnUnreadableClassificationStillOpens() async throws {
        let desk = try await Desk()
        try await desk.hotline.database.writer.write { try $0.execute(sql: "UPDATE cases SET classification = '{}' WHERE number = 1") }
        try await desk.test { client in
            let (status, body) = try await Self.call(client, "chen", desk, .get, "/api/v1/cases/xujiawan/1")
            let classification = try #require(body["classification"] as? [String: Any])
            let detail = try #require(body["case"] as? [String: Any])
            #expect(status == .ok && classification["topic"] as? String == detail["topic"] as? String
                    && (classification["matches"] as? [Any])?.isEmpty == true, "\(body)")
        }
    }

    @Test func overdueCases() async throws {
        let desk = try await Desk()
        desk.clock.advance(3 * 86_400)
        try await desk.test { client in
            let (_, list) = try await Self.call(client, "chen", desk, .get, "/api/v1/cases?overdue=true")
            #expect(Self.refs(list).sorted() == ["xujiawan-1", "xujiawan-2"])
            let (_, mine) = try await Self.call(client, "wang", desk, .get, "/api/v1/reports/overdue")
            #expect(Self.refs(mine) == ["xujiawan-1"])
            let (_, members) = try await Self.call(client, "chen", desk, .get, "/api/v1/members?studio=xujiawan")
            let m3 = try #require((members["members"] as? [[String: Any]])?.first { $0["id"] as? String == "M3" })
            #expect(m3["open_cases"] as? Int == 1 && m3["overdue_cases"] as? Int == 1 && m3["available"] as? Bool == true)
        }
    }

    @Test func loginGivesATokenAndFailuresAreLimited() async throws {
        let desk = try await Desk()
        try await StaffAccounts(desk.hotline, cost: 4).setPassword(login: "chen", password: "correct horse battery")
        try await desk.test { client in
            var (status, body) = try await Self.call(client, nil, desk, .post, "/api/v1/login", #"{"login":"chen","password":"correct horse battery"}"#)
            #expect(status == .created)
            let token = try #require(body["token"] as? String)
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(token)"
            try await client.execute(uri: "/api/v1/me", method: .get, headers: headers) { r in
                #expect(r.status == .ok && String(buffer: r.body).contains("\"role\":\"coordinator\""))
            }
            (status, body) = try await Self.call(client, nil, desk, .post, "/api/v1/login", #"{"login":"chen","password":"wrong"}"#)
            #expect(status == .unauthorized && body["error"] as? String == StaffAccounts.refusal)
            // Unknown logins from one address: after ten failures the address waits, whatever it tries.
            for i in 2...10 { _ = try await Self.call(client, nil, desk, .post, "/api/v1/login", #"{"login":"nobody\#(i)","password":"x"}"#) }
            (status, body) = try await Self.call(client, nil, desk, .post, "/api/v1/login", #"{"login":"chen","password":"correct horse battery"}"#)
            #expect(status == .tooManyRequests && (body["error"] as? String)?.contains("this address") == true)
        }
    }

    /// Guesses at other accounts spread between one's own good logins are still counted: nine
    /// wrong, one right, again — the eleventh guess is refused.
    @Test func aGoodLoginClearsNoFailures() async throws {
        let desk = try await Desk()
        try await StaffAccounts(desk.hotline, cost: 4).setPassword(login: "chen", password: "correct horse battery")
        try await desk.test { client in
            var statuses: [HTTPResponse.Status] = []
            for round in 0..<3 {
                for i in 0..<9 {
                    let (status, _) = try await Self.call(client, nil, desk, .post, "/api/v1/login", #"{"login":"guess\#(round)-\#(i)","password":"x"}"#)
                    statuses.append(status)
                }
                let (status, _) = try await Self.call(client, nil, desk, .post, "/api/v1/login", #"{"login":"chen","password":"correct horse battery"}"#)
                statuses.append(status)
            }
            #expect(statuses.prefix(9).allSatisfy { $0 == .unauthorized } && statuses[9] == .created)
            #expect(statuses[10] == .unauthorized && statuses.dropFirst(11).allSatisfy { $0 == .tooManyRequests }, "\(statuses)")
        }
    }

    /// A locked account is answered as an unknown login is: the same status and body, after a
    /// password check's work (not at once), so lock-out tells no one which accounts exist.
    @Test func aLockedAccountAnswersAsAnUnknownOne() async throws {
        let desk = try await Desk()
        // The service's own cost, as the unknown login's check has.
        try await StaffAccounts(desk.hotline).setPassword(login: "chen", password: "correct horse battery")
        let staff = StaffAccounts(desk.hotline)
        for _ in 0..<StaffAccounts.maxFailedLogins { _ = try await staff.login("chen", password: "wrong") }
        try await desk.test { client in
            func timed(_ body: String) async throws -> (HTTPResponse.Status, String, TimeInterval) {
                let start = Date()
                let (status, answer) = try await Self.call(client, nil, desk, .post, "/api/v1/login", body)
                return (status, answer["error"] as? String ?? "", Date().timeIntervalSince(start))
            }
            let locked = try await timed(#"{"login":"chen","password":"correct horse battery"}"#)
            let unknown = try await timed(#"{"login":"nobody","password":"correct horse battery"}"#)
            #expect(locked.0 == .unauthorized && unknown.0 == .unauthorized && locked.1 == unknown.1)
            // bcrypt at cost 12 takes a good part of a second here; an answer without it, a few milliseconds.
            #expect(locked.2 > 0.05 && unknown.2 > 0.05, "locked \(locked.2) s, unknown \(unknown.2) s")
        }
    }

    /// An auditor sees numbers masked: asking by the whole number is refused (so the 10,000
    /// middles cannot be tried), asking by the masked number answers, and look-ups that find no
    /// one are limited per account; a number in a text search is refused too.
    @Test func aMaskedRoleCannotUnmaskAResident() async throws {
        let desk = try await Desk()
        try await desk.test { client in
            var (status, body) = try await Self.call(client, "audit", desk, .get, "/api/v1/residents/xujiawan/%2B8613700000001")
            #expect(status == .forbidden && (body["error"] as? String)?.contains("+86137****0001") == true, "\(body)")
            (status, body) = try await Self.call(client, "audit", desk, .get, "/api/v1/residents/xujiawan/%2B86137****0001")
            #expect(status == .ok && body["phone"] as? String == "+86137****0001" && (body["cases"] as? [Any])?.count == 1, "\(body)")
            // The coordinator may ask either way.
            (status, body) = try await Self.call(client, "chen", desk, .get, "/api/v1/residents/xujiawan/%2B86137****0001")
            #expect(status == .ok && body["phone"] as? String == "+8613700000001")
            (status, _) = try await Self.call(client, "audit", desk, .get, "/api/v1/residents/xujiawan/13****0001")
            #expect(status == .notFound)
            (status, _) = try await Self.call(client, "audit", desk, .get, "/api/v1/residents/xujiawan/%2B86137**x*0001")
            #expect(status == .badRequest)
            // Twenty misses, then the account waits (its hits too).
            for i in 1..<20 {
                (status, _) = try await Self.call(client, "audit", desk, .get, "/api/v1/residents/xujiawan/%2B86139****\(String(format: "%04d", i))")
                #expect(status == .notFound)
            }
            (status, body) = try await Self.call(client, "audit", desk, .get, "/api/v1/residents/xujiawan/%2B86137****0001")
            #expect(status == .tooManyRequests, "\(body)")
            // Another account is not held up by it.
            (status, _) = try await Self.call(client, "chen", desk, .get, "/api/v1/residents/xujiawan/%2B8613700000001")
            #expect(status == .ok)
            (status, body) = try await Self.call(client, "audit", desk, .get, "/api/v1/cases?q=%E7%94%B5%E8%AF%9D13912345678")
            #expect(status == .forbidden && (body["error"] as? String)?.contains("search by words") == true)
            (status, _) = try await Self.call(client, "chen", desk, .get, "/api/v1/cases?q=13912345678")
            #expect(status == .ok)
        }
    }

    /// Two residents behind one masked number: the API says so rather than choosing.
    @Test func aMaskedNumberTwoResidentsShare() async throws {
        let desk = try await Desk()
        try await desk.phones.text("+8613700990001", "燕村的路灯坏了")
        try await desk.test { client in
            let (status, body) = try await Self.call(client, "audit", desk, .get, "/api/v1/residents/xujiawan/%2B86137****0001")
            #expect(status == .conflict && (body["error"] as? String)?.contains("2 residents") == true, "\(body)")
        }
    }

    @Test func noticesOutboxRulesAndReports() async throws {
        let desk = try await Desk()
        try await desk.test { client in
            let draft = #"{"studio":"xujiawan","title":"接待日","at":"2026-12-09 15:00","place":"徐家湾社区活动室","to":["members","numbers:110"]}"#
            var (status, body) = try await Self.call(client, "chen", desk, .post, "/api/v1/notices/preview", draft)
            #expect(status == .ok && (body["recipients"] as? [Any])?.count == 6 && (body["skipped"] as? [[String: Any]])?.first?["reason"] as? String == "invalid-number")
            (status, body) = try await Self.call(client, "chen", desk, .post, "/api/v1/notices", draft)
            #expect(status == .created && body["number"] as? Int == 1)
            (status, body) = try await Self.call(client, "chen", desk, .get, "/api/v1/notices/xujiawan/1")
            #expect(status == .ok && ((body["notice"] as? [String: Any])?["tally"] as? [String: Any])?["no_answer"] as? Int == 6)
            (status, body) = try await Self.call(client, "chen", desk, .post, "/api/v1/notices", #"{"studio":"xujiawan","title":"x","to":["everyone"]}"#)
            #expect(status == .badRequest && (body["error"] as? String)?.contains("everyone") == true)
            (status, body) = try await Self.call(client, "chen", desk, .post, "/api/v1/notices/xujiawan/1/cancel", #"{"reason":"改期"}"#)
            #expect(status == .ok && body["withdrawn"] as? Int == 6)
            (status, body) = try await Self.call(client, "chen", desk, .post, "/api/v1/notices/xujiawan/1/cancel", #"{"reason":"改期"}"#)
            #expect(status == .conflict)

            // A failed text, listed and retried.
            let ids = try await desk.hotline.database.claimDueOutbox(now: desk.clock.wall.now(), limit: 1)
            try await desk.hotline.database.markAttemptFailed(try #require(ids.first), error: "gateway said no", retryAt: nil, now: desk.clock.wall.now())
            (status, body) = try await Self.call(client, "chen", desk, .get, "/api/v1/outbox")
            let failed = try #require(body["messages"] as? [[String: Any]])
            #expect(failed.count == 1 && failed[0]["last_error"] as? String == "gateway said no")
            (_, body) = try await Self.call(client, "xin", desk, .post, "/api/v1/outbox/retry", #"{"ids":[\#(failed[0]["id"] as! Int)]}"#)
            #expect(body["retried"] as? Int == 0)
            (_, body) = try await Self.call(client, "chen", desk, .post, "/api/v1/outbox/retry", #"{"ids":[\#(failed[0]["id"] as! Int)]}"#)
            #expect(body["retried"] as? Int == 1)

            (status, body) = try await Self.call(client, "wang", desk, .post, "/api/v1/rules/classify", #"{"text":"楼上装修太吵了"}"#)
            #expect(status == .ok && (body["classification"] as? [String: Any])?["topic"] as? String == "neighbour")
            (_, body) = try await Self.call(client, "wang", desk, .get, "/api/v1/rules")
            #expect((body["version"] as? String)?.count == 16 && (body["rules"] as? Int ?? 0) > 10)

            (status, body) = try await Self.call(client, "chen", desk, .get, "/api/v1/reports/month?month=2026-11")
            let lines = try #require(body["lines"] as? [[String: Any]])
            #expect(status == .ok && lines.first?["cases"] as? Int == 2)
            try await client.execute(uri: "/api/v1/reports/month?month=2026-11&format=csv", method: .get,
                                     headers: [.authorization: "Bearer \(desk.tokens["chen"]!)"]) { r in
                #expect(r.headers[.contentType]?.hasPrefix("text/csv") == true && Array(Data(buffer: r.body).prefix(3)) == [0xEF, 0xBB, 0xBF])
            }
            (status, body) = try await Self.call(client, "chen", desk, .get, "/api/v1/reports/digest?month=2026-11")
            #expect(status == .ok && !(String(describing: body).contains("13912345678")))
        }
    }
}
