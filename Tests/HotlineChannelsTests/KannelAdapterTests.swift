import Foundation
import HotlineChannels
import HotlineCore
import Testing

/// Kannel's adapter, table-driven in courier's style: incoming, delivery reports, outgoing, outcomes.
@Suite struct KannelAdapterTests {
    static let kannel = KannelChannel(secret: "s3cret", defaultCountryCode: "86", sendsmsURL: "http://127.0.0.1:13013/cgi-bin/sendsms",
                                      username: "hotline", password: "pa ss&word", publicURL: "http://hotline.example:8080/")

    struct In: Sendable, CustomStringConvertible {
        var name: String
        var query: String
        var header: String? = nil
        var error: WebhookError?
        var expected: InboundText? = nil
        var description: String { name }
    }

    static let incoming: [In] = [
        In(name: "valid, Chinese url-encoded as %b gives it",
           query: "secret=s3cret&from=8613700000001&to=10690001&text=%E5%B0%8F%E5%8C%BA%E5%81%9C%E6%B0%B4&id=abc-1",
           expected: InboundText(providerID: "abc-1", from: "+8613700000001", to: "10690001", text: "小区停水")),
        In(name: "local number form and plus-encoded spaces",
           query: "secret=s3cret&from=13700000001&to=10690001&text=no+water+here&id=2",
           expected: InboundText(providerID: "2", from: "+8613700000001", to: "10690001", text: "no water here")),
        In(name: "secret in the header", query: "from=13700000001&to=10690001&text=hi&id=3", header: "s3cret",
           expected: InboundText(providerID: "3", from: "+8613700000001", to: "10690001", text: "hi")),
        In(name: "missing id", query: "secret=s3cret&from=13700000001&to=10690001&text=hi",
           error: .malformed("field 'id' is missing (sms-service get-url needs from=%p&to=%P&text=%b&id=%I)")),
        In(name: "missing from", query: "secret=s3cret&to=10690001&text=hi&id=4",
           error: .malformed("field 'from' is missing (sms-service get-url needs from=%p&to=%P&text=%b&id=%I)")),
        In(name: "empty text", query: "secret=s3cret&from=13700000001&to=10690001&text=&id=5", error: .malformed("field 'text' is missing or empty")),
        In(name: "missing secret", query: "from=13700000001&to=10690001&text=hi&id=6",
           error: .unauthorized("missing secret (add secret=… to the Kannel URL or send X-Hotline-Secret)")),
        In(name: "wrong secret", query: "secret=guess&from=13700000001&to=10690001&text=hi&id=7", error: .unauthorized("wrong secret")),
    ]

    @Test(arguments: incoming)
    func incomingMessages(row: In) throws {
        do throws(WebhookError) {
            let fields = try FormFields.parse(Array(row.query.utf8))
            let parsed = try Self.kannel.inbound(fields: fields, secretHeader: row.header)
            #expect(row.error == nil)
            #expect(parsed == row.expected)
        } catch {
            #expect(error == row.error)
        }
    }

    @Test(arguments: ["", "abc-._~XYZ09", "小区停水三天了,一直没人管", "pa ss&word=+%/?#", "🙂 é\n\t"])
    func percentEncodingIsRFC3986AndRoundTrips(_ value: String) throws {
        var unreserved = CharacterSet(charactersIn: "-._~")
        unreserved.formUnion(CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
        #expect(FormFields.encode(value) == value.addingPercentEncoding(withAllowedCharacters: unreserved))
        #expect(try FormFields.parse(Array(FormFields.encode([("text", value), ("n", "1")]).utf8)) == ["text": value, "n": "1"])
    }

    @Test func invalidPercentEncodingIsRefused() {
        #expect(throws: WebhookError.malformed("bad percent-encoding in form data")) { try FormFields.parse(Array("text=%E5%B0%G1".utf8)) }
        #expect(throws: WebhookError.malformed("form data is not valid UTF-8")) { try FormFields.parse(Array("text=%C3%28".utf8)) }
    }

    @Test(arguments: [
        ("1", DeliveryStatus.delivered), ("2", .failed), ("16", .failed), ("4", .sent), ("8", .sent),
    ] as [(String, DeliveryStatus)])
    func deliveryReportTypes(type: String, status: DeliveryStatus) throws {
        let report = try Self.kannel.deliveryReport(fields: ["secret": "s3cret", "message": "42", "type": type], secretHeader: nil)
        #expect(report.messageID == 42 && report.status == status)
    }

    @Test func unknownReportTypeIsIgnoredAndBadReportsRefused() throws {
        #expect(try Self.kannel.deliveryReport(fields: ["secret": "s3cret", "message": "42", "type": "32"], secretHeader: nil).status == nil)
        #expect(throws: WebhookError.malformed("field 'message' is missing or not a number")) {
            try Self.kannel.deliveryReport(fields: ["secret": "s3cret", "type": "1"], secretHeader: nil)
        }
        #expect(throws: WebhookError.unauthorized("wrong secret")) {
            try Self.kannel.deliveryReport(fields: ["secret": "x", "message": "1", "type": "1"], secretHeader: nil)
        }
    }

    @Test func chineseSendUsesUCS2CodingWithUTF8CharsetAndADeliveryReportURL() throws {
        let request = Self.kannel.sendRequest(messageID: 7, from: "10690001", to: "+8613700000001", text: "已收到")
        #expect(request.method == "GET")
        let url = try #require(URLComponents(string: request.url))
        let q = Dictionary(uniqueKeysWithValues: (url.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(url.path == "/cgi-bin/sendsms")
        #expect(q["text"] == "已收到" && q["coding"] == "2" && q["charset"] == "UTF-8")
        #expect(q["to"] == "+8613700000001" && q["from"] == "10690001" && q["password"] == "pa ss&word" && q["dlr-mask"] == "19")
        #expect(q["dlr-url"] == "http://hotline.example:8080/webhooks/kannel/dlr?message=7&type=%d&answer=%A&secret=s3cret")
        // Plain ASCII goes as GSM-7: no coding, so it takes 160 characters a part.
        let ascii = Self.kannel.sendRequest(messageID: 8, from: "10690001", to: "+8613700000001", text: "Case 8 received")
        #expect(!ascii.url.contains("coding="))
    }

    @Test(arguments: [
        (202, "0: Accepted for delivery", SendOutcome.accepted(providerID: nil)),
        (202, "3: Queued for later delivery", .accepted(providerID: nil)),
        (403, "Authorization failed for sendsms", .permanent("kannel 403: Authorization failed for sendsms")),
        (400, "Number contains non-digits", .permanent("kannel 400: Number contains non-digits")),
        (429, "slow down", .retryable("kannel 429: slow down")),
        (503, "busy", .retryable("kannel 503: busy")),
    ] as [(Int, String, SendOutcome)])
    func sendsmsAnswers(status: Int, body: String, outcome: SendOutcome) {
        #expect(KannelChannel.outcome(status: status, body: body) == outcome)
    }
}
