import Foundation
import HotlineCore
import HotlineStorage
import Hummingbird

/// The dashboard's forms: each checks the session and its CSRF token, acts through the admin
/// API's code (`AdminAPI.change`, ``NoticeService``), then sends the browser back to the page (303).
extension Dashboard {
    func registerActions(on router: Router<HotlineRequestContext>) {
        for (action, make) in [
            ("reassign", { @Sendable (f: [String: String]) in StaffCaseAction.reassign(to: f["to"] ?? "", reason: f["reason"] ?? "") }),
            ("note", { @Sendable (f: [String: String]) in StaffCaseAction.note(f["text"] ?? "") }),
            ("close", { @Sendable (f: [String: String]) in StaffCaseAction.close(CaseOutcome(rawValue: f["outcome"] ?? "") ?? .resolved, note: f["note"] ?? "") }),
        ] as [(String, @Sendable ([String: String]) -> StaffCaseAction)] {
            router.post(RouterPath("/dashboard/cases/:studio/:number/\(action)")) { request, context in
                await form(request) { session, fields in
                    let studio = try access.studio(session.user, context.parameters.get("studio") ?? "")
                    let number = try AdminRequest.number(context)
                    guard (fields["text"] ?? "").count <= 2000, (fields["note"] ?? "").count <= 2000 else { throw APIError(.badRequest, "the text is longer than 2000 characters") }
                    if action == "close", CaseOutcome(rawValue: fields["outcome"] ?? "") == nil { throw APIError(.badRequest, "choose an outcome") }
                    _ = try await casework.change(session.user, studio: studio, number: number, version: fields["version"].flatMap { Int($0) }, make(fields))
                    return Self.redirect("/dashboard/cases/\(studio.id)/\(number)")
                }
            }
        }
        router.post("/dashboard/outbox/:id/resend") { request, context in
            await form(request) { session, _ in
                try access.mayWrite(session.user)
                try access.notMember(session.user, "the outbox")
                guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else { throw APIError(.badRequest, "id must be a number") }
                guard try await casework.resend([id], by: session.user) == 1 else { throw APIError(.notFound, "no failed text \(id) in your studios") }
                let back = request.uri.queryParameters["back"].map(String.init) ?? ""
                let parts = back.split(separator: "/")
                return Self.redirect(parts.count == 2 && Int(parts[1]) != nil ? "/dashboard/cases/\(parts[0])/\(parts[1])" : "/dashboard")
            }
        }
        router.post("/dashboard/notices/preview") { request, _ in
            await form(request) { session, fields in
                let lang = Self.language(request)
                let p = Page(user: session.user, lang: lang, csrf: Self.csrf(session.token), path: request.uri.path, t: DashboardWords.of(lang))
                let (studio, draft) = try noticeDraft(session.user, fields)
                let plan = try await notices.preview(studio: studio.id, draft)
                let shows = access.showsPhones(session.user)
                return try await noticesPage(p, preview: NoticesModel.Preview(
                    text: plan.text, recipients: plan.recipients.count, partsEach: plan.partsEach, totalParts: plan.totalParts,
                    sendAt: short(plan.sendAt), maskedNumbers: plan.maskedNumbers > 0,
                    fields: fields.filter { $0.key != "csrf" }.sorted { $0.key < $1.key }.map { .init(name: $0.key, value: $0.value) },
                    skipped: plan.skipped.map { .init(who: $0.recipient.name ?? (shows ? $0.recipient.phone : PhoneNumber.mask($0.recipient.phone)),
                                                      reason: DashboardText.messageStatus($0.reason.rawValue, lang)) },
                    hasSkipped: !plan.skipped.isEmpty))
            }
        }
        router.post("/dashboard/notices") { request, _ in
            await form(request) { session, fields in
                try access.mayWrite(session.user)
                let (studio, draft) = try noticeDraft(session.user, fields)
                let (record, _) = try await notices.create(studio: studio.id, draft, by: "staff:\(session.user.login)")
                return Self.redirect("/dashboard/notices/\(studio.id)/\(record.number)")
            }
        }
        router.post("/dashboard/notices/:studio/:number/cancel") { request, context in
            await form(request) { session, fields in
                try access.mayWrite(session.user)
                try access.notMember(session.user, "notices")
                let studio = try access.studio(session.user, context.parameters.get("studio") ?? "")
                let number = try AdminRequest.number(context)
                let reason = (fields["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                guard !reason.isEmpty, reason.count <= 200 else { throw APIError(.badRequest, "give a reason of 1 to 200 characters") }
                try await notices.cancel(studio: studio.id, number: number, reason: reason)
                return Self.redirect("/dashboard/notices/\(studio.id)/\(number)")
            }
        }
    }

    /// A notice from the form's fields, checked by the API's rules. The audience is what the
    /// coordinator ticked and picked (``audience(_:)``), not syntax typed into a box.
    func noticeDraft(_ user: StaffUser, _ f: [String: String]) throws -> (Studio, NoticeDraft) {
        try access.notMember(user, "notices")
        // An empty field of the form is a field not given.
        func field(_ key: String) -> String? { f[key].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        let to = try Self.audience(f)
        return try AdminRequest.noticeDraft(user, AdminRequest.DraftBody(
            studio: f["studio"] ?? "", kind: field("kind"), title: f["title"] ?? "", body: field("body"), at: field("at"), place: field("place"),
            topic: nil, cases: nil, to: to, sendAt: field("send_at"), rsvpUntil: nil, remindAt: nil), access: access)
    }

    /// The audience parts the form's choices name: all members, liaisons, WeChat followers, members of an area or
    /// a sector, residents of an area, a roll, numbers one a line. 400 when nothing is chosen.
    static func audience(_ f: [String: String]) throws -> [String] {
        func picked(_ key: String) -> String? {
            f[key].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        var parts: [String] = []
        if picked("to_members") != nil { parts.append(AudiencePart.members.description) }
        if picked("to_liaisons") != nil { parts.append(AudiencePart.liaisons.description) }
        if picked("to_followers") != nil { parts.append(AudiencePart.followers.description) }
        if let area = picked("to_members_area") { parts.append(AudiencePart.membersOfArea(area).description) }
        if let sector = picked("to_members_sector") { parts.append(AudiencePart.membersOfSector(sector).description) }
        if let area = picked("to_residents_area") { parts.append(AudiencePart.residentsOfArea(area).description) }
        if let roll = picked("to_roll") { parts.append(AudiencePart.roll(roll).description) }
        let numbers = (f["to_numbers"] ?? "").split(whereSeparator: { $0.isNewline || $0 == "," || $0 == "," })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if !numbers.isEmpty { parts.append(AudiencePart.numbers(numbers).description) }
        guard !parts.isEmpty else { throw APIError(.badRequest, "choose who the notice goes to") }
        return parts
    }
}
