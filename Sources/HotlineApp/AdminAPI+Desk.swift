import Crypto
import Foundation
import HotlineCore
import HotlineStorage
import Hummingbird

/// The rest of `/api/v1`: members, residents, notices, outbox, rules, reports.
extension AdminAPI {
    /// `GET /api/v1/residents/{studio}/{phone}`: by the whole number for the roles that see
    /// numbers whole; by the masked number as shown (`+86137****6390`) for every role. A role that
    /// sees numbers masked cannot ask by the whole number — trying the 10,000 middles would
    /// unmask anyone — and an account's look-ups that find no one are limited (``lookupMisses``).
    func resident(_ user: StaffUser, studio id: String, phone rawPhone: String) async throws -> Response {
        try access.notMember(user, "residents")
        let studio = try access.studio(user, id)
        let now = clock.now()
        if let wait = lookupMisses.blocked(user.login, now: now) {
            throw APIError(.tooManyRequests, "too many look-ups that found no one; try again in \(Int(wait.rounded(.up))) seconds")
        }
        // `+` arrives percent-encoded (%2B) from most clients.
        let raw = rawPhone.removingPercentEncoding ?? ""
        let shows = access.showsPhones(user)
        let phone: String
        if raw.contains("*") {
            guard raw.wholeMatch(of: /\+?[0-9]{0,11}\*{2,}[0-9]{0,4}/) != nil else {
                throw APIError(.badRequest, "'\(raw.prefix(32))' is not a masked number as the API shows them (e.g. +86137****6390)")
            }
            let found = try await database.residentPhones(studio: studio.id, masked: raw)
                + studio.residents.map(\.phone).filter { PhoneNumber.mask($0) == raw }
            let distinct = Array(Set(found))
            guard distinct.count <= 1 else {
                throw APIError(.conflict, "\(distinct.count) residents of '\(studio.id)' have the masked number \(raw): look the one you mean up by a case")
            }
            guard let only = distinct.first else {
                lookupMisses.failed(user.login, now: now)
                throw APIError(.notFound, "studio '\(studio.id)' has no resident \(raw)")
            }
            phone = only
        } else {
            let digits = raw.hasPrefix("+") ? raw.dropFirst() : Substring(raw)
            guard (5...15).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw APIError(.badRequest, "'\(raw.prefix(32))' is not a phone number (5 to 15 digits, + first if international)")
            }
            guard shows else {
                throw APIError(.forbidden, "your role sees numbers masked: look a resident up by the masked number (e.g. \(PhoneNumber.mask(raw))) or by a case")
            }
            phone = PhoneNumber.normalize(raw, defaultCountryCode: deployment.defaultCountryCode)
        }
        let (resident, cases) = try await database.resident(studio: studio.id, phone: phone)
        guard resident != nil || !cases.isEmpty || studio.knownArea(of: phone) != nil else {
            lookupMisses.failed(user.login, now: now)
            throw APIError(.notFound, "studio '\(studio.id)' has no resident \(shows ? phone : PhoneNumber.mask(phone))")
        }
        return try Self.json(ResidentView(
            studio: studio.id, phone: shows ? phone : PhoneNumber.mask(phone), area: resident?.area ?? studio.knownArea(of: phone),
            firstSeenAt: resident?.firstSeenAt, lastSeenAt: resident?.lastSeenAt, optedOut: resident?.optedOutAt != nil,
            optedOutAt: resident?.optedOutAt, cases: cases.map { CaseView($0, deployment: deployment, now: clock.now(), showPhone: shows) }))
    }

    func registerDesk(on api: RouterGroup<HotlineRequestContext>) {
        api.get("members") { request, _ in await authed(request) { user in try await members(request, user) } }
        api.get("residents/:studio/:phone") { request, context in
            await authed(request) { user in try await resident(user, studio: context.parameters.get("studio") ?? "",
                                                                 phone: context.parameters.get("phone") ?? "") }
        }
        registerNotices(on: api)
        api.get("outbox") { request, _ in
            await authed(request) { user in
                try access.notMember(user, "the outbox")
                let status = try Self.query(request, "status", OutboxRecord.Status.init(rawValue:), "pending, sending, sent, failed or cancelled") ?? .failed
                let limit = try Self.query(request, "limit", { Int($0).flatMap { (1...500).contains($0) ? $0 : nil } }, "a number from 1 to 500") ?? 100
                let entries = try await database.outbox(status: status, studios: try access.studios(user, asked: try Self.query(request, "studio", { $0 }, "a studio")),
                                                                 limit: limit)
                return try Self.json(["messages": entries.map { OutboxView($0, showPhone: access.showsPhones(user)) }])
            }
        }
        api.post("outbox/retry") { request, _ in
            await authed(request) { user in
                try access.mayWrite(user)
                try access.notMember(user, "the outbox")
                let body = try await Self.decode(RetryBody.self, from: request)
                guard body.ids.count <= 1000 else { throw APIError(.badRequest, "at most 1000 ids at a time") }
                guard body.ids.allSatisfy({ $0 > 0 }) else { throw APIError(.badRequest, "ids are positive outbox ids") }
                let count = try await database.retryFailed(ids: body.ids, studios: try access.studios(user, asked: nil), now: clock.now())
                logger.info("outbox retried by staff", metadata: ["by": "\(user.login)", "retried": "\(count)"])
                return try Self.json(["retried": count])
            }
        }
        api.get("rules") { request, _ in await authed(request) { _ in try Self.json(rulesView()) } }
        api.post("rules/classify") { request, _ in
            await authed(request) { user in
                let body = try await Self.decode(ClassifyBody.self, from: request)
                guard body.text.count <= maxInboundLength else {
                    throw APIError(.badRequest, "text is longer than \(maxInboundLength) characters")
                }
                let studio = try access.studio(user, body.studio ?? access.studios(user, asked: nil).first ?? "")
                guard let classifier = rules.classifier(studio: studio.id) else { throw APIError(.notFound, "no rule table for '\(studio.id)'") }
                return try Self.json(ClassifyResult(studio: studio.id, classification: classifier.classify(body.text)))
            }
        }
        api.get("reports/month") { request, _ in
            await authed(request) { user in
                try access.notMember(user, "reports")
                let (month, studios) = try reportScope(request, user)
                let report = try await MonthReport.make(month: month, studios: studios, from: reports)
                let format = try Self.query(request, "format", { ["json", "csv"].contains($0) ? $0 : nil }, "json or csv") ?? "json"
                if format == "csv" {
                    var headers = HTTPFields()
                    headers[.contentType] = "text/csv; charset=utf-8"
                    headers[.contentDisposition] = "attachment; filename=\"hotline-\(month).csv\""
                    return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: report.csv())))
                }
                return Self.rawJSON(report.json())
            }
        }
        api.get("reports/digest") { request, _ in
            await authed(request) { user in
                try access.notMember(user, "reports")
                let (month, studios) = try reportScope(request, user)
                // The digest reads per studio or for the whole deployment; an account in some studios gets one of its own.
                guard studios == nil || studios?.count == 1 else {
                    throw APIError(.badRequest, "give studio: your account works in \(studios!.joined(separator: ", "))")
                }
                return Self.rawJSON(try await MonthDigest.make(month: month, studio: studios?.first, from: reports).json())
            }
        }
        api.get("reports/overdue") { request, _ in
            await authed(request) { user in
                let studios = try access.studios(user, asked: try Self.query(request, "studio", { $0 }, "a studio"))
                var overdue = try await database.overdueCases(now: clock.now(), studios: studios)
                if user.role == .member { overdue = overdue.filter { $0.assigneeId == user.rosterId } }
                return try Self.json(CaseList(cases: overdue.map { CaseView($0, deployment: deployment, now: clock.now(), showPhone: access.showsPhones(user)) }, nextCursor: nil))
            }
        }
    }

    /// `month` (required unless there is a default) and the studios the account may report on (nil: every studio, for an auditor asking for all).
    func reportScope(_ request: Request, _ user: StaffUser, defaultMonth: String? = nil) throws -> (String, [String]?) {
        guard let month = try Self.query(request, "month", { MonthReport.parse($0) != nil ? $0 : nil }, "a month like 2026-11") ?? defaultMonth else {
            throw APIError(.badRequest, "month is required, e.g. month=2026-11")
        }
        let asked = try Self.query(request, "studio", { $0 }, "a studio")
        if asked == nil, user.studios == "*" { return (month, nil) }
        return (month, try access.studios(user, asked: asked))
    }

    static func rawJSON(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    struct RetryBody: Decodable { var ids: [Int64] }
    struct ClassifyResult: Encodable {
        var studio: String
        var classification: Classification
    }
    struct ClassifyBody: Decodable {
        var text: String
        var studio: String?
    }

    func members(_ request: Request, _ user: StaffUser) async throws -> Response {
        let studios = try access.studios(user, asked: try Self.query(request, "studio", { $0 }, "a studio"))
        return try Self.json(["members": try await memberViews(user, studios: studios)])
    }

    /// The roster of `studios` as the account may see it: duty days, leave, open and overdue cases,
    /// whether routing would give them a case now (the API's members and the dashboard's page).
    func memberViews(_ user: StaffUser, studios: [String]) async throws -> [MemberView] {
        let now = clock.now()
        let leave = try await database.leave(now: now)
        let load = try await database.openCaseCounts()
        var overdue: [String: Int] = [:]
        for c in try await database.overdueList(now: now, studios: studios, limit: 1_000_000) {
            if let a = c.assigneeId { overdue["\(c.studioId)/\(a)", default: 0] += 1 }
        }
        let shows = access.showsPhones(user)
        var out: [MemberView] = []
        for id in studios {
            guard let studio = deployment.studio(id: id) else { continue }
            let atCapacity = Routing.atCapacity(studio: studio, openCases: load[id] ?? [:])
            for p in studio.roster {
                let away = leave[id]?[p.id]
                let duty = Weekday.allCases.filter { studio.duty[$0]?.contains(p.id) == true }.map { "\($0)" }
                out.append(MemberView(
                    studio: id, id: p.id, name: p.name, role: p.role.rawValue, sector: p.sector, areas: p.areas, dutyDays: duty,
                    phone: shows || p.id == user.rosterId ? p.phone : PhoneNumber.mask(p.phone), onLeave: away != nil, leaveUntil: away ?? nil,
                    openCases: load[id]?[p.id] ?? 0, overdueCases: overdue["\(id)/\(p.id)"] ?? 0,
                    available: away == nil && !atCapacity.contains(p.id)))
            }
        }
        return out
    }

    /// The rule table in force: a version (a digest of its rules, so two servers can be compared), its size and topics.
    func rulesView() -> RulesView {
        let table = rules.table
        let digest = SHA256.hash(data: Data(String(reflecting: table.rules).utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        return RulesView(version: digest, rules: table.rules.count, topics: table.topics.topics.map(TopicView.init),
                         intents: Intent.allCases.map(\.rawValue))
    }
}

struct ResidentView: Encodable {
    var studio: String
    var phone: String
    var area: String?
    var firstSeenAt: Date?
    var lastSeenAt: Date?
    var optedOut: Bool
    var optedOutAt: Date?
    var cases: [CaseView]
}

struct MemberView: Encodable {
    var studio: String
    var id: String
    var name: String
    var role: String
    var sector: String?
    var areas: [String]
    var dutyDays: [String]
    var phone: String
    var onLeave: Bool
    var leaveUntil: Date?
    var openCases: Int
    var overdueCases: Int
    /// Routing would give them a case now (not on leave, not at the studio's max_open_cases).
    var available: Bool
}

struct OutboxView: Encodable {
    var id: Int64
    var messageId: Int64
    var studio: String
    var channel: String
    var to: String
    var text: String
    var kind: String?
    var status: String
    var attempts: Int
    var lastError: String?
    var nextAttemptAt: Date
    var updatedAt: Date

    init(_ e: OutboxEntry, showPhone: Bool) {
        id = e.outbox.id ?? 0
        messageId = e.outbox.messageId
        studio = e.message.studioId
        channel = e.outbox.channel
        to = showPhone ? e.message.toNumber : PhoneNumber.mask(e.message.toNumber)
        text = e.message.text
        kind = e.message.kind
        status = e.outbox.status.rawValue
        attempts = e.outbox.attempts
        lastError = e.outbox.lastError
        nextAttemptAt = e.outbox.nextAttemptAt
        updatedAt = e.outbox.updatedAt
    }
}

struct TopicView: Encodable {
    var id: String
    var name: String
    var nameEn: String
    /// Deadlines of an urgent topic (the configuration's `sla.topics` may differ per studio).
    var deadlines: DeadlinesView?

    init(_ t: TopicInfo) {
        id = t.id.rawValue
        name = t.name
        nameEn = t.englishName
        deadlines = t.deadlines.map { DeadlinesView(acceptHours: $0.acceptHours, replyDays: $0.replyDays, closeDays: $0.closeDays) }
    }
}

struct DeadlinesView: Encodable {
    var acceptHours: Double
    var replyDays: Double
    var closeDays: Double
}

struct RulesView: Encodable {
    var version: String
    var rules: Int
    var topics: [TopicView]
    var intents: [String]
}
