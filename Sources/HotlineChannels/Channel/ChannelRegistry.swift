import HotlineCore

/// The kinds of channel the service knows: the one list a new kind is added to.
public enum ChannelRegistry {
    public static let kinds: [any HotlineChannel.Type] = [
        JSONWebhook.self,
        DryRunChannel.self,
        KannelChannel.self,
        TwilioChannel.self,
        AndroidGatewayChannel.self,
        WeChatChannel.self,
        TencentSMSChannel.self,
        AliyunSMSChannel.self,
    ]

    /// The registered kinds' names, in the list's order.
    public static var kindNames: [String] { kinds.map { $0.kind.rawValue } }

    /// The kind named `name` in a config file.
    public static func kind(named name: String) -> (any HotlineChannel.Type)? {
        kinds.first { $0.kind.rawValue == name }
    }

    /// The adapter of one configured channel (nil for a kind not registered).
    public static func adapter(_ setup: ChannelSetup) -> (any HotlineChannel)? {
        kind(named: setup.settings.kind.rawValue)?.init(setup)
    }

    /// What a config file's channel of kind `name` is checked against (nil: no such kind).
    public static func spec(named name: String) -> ChannelSpec? {
        kind(named: name).map {
            ChannelSpec(kind: $0.kind, options: $0.options, webhookSecret: $0.webhookSecret, routeNames: routeNames(of: $0), templates: $0.templates)
        }
    }

    /// The route suffixes of a kind (`dlr`, `status`): no channel of the kind may take one as its
    /// id, as its first channel answers at `/webhooks/<kind>` too.
    public static func routeNames(of type: any HotlineChannel.Type) -> Set<String> {
        let probe = type.init(ChannelSetup(settings: ChannelSettings(id: "probe", kind: type.kind), secrets: [:], defaultCountryCode: "86",
                                           maxTextLength: 1))
        return Set(probe.webhooks.map { String($0.path.drop { $0 == "/" }) }.filter { !$0.isEmpty })
    }
}

/// What a kind declares about its configuration, as plain values.
public struct ChannelSpec: Sendable {
    public var kind: ChannelKind
    public var options: [ChannelOption]
    public var webhookSecret: WebhookSecretUse
    /// Route suffixes no channel id of the kind may take.
    public var routeNames: Set<String>
    /// What `templates:` is to its channels.
    public var templates: TemplateUse
}
