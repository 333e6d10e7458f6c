import Foundation
import HotlineCore
import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

/// The dashboard's doors: sessions, CSRF tokens and the API's role rules. (The pages themselves
/// are driven in a real browser by Tests/HotlineEndToEndTests/DashboardBrowserTests.)
@Suite struct DashboardTests {
    /// Logs in through the form; the session cookie and the page's CSRF token.
    static func login(_ client: TestClientProtocol, _ login: String) async throws -> (cookie: String, csrf: String) {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        let cookie = try await client.execute(uri: "/login", method: .post, headers: headers,
                                              body: ByteBuffer(string: "login=\(login)&password=correct+horse+battery&next=%2Fdashboard")) { r in
            #expect(r.status == .seeOther && r.headers[.location] == "/dashboard")
            let set = try #require(r.headers[.setCookie])
            #expect(set.contains("HttpOnly") && set.contains("SameSite=Strict"))
            return String(set.split(separator: ";")[0])
        }
        let csrf = try await client.execute(uri: "/dashboard", method: .get, headers: [.cookie: cookie]) { r in
            #expect(r.status == .ok)
            let page = String(buffer: r.body)
            let range = try #require(page.range(of: #"name="csrf" value="[0-9a-f]{64}""#, options: .regularExpression))
            return String(page[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
        }
        return (cookie, csrf)
    }

    /// The board links to a next page only when one exists (the desk holds two cases).
    @Test(arguments: [(1, true), (2, false), (50, false)])
    func theBoardsNextPageOnlyWhenThereIsOne(limit: Int, next: Bool) async throws {
        let desk = try await Self.desk()
        try await desk.test { client in
            let (cookie, _) = try await Self.login(client, "chen")
            try await client.execute(uri: "/dashboard/cases?limit=\(limit)", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains(#"id="next""#) == next)
            }
        }
    }

    static func desk() async throws -> AdminAPITests.Desk {
        let desk = try await AdminAPITests.Desk()
        let staff = StaffAccounts(desk.hotline, cost: 4)
        for login in ["chen", "wang", "zhang"] { try await staff.setPassword(login: login, password: "correct horse battery") }
        return desk
    }

    @Test func pagesNeedASessionAndFormsTheirToken() async throws {
        let desk = try await Self.desk()
        try await desk.test { client in
            // No session: every page sends the browser to log in, and remembers where it was going.
            for path in ["/dashboard", "/dashboard/cases", "/dashboard/cases/xujiawan/1", "/dashboard/members", "/dashboard/notices", "/dashboard/reports"] {
                try await client.execute(uri: path, method: .get) { r in
                    #expect(r.status == .seeOther && r.headers[.location]?.hasPrefix("/login?next=") == true, "\(path)")
                }
            }
            // A wrong password: the form again, with the problem.
            var form = HTTPFields()
            form[.contentType] = "application/x-www-form-urlencoded"
            try await client.execute(uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "login=chen&password=wrong")) { r in
                #expect(r.status == .unauthorized && String(buffer: r.body).contains("账号或密码错误") && r.headers[.setCookie] == nil)
            }
            let (cookie, csrf) = try await Self.login(client, "chen")
            var headers = form
            headers[.cookie] = cookie
            // A form without its token, or with another, is refused and changes nothing.
            for body in ["to=M6&version=1", "to=M6&version=1&csrf=\(String(repeating: "0", count: 64))"] {
                try await client.execute(uri: "/dashboard/cases/xujiawan/1/reassign", method: .post, headers: headers, body: ByteBuffer(string: body)) { r in
                    #expect(r.status == .forbidden && String(buffer: r.body).contains("security token"))
                }
            }
            #expect(try await desk.hotline.database.case(studio: "xujiawan", number: 1)?.assigneeId == "M3")
            // With it, the case moves and the audit trail names who.
            try await client.execute(uri: "/dashboard/cases/xujiawan/1/reassign", method: .post, headers: headers,
                                     body: ByteBuffer(string: "to=M6&version=1&reason=&csrf=\(csrf)")) { r in
                #expect(r.status == .seeOther && r.headers[.location] == "/dashboard/cases/xujiawan/1")
            }
            let moved = try #require(try await desk.hotline.database.case(studio: "xujiawan", number: 1))
            #expect(moved.assigneeId == "M6")
            #expect(try await desk.hotline.database.events(caseID: moved.id!).contains { $0.actor == "staff:chen" && $0.kind == "reassigned" })
            // Logging out ends the session: the same cookie no longer opens a page.
            try await client.execute(uri: "/logout", method: .post, headers: headers, body: ByteBuffer(string: "csrf=\(csrf)")) { r in
                #expect(r.status == .seeOther && r.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            try await client.execute(uri: "/dashboard", method: .get, headers: [.cookie: cookie]) { r in #expect(r.status == .seeOther) }
        }
    }

    @Test func aMemberSeesOnlyTheirOwnCases() async throws {
        let desk = try await Self.desk()
        try await desk.test { client in
            let (wang, _) = try await Self.login(client, "wang")
            try await client.execute(uri: "/dashboard/cases/xujiawan/1", method: .get, headers: [.cookie: wang]) { r in
                #expect(r.status == .ok && String(buffer: r.body).contains("xujiawan-1"))
            }
            let (zhang, _) = try await Self.login(client, "zhang")
            try await client.execute(uri: "/dashboard/cases/xujiawan/1", method: .get, headers: [.cookie: zhang]) { r in
                #expect(r.status == .forbidden && String(buffer: r.body).contains("not assigned to you"))
            }
            try await client.execute(uri: "/dashboard/cases", method: .get, headers: [.cookie: zhang]) { r in
                #expect(r.status == .ok && !String(buffer: r.body).contains("xujiawan-1"))
            }
            try await client.execute(uri: "/dashboard/reports", method: .get, headers: [.cookie: zhang]) { r in #expect(r.status == .forbidden) }
        }
    }

    @Test func everyPageRendersAndSpeaksBothLanguages() async throws {
        let desk = try await Self.desk()
        try await desk.test { client in
            let (cookie, _) = try await Self.login(client, "chen")
            for path in ["/dashboard", "/dashboard/cases?sort=deadline", "/dashboard/cases/xujiawan/1", "/dashboard/members", "/dashboard/notices",
                         "/dashboard/reports?month=2026-11"] {
                try await client.execute(uri: path, method: .get, headers: [.cookie: cookie]) { r in
                    let page = String(buffer: r.body)
                    #expect(r.status == .ok && page.contains(#"<html lang="zh-CN">"#) && page.contains("委员工作室热线"), "\(path)")
                    #expect(r.headers[.init("Content-Security-Policy")!]?.contains("default-src 'self'") == true)
                }
            }
            try await client.execute(uri: "/dashboard?lang=en", method: .get, headers: [.cookie: cookie]) { r in
                let page = String(buffer: r.body)
                #expect(page.contains(#"<html lang="en">"#) && page.contains("Received today") && r.headers[.setCookie]?.contains("hl_lang=en") == true)
            }
            try await client.execute(uri: "/dashboard/reports.csv?month=2026-11", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.status == .ok && Array(Data(buffer: r.body).prefix(3)) == [0xEF, 0xBB, 0xBF])
            }
            try await client.execute(uri: "/assets/dashboard.css", method: .get) { r in #expect(r.status == .ok && String(buffer: r.body).contains("@media")) }
        }
    }

    @Test func chartsCarryTheirNumbers() {
        let svg = SVGChart.line(title: "三率", labels: ["10", "11"], series: [.init(name: "响应率", values: [50, 75])])
        #expect(svg.contains("<title>三率</title>") && svg.contains(">50.0%</text>") && svg.contains(">75.0%</text>") && svg.contains("<polyline"))
        let bars = SVGChart.bars(title: "按委员", labels: ["张<委员>"], series: [.init(name: "解决率", values: [nil])], maxValue: 100)
        #expect(bars.contains("张&lt;委员&gt;") && bars.contains(">–</text>"))
    }
}

/// The typed pages: every word a template names is in the words' table, and every template is
/// compiled in, registered and drawn (with every section shown).
@Suite struct PageTemplateTests {
    static func words(_ template: PageTemplate) -> Set<String> {
        let text = String(decoding: template.source, as: UTF8.self)
        let names = text.matches(of: /\{\{[#^\/]?t\.([A-Za-z_]+)\}\}/).map { String($0.1) }
        return Set(names)
    }

    /// The staff's pages (the resident's page of their case speaks to residents in its own words, in Chinese).
    @Test(arguments: PageTemplate.allCases.filter { $0 != .resident })
    func everyWordATemplateNamesIsInTheTable(_ template: PageTemplate) {
        let table = Set(Mirror(reflecting: DashboardWords.zh).children.compactMap(\.label))
        #expect(!Self.words(template).isEmpty)
        #expect(Self.words(template).subtracting(table).isEmpty, "\(template): \(Self.words(template).subtracting(table).sorted())")
        // Both languages fill every word.
        for lang in [DashboardWords.zh, DashboardWords.en] {
            #expect(Mirror(reflecting: lang).children.allSatisfy { ($0.value as? String)?.isEmpty == false })
        }
    }

    @Test func everyTemplateIsRegisteredAndDrawn() throws {
        let parts = try makeHotline()
        let services = HotlineServices(parts, bcryptCost: 4)
        let dashboard = try Dashboard(parts, services: services)
        let t = DashboardWords.en
        #expect(dashboard.draw(LoginModel(t: t, failed: true, next: "/dashboard")).contains(t.loginFailed))
        let row = CaseRow(ref: "x-1", href: "/h", state: "s", topic: "tp", intent: "i", area: "a", member: "m", received: "r", deadline: "d",
                          overdue: true, text: "the text")
        let board = dashboard.draw(BoardModel(t: t, csrf: "c", cases: [row], next: "/next", studios: [], states: [], topics: [], intents: [],
                                              members: [], area: "", from: "", to: "", q: "", overdueChecked: false, sortHref: "/s", sortLabel: "sort"))
        #expect(board.contains(#"class="late""#) && board.contains("the text") && board.contains(#"href="/next""#) && !board.contains(t.none))
        let empty = dashboard.draw(BoardModel(t: t, csrf: "c", cases: [], next: nil, studios: [], states: [], topics: [], intents: [],
                                              members: [], area: "", from: "", to: "", q: "", overdueChecked: false, sortHref: "/s", sortLabel: "sort"))
        #expect(empty.contains(t.none) && !empty.contains(#"id="next""#))
        let page = dashboard.layout(body: "<p>inside</p>", title: "T", lang: "en", page: nil, active: .cases)
        #expect(page.contains("<p>inside</p>") && page.contains(#"<html lang="en">"#))
        for template in PageTemplate.allCases {
            #expect(dashboard.views.getTemplate(named: template.rawValue) != nil, "\(template)")
        }
    }
}

/// The notice form's audience: what a coordinator ticks and picks becomes the parts the API and
/// the CLI take; nothing chosen is a 400 naming it.
@Suite struct NoticeFormAudienceTests {
    @Test(arguments: [
        (["to_members": "1"], ["members"]),
        (["to_liaisons": "1", "to_members_area": "龙湖社区"], ["liaisons", "members:area=龙湖社区"]),
        (["to_members_sector": "medical", "to_residents_area": " 燕村 "], ["members:sector=medical", "residents:area=燕村"]),
        (["to_roll": "1+6+X", "to_numbers": "+8613700000001\n 13700000002,13700000003\n\n"], ["roll:1+6+X", "numbers:+8613700000001,13700000002,13700000003"]),
        (["to_members": "1", "to_members_area": "", "to_roll": " "], ["members"]),
    ])
    func choicesBecomeAudienceParts(_ fields: [String: String], _ parts: [String]) throws {
        #expect(try Dashboard.audience(fields) == parts)
        for part in parts { #expect((try? AudiencePart.parse(part).get()) != nil, "\(part)") }
    }

    @Test func nothingChosenIsRefused() {
        #expect(throws: APIError.self) { try Dashboard.audience(["to_members_area": "", "to": "members"]) }
    }

    @Test func aPreviewFromChoices() async throws {
        let desk = try await DashboardTests.desk()
        try await desk.test { client in
            let (cookie, csrf) = try await DashboardTests.login(client, "chen")
            var headers = HTTPFields()
            headers[.contentType] = "application/x-www-form-urlencoded"
            headers[.cookie] = cookie
            let form = "csrf=\(csrf)&studio=xujiawan&kind=general&title=%E5%81%9C%E6%B0%B4&to_members=1"
            try await client.execute(uri: "/dashboard/notices/preview", method: .post, headers: headers, body: ByteBuffer(string: form)) { r in
                let page = String(buffer: r.body)
                #expect(r.status == .ok && page.contains(#"id="preview-recipients">6<"#), "\(page.prefix(400))")
                // The choices ride along to the send button.
                #expect(page.contains(#"name="to_members" value="1""#))
            }
            let none = "csrf=\(csrf)&studio=xujiawan&kind=general&title=%E5%81%9C%E6%B0%B4"
            try await client.execute(uri: "/dashboard/notices/preview", method: .post, headers: headers, body: ByteBuffer(string: none)) { r in
                #expect(r.status == .badRequest && String(buffer: r.body).contains("choose who the notice goes to"))
            }
            // The form offers the studio's areas and the sectors to pick from.
            try await client.execute(uri: "/dashboard/notices", method: .get, headers: [.cookie: cookie]) { r in
                let page = String(buffer: r.body)
                #expect(page.contains(#"<option value="龙湖社区">"#) && page.contains(#"name="to_members_sector""#) && !page.contains(#"name="to" "#))
            }
        }
    }
}

/// The service's own audit-trail details, said in Chinese on Chinese pages; people's words as written.
@Suite struct AuditTrailTextTests {
    static let studio = try! makeHotline().settings.deployment.studio(id: "xujiawan")

    @Test(arguments: [
        (CaseEventKind.opened, "complaint/water score 12.0", "诉求/供水,得分12.0"),
        (.assigned, "M3: linked-area, linked to 龙湖社区, no linked member's sector fits water, 0 open cases", "王委员:联系该社区/村"),
        (.assigned, "L1: liaison, nobody linked or on duty", "周联络员:交联络员"),
        (.answered, "answered from the rule table", "按规则表自动答复"),
        (.reassigned, "M6: transferred by M3", "陈委员:由王委员转交"),
        (.reassigned, "M6: accept deadline missed twice; linked to 龙湖社区", "陈委员:受理两次超期,改派"),
        (.reassigned, "M6: 王委员出差", "陈委员:王委员出差"),
        (.closed, "resolved: 已修好", "已办结:已修好"),
        (.reminded, "reply due 11月22日 10:00", "答复期限 11月22日 10:00"),
        (.overdue, "accept due 11月22日 10:00 missed; extended to 11月23日 10:00", "受理期限 11月22日 10:00 已过,延至 11月23日 10:00"),
        (.held, "hold-flood", "短时间内短信过多,暂停回复"),
        (.surveyed, "satisfied", "满意"),
        (.note, "已电话联系 resident", "已电话联系 resident"),
        (.opened, "something else", "something else"),
    ])
    func detailsInChinese(kind: CaseEventKind, detail: String, shown: String) {
        #expect(AuditTrailText.detail(kind, detail, studio: Self.studio, topics: .standard) == shown)
    }
}
