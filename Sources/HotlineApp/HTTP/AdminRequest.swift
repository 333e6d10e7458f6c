import Foundation
import HotlineCore
import HotlineStorage
import Hummingbird

/// What the admin API and the dashboard read from a request alike — query parameters, path
/// numbers, a case list's filter and cursor, a report's month and studios, a notice draft — each
/// checked, with a 400 (or 403, from ``Access``) naming what cannot be read.
enum AdminRequest {
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
    /// Page size when none is asked for, and the most a page holds.
    static let defaultLimit = 50
    static let maxLimit = 200

    /// A case list's filter, cursor and page size from the query (the API's and the dashboard's
    /// board), checked against the account: 400 naming a parameter that cannot be read.
    static func caseQuery(_ request: Request, _ user: StaffUser, access: Access, topics: TopicCatalog) throws -> (CaseFilter, CaseCursor?, Int) {
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

    /// Cursors are opaque to clients: `r`, the time of receipt in milliseconds and the id below
    /// which the next page starts (newest first), or `d`, the deadline in milliseconds and the id
    /// after which it starts (soonest deadline first).
    static func writeCursor(_ cursor: CaseCursor) -> String {
        func ms(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded()) }
        return switch cursor {
        case let .before(received, id): "r\(ms(received))_\(id)"
        case let .after(due, id): "d\(ms(due))_\(id)"
        }
    }

    static func readCursor(_ text: String) -> CaseCursor? {
        // Exactly the document's patterns: digits only; ids without a leading zero.
        func number(_ s: Substring, max digits: Int, id: Bool = true) -> Int64? {
            guard (1...digits).contains(s.count), s.allSatisfy({ $0.isASCII && $0.isNumber }), !(id && s.first == "0") else { return nil }
            return Int64(s)
        }
        let parts = text.dropFirst().split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, let ms = number(parts[0], max: 14, id: false), let id = number(parts[1], max: 18) else { return nil }
        let date = Date(timeIntervalSince1970: Double(ms) / 1000)
        switch text.first {
        case "r": return .before(received: date, id: id)
        case "d": return .after(due: date, id: id)
        default: return nil
        }
    }

    /// `month` (required unless there is a default) and the studios the account may report on (nil: every studio, for an auditor asking for all).
    static func reportScope(_ request: Request, _ user: StaffUser, access: Access, defaultMonth: String? = nil) throws -> (String, [String]?) {
        guard let month = try Self.query(request, "month", { MonthReport.parse($0) != nil ? $0 : nil }, "a month like 2026-11") ?? defaultMonth else {
            throw APIError(.badRequest, "month is required, e.g. month=2026-11")
        }
        let asked = try Self.query(request, "studio", { $0 }, "a studio")
        if asked == nil, user.studios == .all { return (month, nil) }
        return (month, try access.studios(user, asked: asked))
    }

    /// A notice as asked for: what it says, who to, when.
    struct DraftBody: Decodable {
        var studio: String, kind: String?, title: String, body: String?
        /// Meetings: time (`2026-12-09 15:00` in the studio's zone, or ISO 8601) and place.
        var at: String?, place: String?
        var topic: String?, cases: [Int]?
        /// Audience parts as the CLI's `--to`: `members`, `residents:area=龙湖社区`, `roll:NAME` …
        var to: [String]
        var sendAt: String?, rsvpUntil: String?, remindAt: String?
    }

    /// A notice as asked for, checked (the API's JSON and the dashboard's form both come here).
    static func noticeDraft(_ user: StaffUser, _ b: DraftBody, access: Access) throws -> (Studio, NoticeDraft) {
        let studio = try access.studio(user, b.studio)
        guard let kind = NoticeKind(rawValue: b.kind ?? "meeting") else { throw APIError(.badRequest, "kind must be meeting or general") }
        let title = b.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard b.title.unicodeScalars.count <= 100 else { throw APIError(.badRequest, "title is longer than 100 characters") }
        // Schema-valid but blank: refused by meaning (422), as the schema cannot say it.
        guard !title.isEmpty else { throw APIError(.unprocessableContent, "title is blank") }
        guard (b.body ?? "").unicodeScalars.count <= 1000 else { throw APIError(.badRequest, "body is longer than 1000 characters") }
        guard !b.to.isEmpty, b.to.count <= 50 else { throw APIError(.badRequest, "to must name 1 to 50 audience parts, e.g. [\"members\"]") }
        let audience = try b.to.map { part -> AudiencePart in
            switch AudiencePart.parse(part) {
            case let .success(p): return p
            case let .failure(e): throw APIError(.badRequest, e.description)
            }
        }
        func time(_ text: String?, _ field: String) throws -> Date? {
            guard let text else { return nil }
            guard let d = NoticeTime.parse(text, timeZone: studio.timeZone) else { throw APIError(.badRequest, "\(field) '\(text.prefix(40))' is not a time like 2026-12-09 15:00") }
            return d
        }
        var meeting: Meeting?
        if kind == .meeting {
            guard let at = try time(b.at, "at"), let place = b.place else { throw APIError(.badRequest, "a meeting needs at and place") }
            guard (b.cases ?? []).allSatisfy({ $0 > 0 }) else { throw APIError(.badRequest, "cases are positive case numbers") }
            meeting = Meeting(at: at, place: place, topic: b.topic, caseNumbers: b.cases ?? [])
        }
        return (studio, NoticeDraft(kind: kind, title: title, body: b.body ?? "", meeting: meeting, audience: audience,
                                    sendAt: try time(b.sendAt, "send_at"), rsvpUntil: try time(b.rsvpUntil, "rsvp_until"),
                                    remindAt: try time(b.remindAt, "remind_at")))
    }
}
