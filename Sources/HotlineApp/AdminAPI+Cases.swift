import Foundation
import HotlineCore
import HotlineStorage
import Hummingbird

/// `/api/v1/cases`: the list with filters and cursor pages, one case with its conversation and
/// audit trail, and reassign / note / close through ``CaseDesk`` (the SMS commands' rules).
extension AdminAPI {
    func registerCases(on api: RouterGroup<HotlineRequestContext>) {
        api.get("cases") { request, _ in await authed(request) { user in try await listCases(request, user) } }
        api.get("cases/:studio/:number") { request, context in
            await authed(request) { user in
                let (record, messages, events) = try await readCase(user, context)
                let shows = access.showsPhones(user)
                return try Self.json(CaseDetail(case: CaseView(record, deployment: deployment, now: clock.now(), showPhone: shows),
                                                classification: try Self.classification(record),
                                                messages: messages.map { MessageView($0, showPhone: shows) }, events: events.map(EventView.init)))
            }
        }
        api.post("cases/:studio/:number/reassign") { request, context in
            await authed(request) { user in
                let body = try await Self.decode(ReassignBody.self, from: request)
                return try await act(user, context, version: body.version, .reassign(to: body.to, reason: body.reason ?? ""))
            }
        }
        api.post("cases/:studio/:number/notes") { request, context in
            await authed(request) { user in
                let body = try await Self.decode(NoteBody.self, from: request)
                guard body.text.unicodeScalars.count <= 2000 else { throw APIError(.badRequest, "text is longer than 2000 characters") }
                return try await act(user, context, version: nil, .note(body.text))
            }
        }
        api.post("cases/:studio/:number/close") { request, context in
            await authed(request) { user in
                let body = try await Self.decode(CloseBody.self, from: request)
                guard let outcome = CaseOutcome(rawValue: body.outcome) else {
                    throw APIError(.badRequest, "outcome '\(body.outcome.prefix(40))' is not one of \(CaseOutcome.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                guard body.note.unicodeScalars.count <= 2000 else { throw APIError(.badRequest, "note is longer than 2000 characters") }
                return try await act(user, context, version: body.version, .close(outcome, note: body.note))
            }
        }
    }

    struct ReassignBody: Decodable {
        /// A roster id (`M3`), a member's name, or a department.
        var to: String
        var reason: String?
        var version: Int
    }

    struct NoteBody: Decodable { var text: String }

    struct CloseBody: Decodable {
        var outcome: String
        var note: String
        var version: Int
    }

    /// Page size when none is asked for, and the most a page holds.
    static let defaultLimit = 50
    static let maxLimit = 200

    func listCases(_ request: Request, _ user: StaffUser) async throws -> Response {
        let (filter, cursor, limit) = try caseQuery(request, user)
        let page = try await database.cases(filter, now: clock.now(), cursor: cursor, limit: limit)
        let shows = access.showsPhones(user)
        return try Self.json(CaseList(cases: page.cases.map { CaseView($0, deployment: deployment, now: clock.now(), showPhone: shows) },
                                      nextCursor: page.nextCursor.map(Self.writeCursor)))
    }

    /// A case list's filter, cursor and page size from the query (the API's and the dashboard's
    /// board), checked against the account: 400 naming a parameter that cannot be read.
    func caseQuery(_ request: Request, _ user: StaffUser) throws -> (CaseFilter, CaseCursor?, Int) {
        var filter = CaseFilter(studios: try access.studios(user, asked: try Self.query(request, "studio", { $0 }, "a studio")))
        if let states = try Self.query(request, "state", { raw in
            let parts = raw.split(separator: ",", omittingEmptySubsequences: false).map { CaseState(rawValue: String($0)) }
            return parts.contains(nil) ? nil : parts.compactMap { $0 }
        }, "a state or states (\(CaseState.allCases.map(\.rawValue).joined(separator: ", ")))") { filter.states = states }
        filter.member = try Self.query(request, "member", { $0.unicodeScalars.count <= 40 ? $0 : nil }, "a roster id")
        // A member's account lists their own cases, whatever it asks for.
        if user.role == .member {
            if let asked = filter.member, asked != user.rosterId { throw APIError(.forbidden, "a member's account lists only its own cases") }
            filter.member = user.rosterId ?? "-"
        }
        filter.area = try Self.query(request, "area", { $0.unicodeScalars.count <= 60 ? $0 : nil }, "an area")
        let topics = rules.topics
        filter.topic = try Self.query(request, "topic", { topics.contains(Topic($0)) ? Topic($0) : nil }, "a topic (\(topics.idList))")
        filter.intent = try Self.query(request, "intent", Intent.init(rawValue:), "an intent (\(Intent.allCases.map(\.rawValue).joined(separator: ", ")))")
        filter.overdue = try Self.query(request, "overdue", { ["true": true, "false": false][$0] }, "true or false")
        filter.receivedFrom = try Self.query(request, "from", Self.day, "a date like 2026-11-01 or an ISO 8601 time")
        filter.receivedBefore = try Self.query(request, "to", Self.day, "a date like 2026-11-30 or an ISO 8601 time")
        filter.text = try Self.query(request, "q", { $0.unicodeScalars.count <= 100 ? $0 : nil }, "at most 100 characters")
        // Texts may carry residents' numbers: a role that sees them masked cannot test a guess at one.
        if let q = filter.text, !access.showsPhones(user), PhoneNumber.digitCount(in: q) >= 7 {
            throw APIError(.forbidden, "your role sees numbers masked: search by words, not by a number")
        }
        filter.sort = try Self.query(request, "sort", CaseSort.init(rawValue:), "received or deadline") ?? .received
        let limit = try Self.query(request, "limit", { Int($0).flatMap { (1...Self.maxLimit).contains($0) ? $0 : nil } }, "a number from 1 to \(Self.maxLimit)")
            ?? Self.defaultLimit
        let cursor = try Self.query(request, "cursor", Self.readCursor, "a cursor from an earlier page")
        return (filter, cursor, limit)
    }

    /// `2026-11-01` (the start of that day, UTC) or ISO 8601 with a zone.
    static func day(_ text: String) -> Date? {
        if let d = ISO8601DateFormatter().date(from: text) { return d }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return text.count == 10 ? f.date(from: text) : nil
    }

    /// Cursors are opaque to clients: `c` and the id below which the next page starts (newest
    /// first), or `d`, the deadline in milliseconds and the id after which it starts (soonest deadline first).
    static func writeCursor(_ cursor: CaseCursor) -> String {
        switch cursor {
        case let .below(id): "c\(id)"
        case let .after(due, id): "d\(Int64((due.timeIntervalSince1970 * 1000).rounded()))_\(id)"
        }
    }

    static func readCursor(_ text: String) -> CaseCursor? {
        // Exactly the document's patterns: digits only; ids without a leading zero.
        func number(_ s: Substring, max digits: Int, id: Bool = true) -> Int64? {
            guard (1...digits).contains(s.count), s.allSatisfy({ $0.isASCII && $0.isNumber }), !(id && s.first == "0") else { return nil }
            return Int64(s)
        }
        if text.hasPrefix("c"), let id = number(text.dropFirst(), max: 18) { return .below(id: id) }
        let parts = text.dropFirst().split(separator: "_", omittingEmptySubsequences: false)
        guard text.hasPrefix("d"), parts.count == 2, let ms = number(parts[0], max: 14, id: false), let id = number(parts[1], max: 18) else { return nil }
        return .after(due: Date(timeIntervalSince1970: Double(ms) / 1000), id: id)
    }

    /// The case of the path with its conversation and audit trail, if the account may see it.
    func readCase(_ user: StaffUser, _ context: HotlineRequestContext) async throws -> (CaseRecord, [MessageRecord], [CaseEventRecord]) {
        let studio = try access.studio(user, context.parameters.get("studio") ?? "")
        let number = try Self.number(context)
        guard let found = try await database.caseDetail(studio: studio.id, number: number) else {
            throw APIError(.notFound, "no case \(number) in studio '\(studio.id)'")
        }
        try mayRead(user, found.0)
        return found
    }

    /// A member's account sees its own cases only.
    func mayRead(_ user: StaffUser, _ record: CaseRecord) throws {
        if user.role == .member, record.assigneeId != user.rosterId {
            throw APIError(.forbidden, "case \(record.studioId)-\(record.number) is not assigned to you")
        }
    }

    /// Carries out a staff action on the path's case in one transaction, refusing a stale `version`.
    func act(_ user: StaffUser, _ context: HotlineRequestContext, version: Int?, _ action: StaffCaseAction) async throws -> Response {
        let studio = try access.studio(user, context.parameters.get("studio") ?? "")
        let record = try await casework.change(user, studio: studio, number: try Self.number(context), version: version, action)
        return try Self.json(CaseView(record, deployment: deployment, now: clock.now(), showPhone: access.showsPhones(user)))
    }

    /// The classification stored with a case, with its explanation.
    static func classification(_ record: CaseRecord) throws -> Classification {
        try JSONDecoder().decode(Classification.self, from: Data(record.classification.utf8))
    }
}

/// A page of cases.
struct CaseList: Encodable {
    var cases: [CaseView]
    /// Pass as `cursor` for the next page; absent on the last page.
    var nextCursor: String?
}

/// A case as the API shows it.
struct CaseView: Encodable {
    struct Deadline: Encodable {
        var step: String
        var due: Date
    }
    var ref: String
    var studio: String
    var number: Int
    var version: Int
    var state: String
    var intent: String
    var topic: String
    var area: String?
    var member: String?
    var memberName: String?
    var resident: String
    var text: String
    var receivedAt: Date
    var updatedAt: Date
    var nextDeadline: Deadline?
    var overdue: Bool
    var routing: String?
    var routingExplanation: String?
    var outcome: String?
    var outcomeNote: String?
    var department: String?
    var acceptedAt: Date?
    var firstReplyAt: Date?
    var closedAt: Date?
    var satisfaction: String?

    init(_ c: CaseRecord, deployment: Deployment, now: Date, showPhone: Bool) {
        ref = "\(c.studioId)-\(c.number)"
        studio = c.studioId
        number = c.number
        version = c.version
        state = c.state.rawValue
        intent = c.intent.rawValue
        topic = c.topic.rawValue
        area = c.area
        member = c.assigneeId
        memberName = c.assigneeId.flatMap { deployment.studio(id: c.studioId)?.person($0)?.name }
        resident = showPhone ? c.residentPhone : PhoneNumber.mask(c.residentPhone)
        text = c.text
        receivedAt = c.createdAt
        updatedAt = c.updatedAt
        nextDeadline = c.progress.currentDeadline.map { Deadline(step: $0.kind.rawValue, due: $0.due) }
        overdue = (c.progress.currentDeadline?.due).map { $0 < now } ?? false
        routing = c.routingReason?.rawValue
        routingExplanation = c.routingExplanation
        outcome = c.outcome?.rawValue
        outcomeNote = c.outcomeNote
        department = c.department
        acceptedAt = c.acceptedAt
        firstReplyAt = c.firstReplyAt
        closedAt = c.closedAt
        satisfaction = c.satisfaction?.rawValue
    }
}

struct CaseDetail: Encodable {
    var `case`: CaseView
    var classification: Classification
    var messages: [MessageView]
    var events: [EventView]
}

struct MessageView: Encodable {
    var id: Int64
    var direction: String
    var channel: String
    var from: String
    var to: String
    var text: String
    var status: String
    var kind: String?
    var at: Date
    var error: String?

    init(_ m: MessageRecord, showPhone: Bool) {
        id = m.id ?? 0
        direction = m.direction.rawValue
        channel = m.channel
        from = showPhone ? m.fromNumber : PhoneNumber.mask(m.fromNumber)
        to = showPhone ? m.toNumber : PhoneNumber.mask(m.toNumber)
        text = m.text
        status = m.status
        kind = m.kind
        at = m.createdAt
        error = m.error
    }
}

struct EventView: Encodable {
    var at: Date
    var actor: String
    var kind: String
    var detail: String?

    init(_ e: CaseEventRecord) {
        at = e.at
        actor = e.actor
        kind = e.kind
        detail = e.detail
    }
}
