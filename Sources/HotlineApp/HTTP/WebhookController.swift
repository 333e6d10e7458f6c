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

    init(_ parts: HotlineParts, intake: IntakeService) {
        (self.intake, adapters, settings, database) = (intake, parts.channels, parts.settings, parts.database)
        (clock, logger, heartbeat) = (parts.clock, parts.logger, parts.dispatcherHeartbeat)
    }
    /// Largest request body read; larger bodies get 413.
    static let maxBody = 64 * 1024
    /// The most a gateway's body may carry when a longer text is stored cut (Kannel's post-url).
    static let maxCutBody = 1024 * 1024

    func addRoutes(to router: Router<HotlineRequestContext>) {
        if let channel = settings.channels.first(where: { $0.kind == .json }) {
            let webhook = JSONWebhook(secret: adapters.secret(for: channel), maxTextLength: settings.maxInboundLength,
                                      defaultCountryCode: settings.deployment.defaultCountryCode)
            router.post("/webhooks/json") { request, _ in
                await receiveJSON(request, webhook: webhook, channel: channel)
            }
        }
        // Every gateway channel answers at /webhooks/<kind>/<channel id>; the first of each kind also
        // at /webhooks/<kind>, the short path the README's gateway setups use.
        var firstOfKind = Set<ChannelKind>()
        for channel in settings.channels {
            let base = "/webhooks/\(channel.kind.rawValue)"
            let bases = firstOfKind.insert(channel.kind).inserted ? [base, "\(base)/\(channel.id)"] : ["\(base)/\(channel.id)"]
            for base in bases {
                switch channel.kind {
                case .json, .dryrun:
                    break
                case .kannel:
                    let kannel = adapters.kannel(channel)
                    // Kannel calls get-url with GET and post-url with POST (form body); both carry the same fields.
                    router.get(RouterPath(base)) { request, context in await receiveKannel(request, context, kannel: kannel, channel: channel) }
                    router.post(RouterPath(base)) { request, context in await receiveKannel(request, context, kannel: kannel, channel: channel) }
                    router.get(RouterPath(base + "/dlr")) { request, context in
                        await deliveryReport(request, context, channel: channel) { fields, header throws(WebhookError) in
                            try kannel.deliveryReport(fields: fields, secretHeader: header)
                        }
                    }
                case .twilio:
                    let twilio = adapters.twilio(channel)
                    router.post(RouterPath(base)) { request, context in await receiveTwilio(request, context, twilio: twilio, channel: channel) }
                    router.post(RouterPath(base + "/status")) { request, context in
                        await deliveryReport(request, context, channel: channel, queryFields: false) { fields, _ throws(WebhookError) in
                            try twilio.statusCallback(pathAndQuery: request.uri.description, fields: fields,
                                                      signature: request.headers[.init(TwilioChannel.signatureHeader)!])
                        }
                    }
                case .android:
                    let android = adapters.android(channel)
                    router.post(RouterPath(base)) { request, context in await receiveAndroid(request, context, android: android, channel: channel) }
                }
            }
        }
        // Healthy means a message can be stored now: the check writes (a full disk fails it).
        @Sendable func health(_ request: Request, _ context: HotlineRequestContext) async -> Response {
            await database.isHealthy(now: clock.now())
                ? Self.json(.ok, ["status": "ok"])
                : Self.json(.serviceUnavailable, ["status": "database cannot store messages"])
        }
        router.get("/healthz", use: health)
        router.head("/healthz", use: health)
        // Ready: messages can be stored and the outbox dispatcher is alive (it beats at least every
        // second when idle; a batch held up by a silent gateway takes at most its timeout).
        @Sendable func ready(_ request: Request, _ context: HotlineRequestContext) async -> Response {
            let now = clock.now()
            guard await database.isHealthy(now: now) else { return Self.json(.serviceUnavailable, ["status": "database cannot store messages"]) }
            guard heartbeat.isAlive(now: now, within: Self.dispatcherSilence) else {
                return Self.json(.serviceUnavailable, ["status": "outbox dispatcher silent for over \(Int(Self.dispatcherSilence)) s"])
            }
            return Self.json(.ok, ["status": "ready"])
        }
        router.get("/readyz", use: ready)
        router.head("/readyz", use: ready)
    }

    /// How long the dispatcher may show no sign of life before `/readyz` says so.
    static let dispatcherSilence: TimeInterval = 30

    func receiveJSON(_ request: Request, webhook: JSONWebhook, channel: ChannelSettings) async -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maxBody)
        } catch {
            return Self.json(.contentTooLarge, ["error": "body is larger than \(Self.maxBody) bytes"])
        }
        let text: InboundText
        do {
            text = try webhook.parse(body: Array(buffer: body), signature: request.headers[.init(JSONWebhook.signatureHeader)!])
        } catch {
            return reject(error, channel: channel)
        }
        do {
            let receipt = try await intake.receive(text, channel: channel)
            var answer: [String: any Sendable] = ["message_id": receipt.messageID, "duplicate": receipt.duplicate]
            answer["case"] = receipt.caseNumber
            return Self.json(.ok, answer)
        } catch let error as IntakeError {
            return Self.json(.notFound, ["error": error.description])
        } catch {
            logger.error("webhook \(channel.id): cannot store message: \(error)")
            // 5xx: the provider retries, and the same id is then stored once.
            return Self.json(.serviceUnavailable, ["error": "message not stored, try again"])
        }
    }

    /// The query's fields, plus a form body's for POST.
    /// - Parameters:
    ///   - query: include the query's fields (Kannel puts its fields there; Twilio signs only the body's).
    ///   - cutOver: read a body longer than `maxBody` to its end but keep only its first `maxBody`
    ///     bytes (the last field cut there), rather than refusing it: for a gateway that retries a
    ///     refusal, so that a very long text is stored cut like a long GET text.
    func fields(_ request: Request, query: Bool = true, cutOver: Bool = false) async throws(WebhookError) -> [String: String] {
        var fields = query ? try FormFields.parse(Array((request.uri.query ?? "").utf8)) : [:]
        if request.method == .post {
            let body: [UInt8]
            var cut = false
            if cutOver {
                var kept: [UInt8] = []
                var total = 0
                do {
                    for try await part in request.body {
                        let room = Self.maxBody - kept.count
                        if part.readableBytes > room { cut = true }
                        if room > 0 { kept += part.readableBytesView.prefix(room) }
                        total += part.readableBytes
                        // No text a gateway passes on comes near (255 parts of 67 characters, 9
                        // bytes each encoded: 154 KB): past this, it is no message at all.
                        if total > Self.maxCutBody { throw WebhookError.malformed("body is larger than \(Self.maxCutBody) bytes") }
                    }
                } catch let e as WebhookError {
                    throw e
                } catch {
                    throw .malformed("the body could not be read")
                }
                body = kept
            } else {
                guard let whole = try? await request.body.collect(upTo: Self.maxBody) else {
                    throw .malformed("body is larger than \(Self.maxBody) bytes")
                }
                body = Array(buffer: whole)
            }
            fields.merge(cut ? try FormFields.parse(cut: body) : try FormFields.parse(body)) { _, body in body }
        }
        return fields
    }

    func receiveKannel(_ request: Request, _ context: HotlineRequestContext, kannel: KannelChannel, channel: ChannelSettings) async -> Response {
        guard context.isAllowed(channel.allow) else { return forbidden(context, channel: channel) }
        let text: InboundText
        do {
            text = try kannel.inbound(fields: try await fields(request, cutOver: true), secretHeader: request.headers[.init(KannelChannel.secretHeader)!])
        } catch {
            return reject(error, channel: channel)
        }
        // An empty 200: Kannel sends no reply of its own (with omit-empty); replies go through the outbox.
        return await store(text, channel: channel, stored: Response(status: .ok))
    }

    func receiveTwilio(_ request: Request, _ context: HotlineRequestContext, twilio: TwilioChannel, channel: ChannelSettings) async -> Response {
        guard context.isAllowed(channel.allow) else { return forbidden(context, channel: channel) }
        let text: InboundText
        do {
            // Only the form body is signed as fields; the query is part of the signed URL.
            guard let body = try? await request.body.collect(upTo: Self.maxBody) else { throw WebhookError.malformed("body too large") }
            text = try twilio.inbound(pathAndQuery: request.uri.description, fields: try FormFields.parse(Array(buffer: body)),
                                      signature: request.headers[.init(TwilioChannel.signatureHeader)!])
        } catch let error as WebhookError {
            return reject(error, channel: channel)
        } catch {
            return reject(.malformed("\(error)"), channel: channel)
        }
        // TwiML with no message: the replies go out through the REST API and the outbox.
        var headers = HTTPFields()
        headers[.contentType] = "text/xml; charset=utf-8"
        return await store(text, channel: channel,
                           stored: Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "<Response/>"))))
    }

    func receiveAndroid(_ request: Request, _ context: HotlineRequestContext, android: AndroidGatewayChannel,
                        channel: ChannelSettings) async -> Response {
        guard context.isAllowed(channel.allow) else { return forbidden(context, channel: channel) }
        let event: AndroidGatewayChannel.Event
        do {
            guard let body = try? await request.body.collect(upTo: Self.maxBody) else { throw WebhookError.malformed("body too large") }
            event = try android.event(body: Array(buffer: body), signature: request.headers[.init(AndroidGatewayChannel.signatureHeader)!],
                                      timestamp: request.headers[.init(AndroidGatewayChannel.timestampHeader)!], now: clock.now())
        } catch let error as WebhookError {
            return reject(error, channel: channel)
        } catch {
            return reject(.malformed("\(error)"), channel: channel)
        }
        if case let .received(text) = event { return await store(text, channel: channel, stored: Response(status: .ok)) }
        do {
            switch event {
            case .received:
                break
            case let .status(providerID, status, detail):
                guard let status, let id = try await database.outboundMessageID(channel: channel.id, providerID: providerID) else {
                    logger.info("webhook \(channel.id): event ignored: \(detail)")
                    return Response(status: .ok)
                }
                try await database.recordDeliveryReport(messageID: id, channel: channel.id, status: Self.stored(status), detail: detail,
                                                                now: clock.now())
            }
            return Response(status: .ok)
        } catch {
            logger.error("webhook \(channel.id): cannot store event: \(error)")
            return Self.text(.serviceUnavailable, "not stored, try again")
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

    func deliveryReport(_ request: Request, _ context: HotlineRequestContext, channel: ChannelSettings, queryFields: Bool = true,
                        parse: ([String: String], String?) throws(WebhookError) -> DeliveryReport) async -> Response {
        guard context.isAllowed(channel.allow) else { return forbidden(context, channel: channel) }
        let report: DeliveryReport
        do {
            report = try parse(try await fields(request, query: queryFields), request.headers[.init(KannelChannel.secretHeader)!])
        } catch {
            return reject(error, channel: channel)
        }
        guard let status = report.status else {
            logger.info("webhook \(channel.id): delivery report ignored: \(report.detail)")
            return Response(status: .ok)
        }
        do {
            let known = try await database.recordDeliveryReport(messageID: report.messageID, channel: channel.id, providerID: report.providerID,
                                                                         status: Self.stored(status), detail: report.detail, now: clock.now())
            if !known { logger.warning("webhook \(channel.id): delivery report for no message of this channel: \(report.messageID)") }
            if report.optedOut, known {
                try await database.recordOptOut(messageID: report.messageID, channel: channel.id, providerID: report.providerID,
                                                        sparing: settings.deployment.rosterPhones, alsoIn: settings.deployment.optOutStudios, now: clock.now())
            }
            return Response(status: .ok)
        } catch {
            logger.error("webhook \(channel.id): cannot store delivery report: \(error)")
            return Self.text(.serviceUnavailable, "report not stored, try again")
        }
    }

    func forbidden(_ context: HotlineRequestContext, channel: ChannelSettings) -> Response {
        logger.warning("webhook \(channel.id): refused a request from \(context.remoteAddress?.ipAddress ?? "?"), not in allow")
        return Self.text(.forbidden, "source address not allowed")
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    /// Stores an inbound text, then answers `stored` (the 2xx the gateway expects); 404 for an
    /// unknown hotline number, 503 (so that the gateway retries) when storage fails.
    func store(_ text: InboundText, channel: ChannelSettings, stored: Response) async -> Response {
        do {
            _ = try await intake.receive(text, channel: channel)
            return stored
        } catch let error as IntakeError {
            return Self.text(.notFound, error.description)
        } catch {
            logger.error("webhook \(channel.id): cannot store message: \(error)")
            return Self.text(.serviceUnavailable, "message not stored, try again")
        }
    }

    func reject(_ error: WebhookError, channel: ChannelSettings) -> Response {
        switch error {
        case .unauthorized:
            logger.warning("webhook \(channel.id): refused: \(error)")
            return Self.json(.unauthorized, ["error": error.description])
        case .malformed:
            logger.info("webhook \(channel.id): bad request: \(error)")
            return Self.json(.badRequest, ["error": error.description])
        }
    }

    /// A JSON response; `NSNull`-free: nil values are left out.
    static func json(_ status: HTTPResponse.Status, _ object: [String: any Sendable]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
