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
                let (record, messages, events) = try await casebook.detail(user, studio: context.parameters.get("studio") ?? "", number: try AdminRequest.number(context))
                let shows = access.showsPhones(user)
                return try Self.json(CaseDetail(case: CaseView(record, deployment: deployment, now: clock.now(), showPhone: shows),
                                                classification: casebook.classification(record),
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
        var reason: String?, version: Int
    }

    struct NoteBody: Decodable { var text: String }

    struct CloseBody: Decodable {
        var outcome: String, note: String, version: Int
    }

    func listCases(_ request: Request, _ user: StaffUser) async throws -> Response {
        let (filter, cursor, limit) = try AdminRequest.caseQuery(request, user, access: access, topics: rules.topics)
        let page = try await database.cases(filter, now: clock.now(), cursor: cursor, limit: limit)
        let shows = access.showsPhones(user)
        return try Self.json(CaseList(cases: page.cases.map { CaseView($0, deployment: deployment, now: clock.now(), showPhone: shows) },
                                      nextCursor: page.nextCursor.map(AdminRequest.writeCursor)))
    }

    /// Carries out a staff action on the path's case in one transaction, refusing a stale `version`.
    func act(_ user: StaffUser, _ context: HotlineRequestContext, version: Int?, _ action: StaffCaseAction) async throws -> Response {
        let studio = try access.studio(user, context.parameters.get("studio") ?? "")
        let record = try await casework.change(user, studio: studio, number: try AdminRequest.number(context), version: version, action)
        return try Self.json(CaseView(record, deployment: deployment, now: clock.now(), showPhone: access.showsPhones(user)))
    }
}

/// A page of cases.
struct CaseList: Encodable {
    var cases: [CaseView]
    /// Pass as `cursor` for the next page; absent on the last page.
    var nextCursor: String?
}

struct CaseDetail: Encodable {
    var `case`: CaseView, classification: Classification, messages: [MessageView], events: [EventView]
}

struct MessageView: Encodable {
    var id: Int64, direction: String, channel: String, from: String, to: String, text: String, status: String
    var kind: String?, at: Date, error: String?

    init(_ m: MessageRecord, showPhone: Bool) {
        id = m.id ?? 0
        direction = m.direction.rawValue
        channel = m.channel
        from = showPhone ? m.fromNumber : PhoneNumber.mask(m.fromNumber)
        to = showPhone ? m.toNumber : PhoneNumber.mask(m.toNumber)
        (text, status, kind, at) = (m.text, m.status.rawValue, m.kind?.rawValue, m.createdAt)
        error = m.error
    }
}

struct EventView: Encodable {
    var at: Date, actor: String, kind: String, detail: String?

    init(_ e: CaseEventRecord) {
        (at, actor, kind, detail) = (e.at, e.actor, e.kind, e.detail)
    }
}
