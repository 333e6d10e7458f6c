import Crypto
import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Hummingbird
import Logging
import Mustache
import NIOCore

/// The coordinators' dashboard: server-rendered pages (swift-mustache templates compiled into the
/// binary, every asset served by hotline itself), Chinese by default with an English switch,
/// readable without JavaScript. It calls the services the admin API calls: the same accounts,
/// roles and studio checks (``Access``), the same reads (``Casebook``) and changes (``Casework``).
///
/// Sessions: a login issues a token of the account (12 hours) kept in an `HttpOnly`,
/// `SameSite=Strict` cookie (`Secure` unless the page was asked for on a loopback address over
/// plain HTTP); logout revokes it. Every form carries a CSRF token derived from the session
/// (SHA-256 of a label and the session token, which a cross-site page cannot read).
struct Dashboard: Sendable {
    let access: Access, casebook: Casebook, throttle: LoginThrottle, staff: StaffAccounts, casework: Casework
    let notices: NoticeService, reports: Reports, rules: RuleBook
    /// The storage door's reads; changes go through the services.
    let database: AppDatabase, deployment: Deployment, clock: WallClock, logger: Logger, views: MustacheLibrary

    static let cookie = "hl_session"
    static let sessionSeconds: TimeInterval = 12 * 3600

    init(_ parts: HotlineParts, services: HotlineServices) throws {
        (access, casebook, throttle, staff) = (services.access, services.casebook, services.loginThrottle, services.staff)
        (casework, notices, reports, rules) = (services.casework, services.notices, services.reports, parts.rules)
        (database, deployment, clock, logger) = (parts.database, parts.settings.deployment, parts.clock, parts.logger)
        var library = MustacheLibrary()
        for template in PageTemplate.allCases { try library.register(String(decoding: template.source, as: UTF8.self), named: template.rawValue) }
        self.views = library
    }

    /// What every page knows about its request.
    struct Page {
        var user: StaffUser
        var lang: String
        var csrf: String
        var path: String
        var t: DashboardWords
    }

    func addRoutes(to router: Router<HotlineRequestContext>) {
        router.get("/assets/dashboard.css") { _, _ in Self.asset(PackageResources.dashboard_css, "text/css; charset=utf-8") }
        router.get("/assets/dashboard.js") { _, _ in Self.asset(PackageResources.dashboard_js, "text/javascript; charset=utf-8") }
        router.get("/assets/subscribe.js") { _, _ in Self.asset(PackageResources.subscribe_js, "text/javascript; charset=utf-8") }
        router.get("/login") { request, _ in loginPage(request, failed: false) }
        router.post("/login") { request, context in await login(request, context) }
        router.post("/logout") { request, _ in
            await form(request) { session, _ in
                try await staff.revoke(token: session.token)
                var headers = HTTPFields()
                headers[.location] = "/login"
                headers[.setCookie] = "\(Self.cookie)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
                return Response(status: .seeOther, headers: headers)
            }
        }
        registerPages(on: router)
        registerActions(on: router)
    }

    static func asset(_ bytes: [UInt8], _ type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "max-age=300"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    // MARK: sessions

    struct Session {
        var user: StaffUser
        var token: String
    }

    static func cookies(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { out[kv[0].trimmingCharacters(in: .whitespaces)] = kv[1].trimmingCharacters(in: .whitespaces) }
            }
        }
        return out
    }

    func session(_ request: Request) async throws -> Session? {
        guard let token = Self.cookies(request)[Self.cookie], let user = try await staff.authenticate(token: token) else { return nil }
        return Session(user: user, token: token)
    }

    static func csrf(_ token: String) -> String {
        SHA256.hash(data: Data("hotline-csrf|\(token)".utf8)).lowercaseHex
    }

    static func language(_ request: Request) -> String {
        if let asked = request.uri.queryParameters["lang"] { return asked == "en" ? "en" : "zh" }
        return cookies(request)["hl_lang"] == "en" ? "en" : "zh"
    }

    func loginPage(_ request: Request, failed: Bool, status: HTTPResponse.Status = .ok) -> Response {
        let lang = Self.language(request)
        let next = request.uri.queryParameters["next"].map(String.init) ?? "/dashboard"
        let t = DashboardWords.of(lang)
        return html(layout(body: draw(LoginModel(t: t, failed: failed, next: Self.safeNext(next))), title: t.login, lang: lang, page: nil), status: status)
    }

    /// Only the dashboard's own pages as where to go after logging in.
    static func safeNext(_ next: String) -> String {
        next.hasPrefix("/dashboard") && !next.contains("//") && !next.contains("\\") ? next : "/dashboard"
    }

    func login(_ request: Request, _ context: HotlineRequestContext) async -> Response {
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        let now = clock.now()
        guard let buffer = try? await request.body.collect(upTo: 16 * 1024), let fields = try? FormFields.parse(buffer.readableBytesView),
              let login = fields["login"], let password = fields["password"] else {
            return loginPage(request, failed: true, status: .badRequest)
        }
        if throttle.blocked(address, now: now) != nil { return loginPage(request, failed: true, status: .tooManyRequests) }
        do {
            guard case let .ok(user) = try await staff.login(login, password: password) else {
                throttle.failed(address, now: now)
                return loginPage(request, failed: true, status: .unauthorized)
            }
            let (token, _) = try await staff.issueToken(login: user.login, lifetime: Self.sessionSeconds, label: "dashboard session from \(address)")
            var headers = HTTPFields()
            headers[.location] = Self.safeNext(fields["next"] ?? "/dashboard")
            let secure = Self.isLoopbackHTTP(request, context) ? "" : "; Secure"
            headers[.setCookie] = "\(Self.cookie)=\(token); Path=/; Max-Age=\(Int(Self.sessionSeconds)); HttpOnly; SameSite=Strict\(secure)"
            logger.info("dashboard login", metadata: ["login": "\(user.login)", "address": "\(address)"])
            return Response(status: .seeOther, headers: headers)
        } catch {
            logger.error("dashboard login failed", metadata: ["error": "\(LogText.clean(String(describing: error)))"])
            return loginPage(request, failed: true, status: .internalServerError)
        }
    }

    /// Plain HTTP to a loopback address (a studio's own machine): a `Secure` cookie would not be sent back.
    static func isLoopbackHTTP(_ request: Request, _ context: HotlineRequestContext) -> Bool {
        if request.headers[.init("X-Forwarded-Proto")!] == "https" { return false }
        let ip = context.remoteAddress?.ipAddress ?? ""
        return ip == "127.0.0.1" || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }

    // MARK: pages and forms

    /// A page for a signed-in account; without a session, to the login page.
    func page(_ request: Request, _ body: (Page) async throws -> Response) async -> Response {
        do {
            guard let session = try await session(request) else {
                var headers = HTTPFields()
                headers[.location] = "/login?next=" + FormFields.encode(request.uri.path)
                return Response(status: .seeOther, headers: headers)
            }
            let lang = Self.language(request)
            var response = try await body(Page(user: session.user, lang: lang, csrf: Self.csrf(session.token), path: request.uri.path,
                                               t: DashboardWords.of(lang)))
            if request.uri.queryParameters["lang"] != nil { response.headers[.setCookie] = "hl_lang=\(lang); Path=/; Max-Age=31536000; SameSite=Strict" }
            return response
        } catch {
            return failure(error, request: request)
        }
    }

    /// A form post: the session and its CSRF token checked, the fields read; 403 without the token.
    func form(_ request: Request, _ body: (Session, [String: String]) async throws -> Response) async -> Response {
        do {
            guard let session = try await session(request) else { throw APIError(.unauthorized, "not logged in (or the session ended): log in again") }
            let buffer = try await request.body.collect(upTo: 64 * 1024)
            let fields = try FormFields.parse(buffer.readableBytesView)
            guard let given = fields["csrf"], Signature.constantTimeEqual(given, Self.csrf(session.token)) else {
                throw APIError(.forbidden, "the form's security token is missing or wrong: reload the page and try again")
            }
            return try await body(session, fields)
        } catch {
            return failure(error, request: request)
        }
    }

    /// An error as a page: the status and the problem in words.
    func failure(_ error: Error, request: Request) -> Response {
        let (status, message): (HTTPResponse.Status, String)
        if let refusal = APIError(refusing: error) {
            (status, message) = (refusal.status, refusal.message)
        } else {
            logger.error("dashboard request failed", metadata: ["path": "\(request.uri.path)", "error": "\(LogText.clean(String(describing: error)))"])
            (status, message) = (.internalServerError, "the request could not be carried out; the server log says why")
        }
        let lang = Self.language(request)
        let body = "<section class=\"error\"><h1>\(status.code)</h1><p class=\"problem\">\(SVGChart.escape(message))</p><p><a href=\"/dashboard\">\(DashboardWords.of(lang).today)</a></p></section>"
        return html(layout(body: body, title: "\(status.code)", lang: lang, page: nil), status: status)
    }

    /// The page inside the layout (navigation, language switch, logout).
    func layout(body: String, title: String, lang: String, page: Page?, active: PageTemplate? = nil) -> String {
        var model = LayoutModel(t: DashboardWords.of(lang), lang: lang == "en" ? "en" : "zh-CN", title: title, body: body,
                                otherLang: lang == "en" ? "zh" : "en", user: page.map { .init(name: $0.user.name) }, csrf: page?.csrf)
        switch active {
        case .today: model.active_today = true
        case .cases, .case: model.active_cases = true
        case .members: model.active_members = true
        case .notices, .notice: model.active_notices = true
        case .reports: model.active_reports = true
        case .layout, .login, .resident, nil: break
        }
        return draw(model)
    }

    /// A model through its template. Every template is registered at start-up (``PageTemplate``),
    /// and a test renders each one.
    func draw<Model: PageModel>(_ model: Model) -> String {
        views.render(MustacheTree.of(model), withTemplate: Model.template.rawValue) ?? ""
    }

    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        // Nothing from elsewhere: no CDN, no inline script, no framing.
        headers[.init("Content-Security-Policy")!] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        headers[.init("Referrer-Policy")!] = "same-origin"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A page's model drawn inside the layout, the navigation showing where it belongs.
    func render<Model: PageModel>(_ page: Page, _ model: Model, title: String) -> Response {
        html(layout(body: draw(model), title: title, lang: page.lang, page: page, active: Model.template))
    }

    static func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }
}
