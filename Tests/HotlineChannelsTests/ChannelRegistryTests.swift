import Foundation
import HotlineChannels
import HotlineCore
import Testing

/// The one list of kinds, and what each declares through `HotlineChannel`: the app and the config
/// loader know no kind by name, so these declarations are all that makes a kind work.
@Suite struct ChannelRegistryTests {
    struct Row: Sendable, CustomStringConvertible {
        var kind: String, sends: Bool, routes: [String], secret: WebhookSecretUse, required: [String], window: TimeInterval?
        var description: String { kind }
    }

    static let rows: [Row] = [
        Row(kind: "json", sends: false, routes: ["POST "], secret: .optional, required: [], window: nil),
        Row(kind: "dryrun", sends: true, routes: [], secret: .unused, required: [], window: nil),
        Row(kind: "kannel", sends: true, routes: ["GET ", "POST ", "GET /dlr"], secret: .optional,
            required: ["sendsms_url", "username", "password_env", "public_url"], window: nil),
        Row(kind: "twilio", sends: true, routes: ["POST ", "POST /status"], secret: .unused,
            required: ["account_sid", "auth_token_env", "public_url", "from"], window: nil),
        Row(kind: "android", sends: true, routes: ["POST "], secret: .required("the app's webhook signing key"),
            required: ["api_url", "username", "password_env", "number"], window: 120),
        Row(kind: "wechat", sends: true, routes: ["GET ", "POST "], secret: .required("the Token of the account's server settings (服务器配置)"),
            required: ["app_id", "app_secret_env", "number"], window: nil),
        Row(kind: "tencent", sends: true, routes: ["POST /status", "POST /reply"], secret: .required("the secret the callback URLs carry as ?secret=…"),
            required: ["sdk_app_id", "sign_name", "secret_id_env", "secret_key_env", "number"], window: nil),
        Row(kind: "aliyun", sends: true, routes: ["POST /report", "POST /up"], secret: .required("the secret the push URLs carry as ?secret=…"),
            required: ["sign_name", "access_key_id_env", "access_key_secret_env", "number"], window: nil),
    ]

    @Test func everyKindIsListedOnceAndTested() {
        #expect(ChannelRegistry.kindNames == Self.rows.map(\.kind))
        #expect(Set(ChannelRegistry.kindNames).count == ChannelRegistry.kinds.count)
        #expect(ChannelRegistry.kind(named: "carrier-pigeon") == nil && ChannelRegistry.spec(named: "") == nil)
    }

    @Test(arguments: rows)
    func declares(row: Row) throws {
        let type = try #require(ChannelRegistry.kind(named: row.kind))
        #expect(type.kind.rawValue == row.kind && type.kind.sends == row.sends)
        #expect((type is any SendingChannel.Type) == (row.sends && row.kind != "dryrun"), "a kind that sends through a provider builds its requests")
        #expect(type.webhookSecret == row.secret && type.sameTextWindow == row.window)
        #expect(type.options.filter(\.required).map(\.name) == row.required)
        #expect(type.options.allSatisfy { ($0.form == .environment) == $0.name.hasSuffix("_env") }, "a secret's key ends in _env")
        let setup = ChannelSetup(settings: ChannelSettings(id: "c1", kind: type.kind), secrets: [:], defaultCountryCode: "86", maxTextLength: 100)
        let adapter = try #require(ChannelRegistry.adapter(setup))
        #expect(adapter.webhooks.flatMap { route in route.methods.map { "\($0.rawValue) \(route.path)" } } == row.routes)
        #expect(setup.webhookPath == "/webhooks/\(row.kind)/c1")
    }

    /// A program posting JSON gets JSON whatever happens; a gateway gets 401/400 as JSON (its logs
    /// show the reason) and 404/503 as a line of text.
    @Test(arguments: [
        (WebhookFailure.refused(.unauthorized("wrong secret")), 401, 401),
        (.refused(.malformed("field 'from' is missing")), 400, 400),
        (.refused(.tooLarge("body is larger than 65536 bytes")), 413, 413),
        (.notFound("no studio has the hotline number 1"), 404, 404),
        (.notStored("message"), 503, 503),
    ])
    func failuresAreAnsweredInTheCallersTerms(failure: WebhookFailure, json: Int, gateway: Int) throws {
        let setup = ChannelSetup(settings: ChannelSettings(id: "c", kind: .json), secrets: [:], defaultCountryCode: "86", maxTextLength: 100)
        let toProgram = JSONWebhook(setup).reply(to: failure)
        #expect(toProgram.status == json && toProgram.contentType?.hasPrefix("application/json") == true)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(toProgram.body)) as? [String: String])
        #expect(object["error"]?.isEmpty == false)
        let toGateway = KannelChannel(ChannelSetup(settings: ChannelSettings(id: "c", kind: .kannel), secrets: [:], defaultCountryCode: "86",
                                                   maxTextLength: 100)).reply(to: failure)
        #expect(toGateway.status == gateway)
        let refusal = if case .refused = failure { true } else { false }
        #expect(toGateway.contentType?.hasPrefix(refusal ? "application/json" : "text/plain") == true)
    }
}
