import Foundation
import HotlineCore
import HotlineStorage
import Hummingbird

/// `/api/v1/notices`: list, preview, create (now or at a time), show with the tally, cancel — all
/// through ``NoticeService``, as the CLI and liaisons' texts do. Coordinators and liaisons only
/// (auditors read).
extension AdminAPI {
    func registerNotices(on api: RouterGroup<HotlineRequestContext>) {
        api.get("notices") { request, _ in
            await authed(request) { user in
                try access.notMember(user, "notices")
                var out: [NoticeView] = []
                for id in try access.studios(user, asked: try AdminRequest.query(request, "studio", { $0 }, "a studio")) {
                    for n in try await database.notices(studio: id, limit: 200) {
                        out.append(NoticeView(n, tally: try await database.noticeTally(noticeID: n.id!)))
                    }
                }
                return try Self.json(["notices": out.sorted { $0.createdAt > $1.createdAt }])
            }
        }
        api.post("notices/preview") { request, _ in
            await authed(request) { user in
                try access.notMember(user, "notices")
                let (studio, draft) = try AdminRequest.noticeDraft(user, try await Self.decode(AdminRequest.DraftBody.self, from: request), access: access)
                return try Self.json(PlanView(try await notices.preview(studio: studio.id, draft), number: nil, showPhone: access.showsPhones(user)))
            }
        }
        api.post("notices") { request, _ in
            await authed(request) { user in
                try access.mayWrite(user)
                try access.notMember(user, "notices")
                let (studio, draft) = try AdminRequest.noticeDraft(user, try await Self.decode(AdminRequest.DraftBody.self, from: request), access: access)
                let (record, plan) = try await notices.create(studio: studio.id, draft, by: "staff:\(user.login)")
                return try Self.json(PlanView(plan, number: record.number, showPhone: access.showsPhones(user)), status: .created)
            }
        }
        api.get("notices/:studio/:number") { request, context in
            await authed(request) { user in
                try access.notMember(user, "notices")
                let studio = try access.studio(user, context.parameters.get("studio") ?? "")
                let number = try AdminRequest.number(context)
                guard let n = try await database.notice(studio: studio.id, number: number) else {
                    throw APIError(.notFound, "no notice \(number) in studio '\(studio.id)'")
                }
                let shows = access.showsPhones(user)
                let recipients = try await database.noticeRecipients(noticeID: n.id!).map { r, status in
                    RecipientView(phone: shows ? r.phone : PhoneNumber.mask(r.phone), name: r.name, role: r.role, area: r.area, via: r.via,
                                  skipped: r.skipReason?.rawValue, status: status, rsvp: r.rsvp?.rawValue, rsvpNote: r.rsvpNote, rsvpAt: r.rsvpAt)
                }
                return try Self.json(NoticeDetail(notice: NoticeView(n, tally: try await database.noticeTally(noticeID: n.id!)), recipients: recipients))
            }
        }
        api.post("notices/:studio/:number/cancel") { request, context in
            await authed(request) { user in
                try access.mayWrite(user)
                try access.notMember(user, "notices")
                let studio = try access.studio(user, context.parameters.get("studio") ?? "")
                let number = try AdminRequest.number(context)
                let body = try await Self.decode(CancelBody.self, from: request)
                let reason = body.reason.trimmingCharacters(in: .whitespacesAndNewlines)
                guard body.reason.unicodeScalars.count <= 200 else { throw APIError(.badRequest, "reason is longer than 200 characters") }
                guard !reason.isEmpty else { throw APIError(.unprocessableContent, "reason is blank") }
                do {
                    let (withdrawn, told) = try await notices.cancel(studio: studio.id, number: number, reason: reason)
                    return try Self.json(["withdrawn": withdrawn, "told": told])
                } catch NoticeService.Problem.notice(.unknownNotice) {
                    throw APIError(.notFound, "no notice \(number) in studio '\(studio.id)'")
                } catch let NoticeService.Problem.notice(e) {
                    throw APIError(.conflict, e.description)
                }
            }
        }
    }

    struct CancelBody: Decodable { var reason: String }

}

struct TallyView: Encodable {
    struct Seat: Encodable {
        var role: String
        var coming: Int
        var declined: Int
        var noAnswer: Int
    }
    var coming: Int
    var declined: Int
    var noAnswer: Int
    var seats: [Seat]
    var skipped: [String: Int]

    init(_ t: NoticeTally) {
        coming = t.coming
        declined = t.declined
        noAnswer = t.noAnswer
        seats = t.rows.map { Seat(role: $0.role, coming: $0.coming, declined: $0.declined, noAnswer: $0.noAnswer) }
        skipped = Dictionary(uniqueKeysWithValues: t.skipped.map { ($0.key.rawValue, $0.value) })
    }
}

struct NoticeView: Encodable {
    var ref: String
    var studio: String
    var number: Int
    var kind: String
    var state: String
    var title: String
    var body: String
    var text: String
    var meetingAt: Date?
    var place: String?
    var audience: [String]
    var sendAt: Date
    var rsvpUntil: Date?
    var remindAt: Date?
    var createdBy: String
    var createdAt: Date
    var cancelledAt: Date?
    var cancelReason: String?
    var tally: TallyView

    init(_ n: NoticeRecord, tally: NoticeTally) {
        ref = "\(n.studioId)-\(n.number)"
        studio = n.studioId
        number = n.number
        kind = n.kind.rawValue
        state = n.state.rawValue
        title = n.title
        body = n.body
        text = n.text
        meetingAt = n.meetingAt
        place = n.place
        audience = n.audience.split(separator: "\n").map(String.init)
        sendAt = n.sendAt
        rsvpUntil = n.rsvpUntil
        remindAt = n.remindAt
        createdBy = n.createdBy
        createdAt = n.createdAt
        cancelledAt = n.cancelledAt
        cancelReason = n.cancelReason
        self.tally = TallyView(tally)
    }
}

struct RecipientView: Encodable {
    var phone: String
    var name: String?
    var role: String
    var area: String?
    var via: String
    var skipped: String?
    var status: String?
    var rsvp: String?
    var rsvpNote: String?
    var rsvpAt: Date?
}

struct NoticeDetail: Encodable {
    var notice: NoticeView
    var recipients: [RecipientView]
}

/// What a notice does (or would do): recipients, who is skipped and why, SMS parts, times.
struct PlanView: Encodable {
    struct Person: Encodable {
        var phone: String
        var name: String?
        var role: String
        var area: String?
        var via: String
        var reason: String?
    }
    var number: Int?
    var text: String
    var recipients: [Person]
    var skipped: [Person]
    var partsEach: Int
    var totalParts: Int
    var sendAt: Date
    var rsvpUntil: Date?
    var remindAt: Date?
    var maskedNumbers: Int

    init(_ plan: NoticePlan, number: Int?, showPhone: Bool) {
        func person(_ r: NoticeRecipient, _ reason: SkipReason?) -> Person {
            Person(phone: showPhone ? r.phone : PhoneNumber.mask(r.phone), name: r.name, role: r.role, area: r.area, via: r.via, reason: reason?.rawValue)
        }
        self.number = number
        text = plan.text
        recipients = plan.recipients.map { person($0, nil) }
        skipped = plan.skipped.map { person($0.recipient, $0.reason) }
        partsEach = plan.partsEach
        totalParts = plan.totalParts
        sendAt = plan.sendAt
        rsvpUntil = plan.rsvpUntil
        remindAt = plan.remindAt
        maskedNumbers = plan.maskedNumbers
    }
}
