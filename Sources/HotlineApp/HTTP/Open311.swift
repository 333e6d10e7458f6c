import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Hummingbird
import Logging

/// Open311 GeoReport v2, read only, for oversight tools: the topics as services, the cases as
/// service requests (no phone number anywhere: texts masked as in logs), JSON or XML as the
/// path's extension asks. Off unless `HOTLINE_OPEN311_TOKEN` is set; then every request carries
/// it as `api_key` (GeoReport's parameter) or a bearer token.
public enum Open311 {
    /// The environment variable holding the token.
    public static let tokenEnv = "HOTLINE_OPEN311_TOKEN"
    static let tokenSecret = "open311.token"

    /// nil when the request may proceed, else the answer refusing it. Wrong keys are limited per
    /// address like logins: after 10 in 15 minutes, 429 until the window has passed.
    static func refusal(_ request: Request, address: String, throttle: LoginThrottle, feed: Feed) -> Response? {
        guard let token = feed.token else { return failure(.notFound, "Open311 is off (set \(tokenEnv) to turn it on)") }
        let now = feed.clock.now()
        if let wait = throttle.blocked(address, now: now) {
            return failure(.tooManyRequests, "too many wrong api_keys from this address; try again in \(Int(wait.rounded(.up))) seconds")
        }
        let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        guard let given = request.uri.queryParameters["api_key"].map(String.init) ?? bearer else { return failure(.unauthorized, "api_key is missing") }
        if Signature.constantTimeEqual(given, token) { return nil }
        throttle.failed(address, now: now)
        return failure(.unauthorized, "api_key is wrong")
    }

    /// One field of a record, in the order GeoReport v2 lists them.
    typealias Record = [(String, String?)]

    /// One service per topic of the rule table's catalog.
    static func services(_ topics: TopicCatalog) -> [Record] {
        topics.topics.map { t in
            [("service_code", t.id.rawValue), ("service_name", t.name), ("description", "\(t.name)类诉求与咨询"), ("metadata", "false"),
             ("type", "realtime"), ("keywords", nil), ("group", nil)]
        }
    }

    /// A case as a service request. `agency_responsible` is the department it was transferred to,
    /// else the studio; `address` the area.
    static func request(_ c: CaseView, studio: Studio?, topics: TopicCatalog) -> Record {
        let open = c.isOpen
        var notes: String?
        if let outcome = c.outcome.flatMap(CaseOutcome.init(rawValue:)), !open { notes = LogText.clean(outcome.label + (c.outcomeNote.map { ":\($0)" } ?? "")) }
        else if c.state == CaseState.withDepartment.rawValue { notes = "已转交\(c.department ?? "")办理" }
        return [
            ("service_request_id", c.ref), ("status", open ? "open" : "closed"), ("status_notes", notes),
            ("service_name", topics.name(Topic(c.topic))), ("service_code", c.topic), ("description", LogText.clean(c.text)),
            ("agency_responsible", c.department ?? studio?.name ?? c.studio), ("service_notice", nil),
            ("requested_datetime", Listings.isoString(c.receivedAt)), ("updated_datetime", Listings.isoString(c.lastActivity)),
            ("expected_datetime", open ? c.nextDeadline.map { Listings.isoString($0.due) } : nil),
            ("address", c.area), ("address_id", nil), ("zipcode", nil), ("lat", nil), ("long", nil), ("media_url", nil),
        ]
    }

    static func json(_ records: [Record]) -> String {
        let objects = records.map { r in Dictionary(uniqueKeysWithValues: r.map { ($0.0, $0.1.map { $0 as Any } ?? NSNull()) }) }
        let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func xml(_ records: [Record], root: String, element: String) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<\(root)>"
        for r in records {
            out += "<\(element)>" + r.map { "<\($0.0)>\(XMLText.escape($0.1 ?? ""))</\($0.0)>" }.joined() + "</\(element)>"
        }
        return out + "</\(root)>\n"
    }

    /// Why a GeoReport request is refused (400 with the message).
    struct BadRequest: Error { var message: String }

    /// The `requests` filters: `service_request_id` (comma list), `service_code`, `status`,
    /// `start_date`/`end_date` (W3C datetimes; default the last 90 days), at most 1,000.
    static func requests(_ query: [String: String], feed: Feed) async throws -> [Record] {
        let parser = ISO8601DateFormatter()
        func date(_ key: String) throws -> Date? {
            guard let raw = query[key] else { return nil }
            guard let d = parser.date(from: raw) else { throw BadRequest(message: "\(key) '\(LogText.clean(String(raw.prefix(40))))' is not a W3C datetime like 2026-11-01T00:00:00Z") }
            return d
        }
        if let status = query["status"], !["open", "closed"].contains(status) { throw BadRequest(message: "status is open or closed") }
        let topics = feed.rules.topics
        if let code = query["service_code"], !topics.contains(Topic(code)) { throw BadRequest(message: "no service_code '\(LogText.clean(String(code.prefix(40))))'") }
        let now = feed.clock.now()
        let end = try date("end_date") ?? now.addingTimeInterval(1)
        let start = try date("start_date") ?? end.addingTimeInterval(-90 * 86_400)
        let deployment = feed.deployment
        var cases: [CaseRecord]
        if let ids = query["service_request_id"] {
            cases = []
            for id in ids.split(separator: ",").prefix(100) {
                let parts = id.split(separator: "-")
                guard parts.count == 2, let n = Int(parts[1]), let c = try await feed.database.case(studio: String(parts[0]), number: n) else { continue }
                cases.append(c)
            }
        } else {
            cases = try await feed.database.cases(receivedFrom: start, to: end)
            if let code = query["service_code"] { cases = cases.filter { $0.topic.rawValue == code } }
            if let status = query["status"] { cases = cases.filter { $0.state.isOpen == (status == "open") } }
            cases = Array(cases.suffix(1_000).reversed())
        }
        // Open311 shows no phone number: the view's numbers masked, and `resident` left out anyway.
        return cases.map { request(CaseView($0, deployment: deployment, now: now, showPhone: false), studio: deployment.studio(id: $0.studioId), topics: topics) }
    }

    static func respond(_ records: [Record], format: Substring, root: String, element: String) -> Response {
        let xml = format == "xml"
        var headers = HTTPFields()
        headers[.contentType] = xml ? "application/xml; charset=utf-8" : "application/json; charset=utf-8"
        let body = xml ? self.xml(records, root: root, element: element) : json(records)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// GeoReport's error form: `[{"code": …, "description": …}]`.
    static func failure(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: json([[("code", String(status.code)), ("description", message)]]))))
    }

    /// `requests.json` → ("requests", "json").
    static func split(_ name: Substring) -> (Substring, Substring)? {
        guard let dot = name.lastIndex(of: "."), ["json", "xml"].contains(name[name.index(after: dot)...]) else { return nil }
        return (name[..<dot], name[name.index(after: dot)...])
    }

    /// `/open311/v2/services.{json,xml}`, `/open311/v2/requests.{json,xml}`, `/open311/v2/requests/{id}.{json,xml}`.
    static func addRoutes(to router: Router<HotlineRequestContext>, feed: Feed) {
        let throttle = LoginThrottle()
        @Sendable func refusal(_ request: Request, _ context: HotlineRequestContext) -> Response? {
            Self.refusal(request, address: context.remoteAddress?.ipAddress ?? "unknown", throttle: throttle, feed: feed)
        }
        router.get("/open311/v2/:document") { request, context -> Response in
            if let refused = refusal(request, context) { return refused }
            guard let (name, format) = split(Substring(context.parameters.get("document") ?? "")) else {
                return failure(.notFound, "no such document (services.json, requests.json, .xml)")
            }
            switch name {
            case "services": return respond(services(feed.rules.topics), format: format, root: "services", element: "service")
            case "requests":
                var query: [String: String] = [:]
                for (k, v) in request.uri.queryParameters { query[String(k)] = String(v) }
                do { return respond(try await requests(query, feed: feed), format: format, root: "service_requests", element: "request") }
                catch let bad as BadRequest { return failure(.badRequest, bad.message) }
                catch {
                    feed.logger.error("open311: cannot read cases: \(error)")
                    return failure(.serviceUnavailable, "cases cannot be read now")
                }
            default: return failure(.notFound, "no such document (services.json, requests.json, .xml)")
            }
        }
        router.get("/open311/v2/requests/:document") { request, context -> Response in
            if let refused = refusal(request, context) { return refused }
            guard let (id, format) = split(Substring(context.parameters.get("document") ?? "")) else { return failure(.notFound, "no such request") }
            let records: [Record]
            do { records = try await requests(["service_request_id": String(id)], feed: feed) } catch {
                // A database that cannot be read is no "not found".
                feed.logger.error("open311: cannot read cases: \(error)")
                return failure(.serviceUnavailable, "cases cannot be read now")
            }
            guard !records.isEmpty else { return failure(.notFound, "no service request '\(LogText.clean(String(id.prefix(40))))'") }
            return respond(records, format: format, root: "service_requests", element: "request")
        }
    }
}

extension Open311 {
    /// What the Open311 endpoints read: cases through the storage door, topics from the rule book,
    /// the deployment's studios, and the token that turns them on.
    struct Feed: Sendable {
        let database: AppDatabase, deployment: Deployment, rules: RuleBook, clock: WallClock, logger: Logger
        /// nil: Open311 is off.
        let token: String?

        init(_ parts: HotlineParts) {
            database = parts.database
            deployment = parts.settings.deployment
            rules = parts.rules
            clock = parts.clock
            logger = parts.logger
            token = parts.secrets[Open311.tokenSecret]
        }
    }
}
