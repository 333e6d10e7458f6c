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
    /// WeChat's subscribe button, inside WeChat, for a follower of an account that sends subscription notices.
    var subscribe: Subscribe?

    struct Subscribe: Sendable {
        var appID: String, timestamp: Int, nonce: String, signature: String
        /// The template ids, comma-separated, as `<wx-open-subscribe template>` takes them.
        var templates: String
        var subscribed: Bool
    }
}

extension Dashboard {
    /// `GET /c/{token}`: the resident's page of their case; `POST /c/{token}/survey`: their answer
    /// to the satisfaction question, taken as if they had texted it. A wrong or expired token shows
    /// nothing of any case (404, the same page either way).
    func addResidentRoutes(to router: Router<HotlineRequestContext>, intake: IntakeService, channels: [ChannelSettings],
                           adapters: ChannelAdapters, senders: SenderDirectory?) {
        router.get("/c/{token}") { request, context in
            let inWeChat = request.headers[.userAgent]?.contains("MicroMessenger") == true
            return await residentPage(context.parameters.get("token") ?? "") { record, messages in
                guard inWeChat else { return nil }
                return await subscribeButton(record, messages, channels: channels, adapters: adapters, senders: senders)
            }
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

    func residentPage(_ token: String, subscribe: (CaseRecord, [MessageRecord]) async -> ResidentPageModel.Subscribe? = { _, _ in nil }) async -> Response {
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
        model.subscribe = await subscribe(record, messages)
        return residentHTML(model)
    }

    /// The subscribe button for the case's follower, where their account sends subscription
    /// notices and its page ticket can be had now (else the page goes without it).
    func subscribeButton(_ record: CaseRecord, _ messages: [MessageRecord], channels: [ChannelSettings], adapters: ChannelAdapters,
                         senders: SenderDirectory?) async -> ResidentPageModel.Subscribe? {
        guard PhoneNumber.isFollower(record.residentPhone), let page = deployment.casePage, let token = record.residentToken,
              let origin = messages.first(where: { $0.direction == .inbound }), let channel = channels.first(where: { $0.id == origin.channel }),
              let signing = adapters.adapter(for: channel) as? any PageSigningChannel, !signing.subscriptionTemplates.isEmpty,
              let sender = senders?.sender(for: channel.id) as? HTTPGatewaySender, let ticket = await sender.pageTicket() else { return nil }
        let timestamp = Int(clock.now().timeIntervalSince1970), nonce = CasePage.newToken()
        let templates = signing.subscriptionTemplates
        let accepted = (try? await database.acceptedNotices(channel: channel.id, address: record.residentPhone)) ?? []
        return .init(appID: signing.appID, timestamp: timestamp, nonce: nonce,
                     signature: type(of: signing).pageSignature(ticket: ticket, nonce: nonce, timestamp: timestamp, url: page.link(token)),
                     templates: templates.joined(separator: ","), subscribed: Set(templates).isSubset(of: accepted))
    }

    func residentHTML(_ model: ResidentPageModel, status: HTTPResponse.Status = .ok) -> Response {
        var response = html(draw(model), status: status)
        // WeChat's JS-SDK comes from WeChat's own address: allowed on the page that offers its button, and only there.
        if model.subscribe != nil {
            response.headers[.init("Content-Security-Policy")!] =
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' https://res.wx.qq.com https://res2.wx.qq.com; frame-ancestors 'none'; form-action 'self'"
        }
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
