import Foundation
import HotlineCore
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Builds the HTTP application with the background services of `hotline serve`.
public func buildApplication(
    hotline: Hotline, senders: SenderDirectory, host: String, port: Int,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = Router()
    WebhookController(hotline: hotline).register(on: router)
    let dispatcher = OutboxDispatcher(hotline: hotline, senders: senders)
    return Application(
        router: router,
        configuration: .init(address: .hostname(host, port: port), serverName: "StudioHotline"),
        services: [dispatcher],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: hotline.logger)
}
