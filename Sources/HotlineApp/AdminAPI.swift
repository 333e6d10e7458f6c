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
    let access: Access
    let staff: StaffAccounts
    let casework: Casework
    let notices: NoticeService
    let reports: Reports
    /// The rule table in force, for `/api/v1/rules`, classification checks and the OpenAPI topics.
    let rules: RuleBook
    /// The storage door's reads (lists, details, counts); changes go through the services.
    let database: AppDatabase
    let deployment: Deployment
    let maxInboundLength: Int
    let clock: WallClock
    let logger: Logger
    let throttle: LoginThrottle
    /// Resident look-ups that found no one, per account: 20 in 15 minutes, then 429 for the rest
    /// of the window — a number's middle cannot be found by trying them all.
    let lookupMisses = LoginThrottle(limit: 20, window: 15 * 60)

    init(_ parts: HotlineParts, services: HotlineServices) {
        access = services.access
        staff = services.staff
        casework = services.casework
        notices = services.notices
        reports = services.reports
        rules = parts.rules
        database = parts.database
        deployment = parts.settings.deployment
        maxInboundLength = parts.settings.maxInboundLength
        clock = parts.clock
        logger = parts.logger
        throttle = LoginThrottle()
    }

    public func register(on router: Router<HotlineRequestContext>) {
        router.get("/api/openapi.yaml") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml(topics: rules.topics))))
        }
        router.post("/api/v1/login") { request, context in await answer(request) { try await login(request, context) } }
        let api = router.group("/api/v1")
        api.get("me") { request, _ in await authed(request) { user in try Self.json(Me(user)) } }
        registerCases(on: api)
        registerDesk(on: api)
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
        var token: String
        var expiresAt: Date
        var user: Me
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

    /// A query parameter, 400 when present and unreadable. (Lengths are checked in Unicode scalars
    /// throughout, as JSON Schema's maxLength counts them: combining marks make Characters fewer.)
    static func query<T>(_ request: Request, _ name: String, _ read: (String) -> T?, _ expected: String) throws -> T? {
        // Absent is nil; given but empty is read like any other value (an empty date is refused).
        guard let raw = request.uri.queryParameters[Substring(name)].map(String.init) else { return nil }
        guard let value = read(raw) else { throw APIError(.badRequest, "\(name) '\(raw.prefix(40))' is not \(expected)") }
        return value
    }

    /// A path parameter that must be a positive number.
    static func number(_ context: HotlineRequestContext, _ name: String = "number") throws -> Int {
        guard let raw = context.parameters.get(name), let n = Int(raw), n > 0 else { throw APIError(.badRequest, "\(name) must be a positive whole number") }
        return n
    }
}

/// An error answer: the status and `{"error": "…"}` naming the problem.
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// The one table from the service's refusals to HTTP, for the API and the dashboard alike; nil
    /// for an error that is the server's own (answered 500, logged by the caller).
    init?(refusing error: any Error) {
        switch error {
        case let e as APIError: self = e
        case let e as StaffCaseRefusal:
            if case .stale = e { self.init(.conflict, e.description) } else { self.init(.unprocessableContent, e.description) }
        case let e as NoticeService.Problem: self.init(.unprocessableContent, e.description)
        case let e as ReportError: self.init(.badRequest, e.description)
        case let e as WebhookError: self.init(.badRequest, "\(e)")
        default: return nil
        }
    }

    var response: Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"hotline\"" }
        let data = (try? AdminAPI.encoder.encode(["error": message])) ?? Data("{\"error\":\"error\"}".utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Failures per key (an address's logins, an account's look-ups that miss): after `limit` within
/// `window`, that key waits out the window. A success in between clears nothing, so guesses cannot
/// be spread between one's own good logins. Kept in memory: a restart forgets, which is the
/// harmless direction. (The per-account lock is ``StaffAccounts``'s.)
final class LoginThrottle: Sendable {
    let limit: Int
    let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])

    init(limit: Int = 10, window: TimeInterval = 15 * 60) {
        self.limit = limit
        self.window = window
    }

    /// Seconds the address must wait, or nil.
    func blocked(_ address: String, now: Date) -> TimeInterval? {
        failures.withLock { all in
            let recent = (all[address] ?? []).filter { now.timeIntervalSince($0) < window }
            all[address] = recent.isEmpty ? nil : recent
            guard recent.count >= limit, let first = recent.first else { return nil }
            return window - now.timeIntervalSince(first)
        }
    }

    func failed(_ address: String, now: Date) {
        failures.withLock { all in
            // Bounded: a flood from many addresses cannot grow this without end.
            if all.count > 10_000 { all.removeAll() }
            all[address, default: []].append(now)
        }
    }

}

/// The account a token belongs to.
struct Me: Encodable {
    var login: String
    var name: String
    var role: String
    var studios: [String]
    var member: String?

    init(_ u: StaffUser) {
        login = u.login
        name = u.name
        role = u.role.rawValue
        studios = u.studios.split(separator: ",").map(String.init)
        member = u.rosterId
    }
}
