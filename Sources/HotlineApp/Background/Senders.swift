import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Logging

/// Sends one outbox item through a provider. Implementations do the I/O; the dispatcher decides retries.
public protocol MessageSender: Sendable {
    func send(_ item: OutboxItem) async -> SendOutcome
}

/// Sends nothing: logs the message (phone masked) and reports it accepted.
public struct DryRunSender: MessageSender {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func send(_ item: OutboxItem) async -> SendOutcome {
        logger.info("dry-run send", metadata: [
            "to": "\(PhoneNumber.mask(item.to))", "message": "\(item.messageID)", "text": "\(item.text)",
        ])
        return .accepted(providerID: "dryrun-\(item.messageID)")
    }
}

/// Senders by channel id, built from the configured channels.
public struct SenderDirectory: Sendable {
    var senders: [String: any MessageSender]

    public init(_ senders: [String: any MessageSender]) { self.senders = senders }

    /// The real senders for the configured channels, with their credentials from the secrets.
    public static func configured(_ parts: HotlineParts, transport: any HTTPTransport = AsyncHTTPTransport()) -> SenderDirectory {
        var senders: [String: any MessageSender] = [:]
        for channel in parts.settings.channels {
            if channel.kind == .dryrun {
                senders[channel.id] = DryRunSender(logger: parts.logger)
            } else if let adapter = parts.channels.adapter(for: channel) as? any SendingChannel {
                senders[channel.id] = HTTPGatewaySender(adapter, transport: transport)
            }
        }
        return SenderDirectory(senders)
    }

    /// Every channel sends through `sender` (the simulator's console, tests).
    public static func all(_ channels: [ChannelSettings], _ sender: any MessageSender) -> SenderDirectory {
        SenderDirectory(Dictionary(uniqueKeysWithValues: channels.filter(\.canSend).map { ($0.id, sender) }))
    }

    public func sender(for channel: String) -> (any MessageSender)? { senders[channel] }
}
