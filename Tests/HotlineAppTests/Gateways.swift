import HotlineChannels

/// The gateways' adapters as the app's tests use them (their own tables are in HotlineChannelsTests).
enum Gateways {
    static let kannel = KannelChannel(secret: "s3cret", defaultCountryCode: "86", sendsmsURL: "http://127.0.0.1:13013/cgi-bin/sendsms",
                                      username: "hotline", password: "pa ss&word", publicURL: "http://hotline.example:8080/")

    /// `X-Twilio-Signature` for `fields` posted to `base + path` with the test channel's token.
    static func twilioSigned(_ fields: [String: String], path: String = "/webhooks/twilio", token: String = "tok-en",
                             base: String = "https://hotline.example.org") -> String {
        TwilioChannel.signature(authToken: token, url: base + path, fields: fields)
    }
}
