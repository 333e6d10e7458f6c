import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Hummingbird

/// What the resident's page of their case shows: no phone number but their own, no member's
/// number, nothing of the members' texts.
struct ResidentPageModel: PageModel {
    static let template = PageTemplate.resident
    struct Line: Sendable { var side: String, who: String, text: String, at: String }

    var found = false
    var token = "", studio = "", number = "", state = "", topic = "", member = "", received = ""
    var outcome: String?
    var chat: [Line] = []
    var survey = false
    var answered: String?
}

extension Dashboard {
    /// `GET /c/{token}`: the resident's page of their case; `POST /c/{token}/survey`: their answer
    /// to the satisfaction question, taken as if they had texted it. A wrong or expired token shows
    /// nothing of any case (404, the same page either way).
    func addResidentRoutes(to router: Router<HotlineRequestContext>, intake: IntakeService, channels: [ChannelSettings]) {
        router.get("/c/{token}") { _, context in
            await residentPage(context.parameters.get("token") ?? "")
        }
        router.post("/c/{token}/survey") { request, context in
            let token = context.parameters.get("token") ?? ""
            guard let (record, messages) = await openCase(token) else { return residentHTML(ResidentPageModel(), status: .notFound) }
            let fields = (try? await request.body.collect(upTo: 1024)).flatMap { try? FormFields.parse($0.readableBytesView) } ?? [:]
            guard let answer = fields["answer"], ["1", "2", "3"].contains(answer), record.surveyState == .asked || record.surveyState == .reminded,
                  let origin = messages.first(where: { $0.direction == .inbound }),
                  let channel = channels.first(where: { $0.id == origin.channel }) else {
                return seeOther("/c/\(token)")
            }
            // The button is the resident's own answer: stored, answered and counted as a text would be,
            // once (a second press is the same message).
            let text = InboundText(providerID: "page:\(token):survey:\(record.surveyAskedAt.map { Int($0.timeIntervalSince1970) } ?? 0)",
                                   from: record.residentPhone, to: origin.toNumber, text: answer)
            do {
                _ = try await intake.receive(text, channel: channel)
            } catch {
                logger.error("case page: cannot store a survey answer: \(error)")
                return residentHTML(ResidentPageModel(), status: .serviceUnavailable)
            }
            return seeOther("/c/\(token)")
        }
    }

    /// The case behind `token`, while its page is open.
    func openCase(_ token: String) async -> (CaseRecord, [MessageRecord])? {
        guard CasePage.isToken(token), let page = deployment.casePage,
              let found = try? await database.residentCase(token: token), page.isOpen(closedAt: found.0.closedAt, now: clock.now()) else { return nil }
        return found
    }

    func residentPage(_ token: String) async -> Response {
        guard let (record, messages) = await openCase(token), let studio = deployment.studio(id: record.studioId) else {
            return residentHTML(ResidentPageModel(), status: .notFound)
        }
        var model = ResidentPageModel(found: true, token: token, studio: studio.name, number: String(record.number), state: record.state.label,
                                      topic: rules.topics.name(record.topic),
                                      member: record.assigneeId.flatMap { studio.person($0)?.name } ?? "工作人员", received: short(record.createdAt))
        if record.state == .closed { model.outcome = record.outcome?.label }
        model.chat = messages.filter { $0.status != .cancelled }.map { m in
            m.direction == .inbound ? .init(side: "in", who: "您", text: m.text, at: short(m.createdAt))
                : .init(side: "out", who: studio.name, text: m.text, at: short(m.createdAt))
        }
        model.survey = record.state == .closed && (record.surveyState == .asked || record.surveyState == .reminded)
        model.answered = record.satisfaction?.label
        return residentHTML(model)
    }

    func residentHTML(_ model: ResidentPageModel, status: HTTPResponse.Status = .ok) -> Response {
        var response = html(draw(model), status: status)
        // The token is the key: no caching by shared proxies, no referrer to other sites.
        response.headers[.cacheControl] = "no-store"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        return response
    }

    func seeOther(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }
}
