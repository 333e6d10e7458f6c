import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Hummingbird
import Logging
import NIOCore

/// Webhook endpoints: each stores the message before answering 2xx.
struct WebhookController {
    let intake: IntakeService, adapters: ChannelAdapters, settings: HotlineSettings, database: AppDatabase
    let clock: WallClock, logger: Logger
    /// The dispatcher's sign of life, read by `/readyz`.
    let heartbeat: Heartbeat
    /// Intake's failures to store (a full disk), read by `/healthz` and `/readyz`.
    let storeFailures: StoreFailures
    /// The newest good scheduled backup, shown by `/readyz`.
    let backups: BackupStatus

    init(_ parts: HotlineParts, intake: IntakeService) {
        (self.intake, adapters, settings, database) = (intake, parts.channels, parts.settings, parts.database)
        (clock, logger, heartbeat, storeFailures, backups) = (parts.clock, parts.logger, parts.dispatcherHeartbeat, parts.storeFailures, parts.backups)
    }
    func addRoutes(to router: Router<HotlineRequestContext>) {
        // Each kind's webhooks answer at /webhooks/<kind>/<channel id> (and its routes below it);
        // the first channel of the kind also at /webhooks/<kind>, the short path the README's setups use.
        var kinds: [ChannelKind] = []
        var channelsOfKind: [ChannelKind: [String: (channel: ChannelSettings, adapter: any HotlineChannel, routes: [WebhookRoute])]] = [:]
        for channel in settings.channels {
            guard let adapter = adapters.adapter(for: channel) else { continue }
            if channelsOfKind[channel.kind] == nil { kinds.append(channel.kind) }
            channelsOfKind[channel.kind, default: [:]][channel.id] = (channel, adapter, adapter.webhooks)
        }
        for kind in kinds {
            let channels = channelsOfKind[kind] ?? [:]
            guard let first = settings.channels.first(where: { $0.kind == kind }).flatMap({ channels[$0.id] }) else { continue }
            // Channels of one kind have the same routes in the same order.
            for (index, route) in first.routes.enumerated() {
                for method in route.methods {
                    let method: HTTPRequest.Method = method == .get ? .get : .post
                    router.on(RouterPath("/webhooks/\(kind)\(route.path)"), method: method) { request, context in
                        await receive(request, context, route: route, adapter: first.adapter, channel: first.channel)
                    }
                    router.on(RouterPath("/webhooks/\(kind)/{channel}\(route.path)"), method: method) { request, context in
                        let id = context.parameters.get("channel") ?? ""
                        guard let (channel, adapter, routes) = channels[id], index < routes.count else {
                            return Self.response(first.adapter.reply(to: .notFound("no \(kind) channel '\(id.prefix(40))'")))
                        }
                        return await receive(request, context, route: routes[index], adapter: adapter, channel: channel)
                    }
                }
            }
        }
        // Healthy means a message can be stored now: the check writes (a full disk fails it).
        @Sendable func health(_ request: Request, _ context: HotlineRequestContext) async -> Response {
            // The cause (naming the file) is in the log; health checks are open to anyone.
            if database.durabilityLost != nil { return Self.response(.json(503, ["status": Self.durabilityLost])) }
            return await database.isHealthy(now: clock.now()) && !storeFailures.isFailing(now: clock.now())
                ? Self.response(.json(200, ["status": "ok"]))
                : Self.response(.json(503, ["status": "database cannot store messages"]))
        }
        router.get("/healthz", use: health)
        router.head("/healthz", use: health)
        // Ready: messages can be stored and the outbox dispatcher is alive (it beats at least every
        // second when idle; a batch held up by a silent gateway takes at most its timeout).
        @Sendable func ready(_ request: Request, _ context: HotlineRequestContext) async -> Response {
            let now = clock.now()
            if database.durabilityLost != nil { return Self.response(.json(503, ["status": Self.durabilityLost])) }
            guard await database.isHealthy(now: now), !storeFailures.isFailing(now: now) else {
                return Self.response(.json(503, ["status": "database cannot store messages"]))
            }
            guard heartbeat.isAlive(now: now, within: Self.dispatcherSilence) else {
                return Self.response(.json(503, ["status": "outbox dispatcher silent for over \(Int(Self.dispatcherSilence)) s"]))
            }
            var answer: [String: any Sendable] = ["status": "ready"]
            if let schedule = settings.backup {
                // Shown, not judged: a late backup is the operator's to look into, not a reason
                // to take the service out of a load balancer.
                let age = backups.newestGood.map { max(0, Int(now.timeIntervalSince($0))) }
                if let age { answer["backup_age_seconds"] = age }
                answer["backup"] = age == nil ? "none yet" : Double(age!) > schedule.everyHours * 3600 + Self.backupGrace ? "overdue" : "ok"
            }
            return Self.response(.json(200, answer))
        }
        router.get("/readyz", use: ready)
        router.head("/readyz", use: ready)
    }

    /// `/healthz` and `/readyz` once a log sync failed (``DurabilityWatch`` is stopping the service).
    static let durabilityLost = "database log could not be written to the disk: the service must be restarted"
    /// How long the dispatcher may show no sign of life before `/readyz` says so.
    static let dispatcherSilence: TimeInterval = 30
    /// How long past its schedule the newest backup may be before `/readyz` calls it overdue (a
    /// failed backup is tried again after 15 minutes; a large database takes minutes to copy and check).
    static let backupGrace: TimeInterval = 3_600

    /// One webhook request: the source address checked, the body read as the route says, the
    /// request verified and parsed by the channel, what it carried stored, and the channel's answer.
    func receive(_ request: Request, _ context: HotlineRequestContext, route: WebhookRoute, adapter: any HotlineChannel,
                 channel: ChannelSettings) async -> Response {
        guard context.isAllowed(channel.allow) else { return forbidden(context, channel: channel) }
        let event: WebhookEvent
        let arrival = clock.now()
        do {
            event = try route.parse(try await read(request, body: route.body))
        } catch {
            switch error {
            case .unauthorized: logger.warning("webhook \(channel.id): refused: \(error)")
            case .malformed, .tooLarge: logger.info("webhook \(channel.id): bad request: \(error)")
            }
            return Self.response(adapter.reply(to: .refused(error)))
        }
        switch event {
        case let .reply(reply):
            return Self.response(reply)
        case let .inbound(text, answer, passive):
            do {
                let receipt = try await intake.receive(text, channel: channel, holdReplies: passive?.window)
                storeFailures.stored(clock.now())
                if let answer { return Self.response(answer) }
                // The reply in the response, if it is ready with time to spare; else the held
                // text goes out through the API once the window has passed.
                if let passive, !receipt.duplicate, clock.now().timeIntervalSince(arrival) < passive.window - 1,
                   let reply = try? await database.takeHeldReply(after: receipt.messageID, channel: channel.id, to: text.from, now: clock.now()) {
                    return Self.response(passive.build(reply))
                }
                return Self.response(route.stored(StoredInbound(messageID: receipt.messageID, duplicate: receipt.duplicate,
                                                                caseNumber: receipt.caseNumber)))
            } catch let error as IntakeError {
                return Self.response(adapter.reply(to: .notFound(error.description)))
            } catch {
                storeFailures.failed(clock.now())
                logger.error("webhook \(channel.id): cannot store message: \(error)")
                // 5xx: the provider retries, and the same id is then stored once.
                return Self.response(adapter.reply(to: .notStored("message")))
            }
        case let .inbounds(texts):
            do {
                for text in texts {
                    do {
                        _ = try await intake.receive(text, channel: channel)
                    } catch let error as IntakeError {
                        // One text to a number no studio has does not hold back the rest of the batch.
                        logger.warning("webhook \(channel.id): \(error)")
                    }
                }
                return Self.response(route.recorded)
            } catch {
                storeFailures.failed(clock.now())
                logger.error("webhook \(channel.id): cannot store message: \(error)")
                // The provider pushes the batch again; what was stored is stored once.
                return Self.response(adapter.reply(to: .notStored("message")))
            }
        case let .consents(consents):
            do {
                try await database.recordConsents(channel: channel.id, consents.map { ($0.address, $0.template, $0.accepted) }, now: clock.now())
                return Self.response(route.recorded)
            } catch {
                logger.error("webhook \(channel.id): cannot store consents: \(error)")
                return Self.response(adapter.reply(to: .notStored("consent")))
            }
        case .delivery, .deliveries:
            let reports = switch event {
            case let .delivery(report): [report]
            case let .deliveries(reports): reports
            default: [DeliveryReport]()
            }
            do {
                for report in reports { try await record(report, channel: channel) }
                return Self.response(route.recorded)
            } catch {
                logger.error("webhook \(channel.id): cannot store delivery report: \(error)")
                return Self.response(adapter.reply(to: .notStored("report")))
            }
        }
    }

    /// The request as a channel reads it: a POST body read whole (413 beyond ``WebhookRequest/maxBody``)
    /// or, for a gateway that retries a refusal, to its end but kept cut.
    func read(_ request: Request, body reading: WebhookRoute.Body) async throws(WebhookError) -> WebhookRequest {
        let headers = request.headers
        var read = WebhookRequest(method: request.method == .post ? .post : .get, pathAndQuery: request.uri.description,
                                  header: { name in
                                      let name = name.lowercased()
                                      return headers.first { $0.name.canonicalName == name }?.value
                                  }, now: clock.now())
        guard request.method == .post else { return read }
        switch reading {
        case .whole:
            guard let whole = try? await request.body.collect(upTo: WebhookRequest.maxBody) else {
                throw .tooLarge("body is larger than \(WebhookRequest.maxBody) bytes")
            }
            read.body = Array(buffer: whole)
        case .cutOver:
            var kept: [UInt8] = []
            var total = 0
            do {
                for try await part in request.body {
                    let room = WebhookRequest.maxBody - kept.count
                    if part.readableBytes > room { read.bodyWasCut = true }
                    if room > 0 { kept += part.readableBytesView.prefix(room) }
                    total += part.readableBytes
                    // Past this it is no message at all.
                    if total > WebhookRequest.maxCutBody { throw WebhookError.malformed("body is larger than \(WebhookRequest.maxCutBody) bytes") }
                }
            } catch let e as WebhookError {
                throw e
            } catch {
                throw .malformed("the body could not be read")
            }
            read.body = kept
        }
        return read
    }

    /// Records a delivery report (found by our message id, or by the provider's); a report with no
    /// status to act on, or for no message of this channel, is logged and answered 200 all the same.
    func record(_ report: DeliveryReport, channel: ChannelSettings) async throws {
        guard let status = report.status else {
            logger.info("webhook \(channel.id): delivery report ignored: \(report.detail)")
            return
        }
        var messageID = report.messageID
        if messageID == nil, let providerID = report.providerID, !providerID.isEmpty {
            messageID = try await database.outboundMessageID(channel: channel.id, providerID: providerID)
        }
        guard let messageID else {
            logger.warning("webhook \(channel.id): delivery report for no message of this channel: \(report.providerID ?? "")")
            return
        }
        let known = try await database.recordDeliveryReport(messageID: messageID, channel: channel.id, providerID: report.providerID,
                                                            status: Self.stored(status), detail: report.detail, now: clock.now())
        if !known { logger.warning("webhook \(channel.id): delivery report for no message of this channel: \(messageID)") }
        if report.optedOut, known {
            try await database.recordOptOut(messageID: messageID, channel: channel.id, providerID: report.providerID,
                                            sparing: settings.deployment.rosterPhones, alsoIn: settings.deployment.optOutStudios, now: clock.now())
        }
    }

    /// A provider's delivery status as the message's.
    static func stored(_ status: DeliveryStatus) -> MessageRecord.Status {
        switch status {
        case .sent: .sent
        case .delivered: .delivered
        case .failed: .failed
        }
    }

    func forbidden(_ context: HotlineRequestContext, channel: ChannelSettings) -> Response {
        logger.warning("webhook \(channel.id): refused a request from \(context.remoteAddress?.ipAddress ?? "?"), not in allow")
        return Self.response(.text(403, "source address not allowed"))
    }

    /// A channel's answer as an HTTP response.
    static func response(_ reply: WebhookReply) -> Response {
        var headers = HTTPFields()
        if let type = reply.contentType { headers[.contentType] = type }
        // Not stored (a full disk, a database that refuses): the gateway is told when to try again.
        if reply.status == 503 { headers[.retryAfter] = "1" }
        return Response(status: HTTPResponse.Status(code: reply.status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
    }
}
