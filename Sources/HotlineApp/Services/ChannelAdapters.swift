import HotlineChannels
import HotlineConfig
import HotlineCore

/// The configured channels' adapters, each with its secrets from the environment.
public struct ChannelAdapters: Sendable {
    let channels: [ChannelSettings], countryCode: String, maxTextLength: Int, secrets: [String: String]

    public init(settings: HotlineSettings, secrets: [String: String]) {
        (self.channels, self.countryCode, self.maxTextLength, self.secrets) = (settings.channels, settings.deployment.defaultCountryCode, settings.maxInboundLength, secrets)
    }

    /// The secret configured for a channel (nil: not set, requests are not verified).
    public func secret(for channel: ChannelSettings) -> String? { secrets[channel.id] }

    /// The Twilio adapter for a configured twilio channel, with its auth token.
    public func twilio(_ channel: ChannelSettings) -> TwilioChannel {
        TwilioChannel(accountSID: channel.options["account_sid"] ?? "", authToken: secrets["\(channel.id).auth_token"] ?? "",
                      apiBaseURL: channel.options["api_base_url"] ?? "https://api.twilio.com", publicURL: channel.options["public_url"] ?? "",
                      sender: channel.options["from"] ?? "", defaultCountryCode: countryCode,
                      webhookPath: "/webhooks/twilio/\(channel.id)", maxTextLength: maxTextLength)
    }

    /// The Android gateway adapter for a configured android channel, with its secrets.
    public func android(_ channel: ChannelSettings) -> AndroidGatewayChannel {
        AndroidGatewayChannel(signingKey: secret(for: channel) ?? "",
                              hotlineNumber: PhoneNumber.normalize(channel.options["number"] ?? "", defaultCountryCode: countryCode),
                              apiURL: channel.options["api_url"] ?? "", username: channel.options["username"] ?? "",
                              password: secrets["\(channel.id).password"] ?? "", defaultCountryCode: countryCode,
                              maxTextLength: maxTextLength)
    }

    /// The Kannel adapter for a configured kannel channel, with its secrets.
    public func kannel(_ channel: ChannelSettings) -> KannelChannel {
        KannelChannel(secret: secret(for: channel), defaultCountryCode: countryCode,
                      sendsmsURL: channel.options["sendsms_url"] ?? "", username: channel.options["username"] ?? "",
                      password: secrets["\(channel.id).password"] ?? "", publicURL: channel.options["public_url"] ?? "",
                      webhookPath: "/webhooks/kannel/\(channel.id)", maxTextLength: maxTextLength)
    }

    /// Webhooks that would take unsigned requests from others: a channel without its secret may
    /// only listen on loopback (the demo's default). The first such channel's problem, or nil.
    func exposureProblem(host: String) -> String? {
        guard !["127.0.0.1", "localhost", "::1"].contains(host) else { return nil }
        for channel in channels where [.json, .kannel].contains(channel.kind) && secret(for: channel) == nil {
            return "channel \(channel.id): listening on \(host) needs its webhook secret; set \(channel.secretEnv ?? "secret_env (config/hotline.yaml)") or listen on 127.0.0.1"
        }
        return nil
    }
}
