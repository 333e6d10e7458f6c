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
        var role: String, coming: Int, declined: Int, noAnswer: Int
    }
    var coming: Int, declined: Int, noAnswer: Int, seats: [Seat], skipped: [String: Int]

    init(_ t: NoticeTally) {
        (coming, declined, noAnswer) = (t.coming, t.declined, t.noAnswer)
        seats = t.rows.map { Seat(role: $0.role, coming: $0.coming, declined: $0.declined, noAnswer: $0.noAnswer) }
        skipped = Dictionary(uniqueKeysWithValues: t.skipped.map { ($0.key.rawValue, $0.value) })
    }
}

struct NoticeView: Encodable {
    var ref: String, studio: String, number: Int, kind: String, state: String, title: String, body: String, text: String
    var meetingAt: Date?, place: String?, audience: [String], sendAt: Date, rsvpUntil: Date?, remindAt: Date?
    var createdBy: String, createdAt: Date, cancelledAt: Date?, cancelReason: String?, tally: TallyView

    init(_ n: NoticeRecord, tally: NoticeTally) {
        ref = "\(n.studioId)-\(n.number)"
        (studio, number, kind, state) = (n.studioId, n.number, n.kind.rawValue, n.state.rawValue)
        (title, body, text, meetingAt) = (n.title, n.body, n.text, n.meetingAt)
        place = n.place
        audience = n.audience.split(separator: "\n").map(String.init)
        (sendAt, rsvpUntil, remindAt, createdBy) = (n.sendAt, n.rsvpUntil, n.remindAt, n.createdBy)
        (createdAt, cancelledAt, cancelReason) = (n.createdAt, n.cancelledAt, n.cancelReason)
        self.tally = TallyView(tally)
    }
}

struct RecipientView: Encodable {
    var phone: String, name: String?, role: String, area: String?, via: String, skipped: String?, status: String?
    var rsvp: String?, rsvpNote: String?, rsvpAt: Date?
}

struct NoticeDetail: Encodable {
    var notice: NoticeView
    var recipients: [RecipientView]
}

/// What a notice does (or would do): recipients, who is skipped and why, SMS parts, times.
struct PlanView: Encodable {
    struct Person: Encodable {
        var phone: String, name: String?, role: String, area: String?, via: String, reason: String?
    }
    var number: Int?, text: String, recipients: [Person], skipped: [Person], partsEach: Int, totalParts: Int
    var sendAt: Date, rsvpUntil: Date?, remindAt: Date?, maskedNumbers: Int

    init(_ plan: NoticePlan, number: Int?, showPhone: Bool) {
        func person(_ r: NoticeRecipient, _ reason: SkipReason?) -> Person {
            Person(phone: showPhone ? r.phone : PhoneNumber.mask(r.phone), name: r.name, role: r.role, area: r.area, via: r.via, reason: reason?.rawValue)
        }
        self.number = number
        text = plan.text
        recipients = plan.recipients.map { person($0, nil) }
        skipped = plan.skipped.map { person($0.recipient, $0.reason) }
        (partsEach, totalParts, sendAt, rsvpUntil) = (plan.partsEach, plan.totalParts, plan.sendAt, plan.rsvpUntil)
        (remindAt, maskedNumbers) = (plan.remindAt, plan.maskedNumbers)
    }
}
