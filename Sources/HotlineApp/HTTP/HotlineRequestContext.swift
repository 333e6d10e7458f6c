import Hummingbird
import NIOCore

/// The request context of the service: Hummingbird's basics plus the peer's address, for
/// channels with a source-address allow-list.
public struct HotlineRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Whether the peer may call a channel with allow-list `allow` (empty: anyone).
    func isAllowed(_ allow: [String]) -> Bool {
        guard !allow.isEmpty else { return true }
        guard let ip = remoteAddress?.ipAddress else { return false }
        return allow.contains(ip)
    }
}
