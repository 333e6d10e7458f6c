import Foundation
import HotlineChannels

/// One channel's access token: kept until shortly before it expires, fetched by one caller at a
/// time however many sends wait for it, and dropped when a send found it refused.
actor AccessTokens {
    /// A token is renewed this long before the provider says it expires (WeChat's last 7,200 s).
    static let margin: TimeInterval = 300

    private var current: (token: String, until: Date)?
    private var fetching: Task<AccessTokenAnswer, Never>?
    /// Refused tokens: a later fetch asks the provider for a new one (`force_refresh`).
    private var refused: Set<String> = []
    private let now: @Sendable () -> Date

    init(now: @escaping @Sendable () -> Date = Date.init) { self.now = now }

    /// A token good now, or what the failed fetch means.
    func token(_ fetch: @escaping @Sendable (_ renew: Bool) async -> AccessTokenAnswer) async -> AccessTokenAnswer {
        if let current, current.until > now() { return .token(current.token, validFor: current.until.timeIntervalSince(now())) }
        if let fetching { return await fetching.value }
        let renew = !refused.isEmpty
        let task = Task { await fetch(renew) }
        fetching = task
        let answer = await task.value
        fetching = nil
        if case let .token(token, validFor) = answer {
            current = (token, now().addingTimeInterval(max(validFor - Self.margin, validFor / 2)))
            refused.removeAll()
        }
        return answer
    }

    /// A send's answer said `token` is invalid or expired: the next caller fetches a new one
    /// (unless another already has).
    func refuse(_ token: String) {
        guard current?.token == token else { return }
        current = nil
        refused.insert(token)
    }
}
