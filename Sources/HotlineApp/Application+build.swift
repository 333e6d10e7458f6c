import Foundation
import HotlineCore
import Hummingbird
import HotlineStorage
import Logging
import NIOCore
import ServiceLifecycle

/// Builds the HTTP application with the background services of `hotline serve`.
///
/// - Parameters:
///   - senders: the outbox dispatcher's senders; nil runs no dispatcher (tests drain the outbox themselves).
///   - intents: the rule table folder to watch and reload; nil watches nothing.
///   - followUpEvery: how often the deadline service looks at cases; nil runs none.
///   - telemetry: serves `GET /metrics` and records request metrics (nil: neither).
///   - bcryptCost: the password hash's cost for API logins (tests lower it).
///   - maxInFlight: requests in flight beyond which webhooks and the residents' pages are answered
///     503 with `Retry-After` (``InFlightLimit``).
public func buildApplication(
    parts: HotlineParts, senders: SenderDirectory?, intents: String? = nil, followUpEvery: Duration? = nil,
    host: String = "127.0.0.1", port: Int = 8080, idleTimeoutSeconds: Int64 = 30, telemetry: Telemetry? = nil, bcryptCost: UInt8 = 12,
    maxInFlight: Int = 1_024,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    // The composition root: every application service is built here, once, and handed to the
    // controllers and background services that use it.
    let services = HotlineServices(parts, bcryptCost: bcryptCost)
    let router = makeRouter(parts: parts, services: services, telemetry: telemetry, senders: senders, inFlight: InFlightLimit(limit: maxInFlight))
    // The server is the last service, so it stops first on shutdown; the dispatcher then sends
    // what requests answered before the signal queued.
    var background: [any Service] = senders.map { [OutboxDispatcher(parts, senders: $0)] } ?? []
    if senders != nil { parts.dispatcherHeartbeat.expect() }
    if let intents { background.append(RuleReloader(parts, directory: intents)) }
    background.append(SearchIndexer(parts))
    // A failed log sync ends the service: only a restart makes the database's writes trustworthy again.
    background.append(DurabilityWatch(parts))
    background.append(MemoryTrimmer(parts, gate: services.readGate))
    // The server's commits never wait for a checkpoint: a connection of their own copies the log.
    do {
        if let checkpoints = try parts.database.takeOverCheckpoints() { background.append(Checkpointer(checkpoints, logger: parts.logger)) }
    } catch {
        parts.logger.warning("checkpoints stay on the writer: \(error)")
    }
    background.append(RetentionService(parts))
    if let backup = parts.settings.backup { background.append(BackupService(parts, settings: backup)) }
    if let followUpEvery { background.append(FollowUpService(services.casework, interval: followUpEvery)) }
    let responder = MethodNotAllowedResponder(router.buildResponder(), routes: router.routes.map { ("\($0.method)", "\($0.path)") })
    return Application(
        responder: responder,
        // A connection that sends nothing (or half a request) for this long is closed: a client that
        // opens connections and never finishes its request cannot hold them forever.
        server: .http1(configuration: .init(idleTimeout: .seconds(idleTimeoutSeconds))),
        configuration: .init(address: .hostname(host, port: port), serverName: "StudioHotline"),
        services: background,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: parts.logger)
}

/// Every HTTP route of the service: webhooks, health, Open311, the admin API, the dashboard, metrics.
/// `senders`: the dispatcher's, whose access tokens also sign the case page's WeChat button.
func makeRouter(parts: HotlineParts, services: HotlineServices, telemetry: Telemetry? = nil, senders: SenderDirectory? = nil,
                inFlight: InFlightLimit = InFlightLimit(limit: 1_024)) -> Router<HotlineRequestContext> {
    let router = Router(context: HotlineRequestContext.self)
    let gated = ["/dashboard", "/api/v1/"]
    // A burst beyond what the machine takes is refused at once (503, Retry-After), not queued.
    router.add(middleware: InFlightLimitMiddleware(limit: inFlight, gated: gated))
    // Coordinators' pages and reports take turns; intake never waits behind them.
    router.add(middleware: ReadGateMiddleware(gate: services.readGate, prefixes: gated))
    if let telemetry {
        // Request counts and durations per route (Hummingbird's own middleware), and the scrape.
        router.add(middleware: MetricsMiddleware())
        let (database, clock, logger) = (parts.database, parts.clock, parts.logger)
        router.get("/metrics") { _, _ -> Response in
            let text = await telemetry.scrape(database, now: clock.now(), logger: logger, backups: parts.backups)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
    WebhookController(parts, intake: services.intake).addRoutes(to: router)
    Open311.addRoutes(to: router, feed: Open311.Feed(parts))
    let api = AdminAPI(parts, services: services)
    api.addRoutes(to: router)
    // The templates are compiled in and parsed at start-up; one that does not parse is a build defect.
    do {
        let dashboard = try Dashboard(parts, services: services)
        dashboard.addRoutes(to: router)
        dashboard.addResidentRoutes(to: router, intake: services.intake, channels: parts.settings.channels, adapters: parts.channels, senders: senders)
    } catch { preconditionFailure("dashboard templates: \(error)") }
    return router
}

/// Sets how many event-loop threads the HTTP server (and outbound HTTP) use; call before the
/// server starts. NIO's default is one per CPU core; on a small machine that also runs Kannel,
/// fewer threads leave Kannel more of the CPU (see BENCHMARKS.md).
public func useEventLoopThreads(_ count: Int) {
    NIOSingletons.groupLoopCountSuggestion = count
}
