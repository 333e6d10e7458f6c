import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The coordinators' API: JSON under `/api/v1`, a bearer token on every request (from
/// `hotline users token`, or `POST /api/v1/login`). The contract is `openapi.yaml` (served at
/// `/api/openapi.yaml`); a test holds the router's routes and the document's paths equal, and
/// `./test` has schemathesis check every operation's answers against it.
///
/// Who may do what is ``Access``'s to say.
struct AdminAPI: Sendable {
    let access: Access, casebook: Casebook, staff: StaffAccounts, casework: Casework, notices: NoticeService
    let reports: Reports
    /// The rule table in force, for `/api/v1/rules`, classification checks and the OpenAPI topics.
    let rules: RuleBook
    /// The storage door's reads (lists, details, counts); changes go through the services.
    let database: AppDatabase, deployment: Deployment, maxInboundLength: Int, clock: WallClock, logger: Logger
    let throttle: LoginThrottle
    /// Resident look-ups that found no one, per account: 20 in 15 minutes, then 429 for the rest
    /// of the window — a number's middle cannot be found by trying them all.
    let lookupMisses = LoginThrottle(limit: 20, window: 15 * 60)

    init(_ parts: HotlineParts, services: HotlineServices) {
        (access, casebook, staff, casework) = (services.access, services.casebook, services.staff, services.casework)
        (notices, reports, rules, database) = (services.notices, services.reports, parts.rules, parts.database)
        (deployment, maxInboundLength, clock, logger) = (parts.settings.deployment, parts.settings.maxInboundLength, parts.clock, parts.logger)
        throttle = services.loginThrottle
    }

    func addRoutes(to router: Router<HotlineRequestContext>) {
        router.get("/api/openapi.yaml") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml(topics: rules.topics))))
        }
        router.post("/api/v1/login") { request, context in await answer(request) { try await login(request, context) } }
        let api = router.group("/api/v1")
        api.get("me") { request, _ in await authed(request) { user in try Self.json(Me(user)) } }
        registerCases(on: api)
        registerPeople(on: api)
        registerPrivacy(on: api)
        registerNotices(on: api)
        registerOperations(on: api)
        registerReports(on: api)
    }

    // MARK: authentication

    /// Runs `body` for the account the request's bearer token proves; 401 without one.
    func authed(_ request: Request, _ body: (StaffUser) async throws -> Response) async -> Response {
        await answer(request) {
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
                throw APIError(.unauthorized, "an Authorization: Bearer token is required (hotline users token LOGIN, or POST /api/v1/login)")
            }
            guard let user = try await staff.authenticate(token: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)) else {
                throw APIError(.unauthorized, "the token is not valid: unknown, expired, revoked, or its account is disabled")
            }
            return try await body(user)
        }
    }

    /// Turns what a handler throws into a JSON error answer; anything unforeseen is logged and answered 500.
    func answer(_ request: Request, _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch {
            if let refusal = APIError(refusing: error) { return refusal.response }
            logger.error("admin API request failed", metadata: ["path": "\(request.uri.path)", "error": "\(LogText.clean(String(describing: error)))"])
            return APIError(.internalServerError, "the request could not be carried out; the server log says why").response
        }
    }

    struct Login: Decodable {
        var login: String
        var password: String
        /// Days the token lasts (1 by default, at most 30).
        var days: Int?
    }

    struct Issued: Encodable {
        var token: String, expiresAt: Date, user: Me
    }

    /// `POST /api/v1/login`: a password for a token. Failures are limited per account (the lock) and
    /// per address (``LoginThrottle``).
    func login(_ request: Request, _ context: HotlineRequestContext) async throws -> Response {
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        let now = clock.now()
        if let wait = throttle.blocked(address, now: now) {
            throw APIError(.tooManyRequests, "too many failed logins from this address; try again in \(Int(wait.rounded(.up))) seconds")
        }
        let body = try await Self.decode(Login.self, from: request)
        let days = body.days ?? 1
        guard (1...30).contains(days) else { throw APIError(.badRequest, "days must be between 1 and 30") }
        switch try await staff.login(body.login, password: body.password) {
        case let .ok(user):
            let (token, record) = try await staff.issueToken(login: user.login, days: days, label: "login from \(address)")
            logger.info("staff login", metadata: ["login": "\(user.login)", "address": "\(address)"])
            return try Self.json(Issued(token: token, expiresAt: record.expiresAt, user: Me(user)), status: .created)
        case .refused, .locked:
            // A locked account is answered as an unknown one, after the same work: the answer tells
            // no one which logins exist.
            throttle.failed(address, now: now)
            throw APIError(.unauthorized, StaffAccounts.refusal)
        }
    }

    // MARK: JSON

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// Largest JSON body read.
    static let maxBody = 64 * 1024

    /// Decodes a JSON body, answering 400 with what is wrong (the field and the problem) when it cannot.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maxBody) } catch {
            throw APIError(.contentTooLarge, "the body is larger than \(maxBody / 1024) KiB")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError(.badRequest, "the body lacks '\(snake(key.stringValue))'")
        } catch let DecodingError.typeMismatch(_, c), let DecodingError.valueNotFound(_, c) {
            throw APIError(.badRequest, "'\(c.codingPath.map { snake($0.stringValue) }.joined(separator: "."))' has the wrong type")
        } catch let DecodingError.dataCorrupted(c) {
            let at = c.codingPath.map { snake($0.stringValue) }.joined(separator: ".")
            throw APIError(.badRequest, at.isEmpty ? "the body is not JSON" : "'\(at)': \(c.debugDescription)")
        } catch {
            throw APIError(.badRequest, "the body is not JSON")
        }
    }

    static func snake(_ key: String) -> String {
        key.reduce(into: "") { out, ch in
            if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
        }
    }

}

/// The account a token belongs to.
struct Me: Encodable {
    var login: String, name: String, role: String, studios: [String], member: String?

    init(_ u: StaffUser) {
        (login, name, role) = (u.login, u.name, u.role.rawValue)
        studios = u.studios.stored.split(separator: ",").map(String.init)
        member = u.rosterId
    }
}
