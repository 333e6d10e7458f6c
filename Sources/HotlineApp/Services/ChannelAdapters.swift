import HotlineChannels
import HotlineConfig
import HotlineCore

/// The configured channels' adapters, each built by its kind (``ChannelRegistry``) with its secrets
/// from the environment.
public struct ChannelAdapters: Sendable {
    let channels: [ChannelSettings], secrets: [String: String]
    /// Adapters by channel id.
    let adapters: [String: any HotlineChannel]

    public init(settings: HotlineSettings, secrets: [String: String]) {
        (channels, self.secrets) = (settings.channels, secrets)
        var adapters: [String: any HotlineChannel] = [:]
        for channel in settings.channels {
            // Secrets are kept as "<channel id>.<option without _env>", the webhook secret under the id.
            var own: [String: String] = [:]
            for (key, value) in secrets where key.hasPrefix(channel.id + ".") { own[String(key.dropFirst(channel.id.count + 1))] = value }
            own["secret"] = secrets[channel.id]
            let setup = ChannelSetup(settings: channel, secrets: own, defaultCountryCode: settings.deployment.defaultCountryCode,
                                     maxTextLength: settings.maxInboundLength, casePage: settings.deployment.casePage)
            adapters[channel.id] = ChannelRegistry.adapter(setup)
        }
        self.adapters = adapters
    }

    /// The adapter of a configured channel.
    public func adapter(for channel: ChannelSettings) -> (any HotlineChannel)? { adapters[channel.id] }

    /// The adapter of a configured channel as its kind's type (tests, tools).
    public func adapter<Channel: HotlineChannel>(for channel: ChannelSettings, as: Channel.Type) -> Channel? { adapters[channel.id] as? Channel }

    /// The secret configured for a channel's webhook (nil: not set, requests are not verified).
    public func secret(for channel: ChannelSettings) -> String? { secrets[channel.id] }

    /// How long the same text from the same number counts as one message on this channel.
    func sameTextWindow(_ channel: ChannelSettings) -> Double? {
        adapters[channel.id].flatMap { type(of: $0).sameTextWindow }
    }

    /// Webhooks that would take unsigned requests from others: a channel without its secret may
    /// only listen on loopback (the demo's default). The first such channel's problem, or nil.
    func exposureProblem(host: String) -> String? {
        guard !["127.0.0.1", "localhost", "::1"].contains(host) else { return nil }
        for channel in channels where secret(for: channel) == nil {
            guard let adapter = adapters[channel.id], type(of: adapter).webhookSecret == .optional else { continue }
            return "channel \(channel.id): listening on \(host) needs its webhook secret; set \(channel.secretEnv ?? "secret_env (config/hotline.yaml)") or listen on 127.0.0.1"
        }
        return nil
    }
}
