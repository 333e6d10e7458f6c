import Foundation
import HotlineChannels
import HotlineCore
import HotlineTestSupport
import Testing

/// The Twilio-compatible adapter, table-driven: signatures, incoming, status callbacks, outgoing, outcomes.
@Suite struct TwilioAdapterTests {
    static let twilio = TwilioChannel(accountSID: "AC123", authToken: "tok-en", apiBaseURL: "https://api.example.test/",
                                      publicURL: "https://hotline.example.org", sender: "+8610690001", defaultCountryCode: "86")

    /// Twilio's documented example (its docs and the official `twilio` Python package give this value).
    @Test func documentedSignatureExample() {
        let fields = ["CallSid": "CA1234567890ABCDE", "Caller": "+14158675310", "Digits": "1234", "From": "+14158675310", "To": "+18005551212"]
        #expect(TwilioChannel.signature(authToken: "12345", url: "https://mycompany.com/myapp.php?foo=1&bar=2", fields: fields)
            == "GvWf1cFY/Q7PnoempGyD5oXAezc=")
    }

    /// Cross-check against the official package on inputs with Chinese and blank fields (.ci/run installs it).
    @Test func signatureMatchesTheOfficialPythonPackage() async throws {
        let fields = ["Body": "小区停水三天了", "From": "+8613700000001", "To": "+8610690001", "MessageSid": "SM1", "FromCity": "", "NumMedia": "0"]
        let url = "https://hotline.example.org/webhooks/twilio?x=1"
        let script = """
            import json, sys
            from twilio.request_validator import RequestValidator
            print(RequestValidator(sys.argv[1]).compute_signature(sys.argv[2], json.loads(sys.argv[3])))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, "tok-en", url,
                             String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)]
        let run = try await runToEnd(process)
        let expected = run.out.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(run.status == 0, "python3 with the twilio package is needed (./test installs it): \(run.err.suffix(500))")
        #expect(TwilioChannel.signature(authToken: "tok-en", url: url, fields: fields) == expected)
    }

    static let fields = ["MessageSid": "SM42", "From": "+8613700000001", "To": "+8610690001", "Body": "路灯坏了", "FromCity": ""]
    static func signed(_ fields: [String: String], path: String = "/webhooks/twilio", token: String = "tok-en",
                       base: String = "https://hotline.example.org") -> String {
        TwilioChannel.signature(authToken: token, url: base + path, fields: fields)
    }

    struct In: Sendable, CustomStringConvertible {
        var name: String
        var fields: [String: String]
        var signature: String?
        var error: WebhookError?
        var keyword: ProviderKeyword?
        var description: String { name }
    }

    static let incoming: [In] = [
        In(name: "valid", fields: fields, signature: signed(fields)),
        In(name: "tampered body", fields: fields.merging(["Body": "路灯好了"]) { $1 }, signature: signed(fields),
           error: .unauthorized("X-Twilio-Signature does not match (is public_url exactly the URL configured at the provider?)")),
        In(name: "signed for another URL", fields: fields, signature: signed(fields, base: "http://hotline.example.org"),
           error: .unauthorized("X-Twilio-Signature does not match (is public_url exactly the URL configured at the provider?)")),
        In(name: "wrong token", fields: fields, signature: signed(fields, token: "other"),
           error: .unauthorized("X-Twilio-Signature does not match (is public_url exactly the URL configured at the provider?)")),
        In(name: "missing header", fields: fields, signature: nil, error: .unauthorized("missing X-Twilio-Signature header")),
        In(name: "missing Body", fields: fields.filter { $0.key != "Body" }, signature: signed(fields.filter { $0.key != "Body" }),
           error: .malformed("field 'Body' is missing")),
    ] + [("STOP", ProviderKeyword.optOut), ("START", .optIn), ("HELP", .help), ("stop", .optOut), ("UNKNOWN", nil)].map { value, keyword in
        // Advanced Opt-Out marks the keywords it answered; an unknown value leaves a plain text.
        let marked = fields.merging(["OptOutType": value]) { $1 }
        return In(name: "OptOutType \(value)", fields: marked, signature: signed(marked), keyword: keyword)
    }

    @Test(arguments: incoming)
    func incomingMessages(row: In) {
        do throws(WebhookError) {
            let text = try Self.twilio.inbound(pathAndQuery: "/webhooks/twilio", fields: row.fields, signature: row.signature)
            #expect(row.error == nil)
            #expect(text == InboundText(providerID: "SM42", from: "+8613700000001", to: "+8610690001", text: "路灯坏了", keyword: row.keyword))
        } catch {
            #expect(error == row.error)
        }
    }

    @Test(arguments: [
        ("delivered", "", DeliveryStatus?.some(.delivered), false), ("sent", "", .sent, false), ("queued", "", .sent, false),
        ("undelivered", "30003", .failed, false), ("failed", "21610", .failed, true), ("read", "", nil, false),
    ] as [(String, String, DeliveryStatus?, Bool)])
    func statusCallbacks(status: String, code: String, expected: DeliveryStatus?, optedOut: Bool) throws {
        let fields = ["MessageSid": "SM1", "MessageStatus": status, "ErrorCode": code]
        let path = "/webhooks/twilio/status?message=7"
        let report = try Self.twilio.statusCallback(pathAndQuery: path, fields: fields, signature: Self.signed(fields, path: path))
        #expect(report.messageID == 7 && report.status == expected && report.optedOut == optedOut)
    }

    @Test func sendRequestUsesTheConfiguredBaseURLBasicAuthAndAStatusCallback() throws {
        let r = Self.twilio.sendRequest(messageID: 9, to: "+8613700000001", text: "已收到")
        #expect(r.method == "POST" && r.url == "https://api.example.test/2010-04-01/Accounts/AC123/Messages.json")
        #expect(r.headers["Authorization"] == "Basic " + Data("AC123:tok-en".utf8).base64EncodedString())
        let body = try FormFields.parse(r.body ?? [])
        #expect(body == ["To": "+8613700000001", "Body": "已收到", "From": "+8610690001",
                         "StatusCallback": "https://hotline.example.org/webhooks/twilio/status?message=9"])
        var viaService = Self.twilio
        viaService.sender = "MG999"
        #expect(try FormFields.parse(viaService.sendRequest(messageID: 1, to: "+1", text: "x").body ?? [])["MessagingServiceSid"] == "MG999")
    }

    @Test(arguments: [
        (201, #"{"sid":"SM77","status":"queued"}"#, SendOutcome.accepted(providerID: "SM77")),
        (429, #"{"code":20429,"message":"Too Many Requests"}"#, .retryable("twilio 429: Too Many Requests")),
        (503, "unavailable", .retryable("twilio 503: unavailable")),
        (400, #"{"code":21610,"message":"Attempt to send to unsubscribed recipient"}"#, .optedOut("twilio 21610: recipient opted out")),
        (401, #"{"code":20003,"message":"Authenticate"}"#, .permanent("twilio 401 error 20003: Authenticate")),
    ] as [(Int, String, SendOutcome)])
    func restAnswers(status: Int, body: String, outcome: SendOutcome) {
        #expect(TwilioChannel.outcome(status: status, body: body) == outcome)
    }
}
