import Hummingbird
import Synchronization

/// The cap on requests in flight (webhooks, the residents' page, Open311 — the gate of pages and
/// reports is ``ReadGate``'s): beyond `limit` a request is answered at once with 503 and
/// `Retry-After`, so a burst larger than the machine can take becomes refusals the gateways retry
/// (Kannel on any non-2xx with the same id, Twilio and the cloud providers on a 5xx) rather than a
/// queue that outgrows their timeouts. Health checks and `/metrics` are never refused: they must
/// answer most when the service is busiest.
public final class InFlightLimit: Sendable {
    public let limit: Int
    private let inFlight = Atomic<Int>(0)

    public init(limit: Int) { self.limit = max(1, limit) }

    /// Takes a place; false when all `limit` are taken.
    func enter() -> Bool {
        let now = inFlight.add(1, ordering: .acquiringAndReleasing).newValue
        if now <= limit { return true }
        inFlight.subtract(1, ordering: .acquiringAndReleasing)
        return false
    }

    func leave() { inFlight.subtract(1, ordering: .acquiringAndReleasing) }

    /// Paths never refused.
    static let exempt: Set<String> = ["/healthz", "/readyz", "/metrics"]
}

struct InFlightLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: InFlightLimit
    /// Paths the ``ReadGate`` bounds on its own.
    let gated: [String]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if InFlightLimit.exempt.contains(path) || gated.contains(where: { path.hasPrefix($0) }) { return try await next(request, context) }
        guard limit.enter() else {
            var headers = HTTPFields()
            headers[.retryAfter] = "1"
            headers[.contentType] = "application/json"
            return Response(status: .serviceUnavailable, headers: headers,
                            body: .init(byteBuffer: ByteBuffer(string: #"{"error":"busy: \#(limit.limit) requests in flight; try again in a second"}"#)))
        }
        defer { limit.leave() }
        return try await next(request, context)
    }
}
