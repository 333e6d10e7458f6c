import Foundation
import Hummingbird

/// Bounds how many coordinators' requests (dashboard pages, the admin API, reports) run at once, so
/// that however many are open, their memory and queueing stay bounded: beyond `concurrent` they
/// wait their turn, beyond `waiting` more they are answered 503 with `Retry-After`. Those admitted
/// run on ``PageThreads`` (below intake's priority), so intake keeps the CPU it needs whatever they
/// cost. Webhooks, health checks and the residents' page never pass through it.
public actor ReadGate {
    nonisolated public let concurrent: Int, waiting: Int
    private var running = 0
    private var queue: [CheckedContinuation<Void, Never>] = []
    /// When the last request left (nil: none yet).
    private var lastLeft: ContinuousClock.Instant?

    /// As many at once as there are page threads (one per core).
    public init(concurrent: Int = PageThreads.shared.count, waiting: Int = 64) {
        (self.concurrent, self.waiting) = (max(1, concurrent), max(0, waiting))
    }

    /// Waits for a turn; false when too many already wait (the caller answers 503).
    func enter() async -> Bool {
        if running < concurrent {
            running += 1
            return true
        }
        guard queue.count < waiting else { return false }
        await withCheckedContinuation { queue.append($0) }
        return true
    }

    /// Ends a turn: the longest waiting request runs next.
    func leave() {
        lastLeft = .now
        if queue.isEmpty { running -= 1 } else { queue.removeFirst().resume() }
    }

    /// Whether no request has run for `quiet` (true when none ever has): the memory trimmer waits
    /// for such a spell.
    public func isQuiet(for quiet: Duration) -> Bool {
        running == 0 && (lastLeft.map { ContinuousClock.now - $0 >= quiet } ?? true)
    }

    /// How many run now and how many wait (tests, metrics).
    var load: (running: Int, waiting: Int) { (running, queue.count) }
}

/// Passes the requests whose path starts with one of `prefixes` through the gate, and runs them on
/// ``PageThreads``.
struct ReadGateMiddleware<Context: RequestContext>: RouterMiddleware {
    let gate: ReadGate
    let prefixes: [String]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard prefixes.contains(where: { path.hasPrefix($0) }) else { return try await next(request, context) }
        guard await gate.enter() else {
            var headers = HTTPFields()
            headers[.retryAfter] = "2"
            headers[.contentType] = "application/json"
            return Response(status: .serviceUnavailable, headers: headers,
                            body: .init(byteBuffer: ByteBuffer(string: #"{"error":"too many pages and reports at once; try again in a moment"}"#)))
        }
        do {
            let response = try await withTaskExecutorPreference(PageThreads.shared) { try await next(request, context) }
            await gate.leave()
            return response
        } catch {
            await gate.leave()
            throw error
        }
    }
}
