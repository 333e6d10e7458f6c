import ServiceLifecycle

/// The loop of the background services that work on a clock (deadlines, the search index,
/// checkpoints, memory): a pass, then a wait of `interval`, until the service is cancelled or a
/// graceful shutdown starts — which ends the wait at once (it does not cancel tasks).
enum Periodic {
    /// `waitFirst`: the first pass comes after one interval rather than at start.
    static func run(every interval: Duration, waitFirst: Bool = false, _ pass: () async -> Void) async {
        if waitFirst { await wait(interval) }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await pass()
            await wait(interval)
        }
    }

    private static func wait(_ interval: Duration) async {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
    }
}
