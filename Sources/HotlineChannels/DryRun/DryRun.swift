import HotlineCore

extension ChannelKind {
    /// Sends nothing: the app marks outbound messages sent and logs them (demo, development).
    public static let dryrun = ChannelKind("dryrun")
}

/// The dry-run channel: no webhooks, no provider. The app sends its messages to the log.
public struct DryRunChannel: HotlineChannel {
    public static let kind = ChannelKind.dryrun
    public static let webhookSecret = WebhookSecretUse.unused

    public init(_ setup: ChannelSetup) {}

    public var webhooks: [WebhookRoute] { [] }
}
