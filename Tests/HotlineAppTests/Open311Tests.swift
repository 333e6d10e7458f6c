import Foundation
import HotlineCore
@testable import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Open311 GeoReport v2 (read only), checked field by field against the spec's lists.
@Suite struct Open311Tests {
    static let serviceFields: Set = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
    static let requestFields: Set = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                                     "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
                                     "address", "address_id", "zipcode", "lat", "long", "media_url"]

    /// Elements under each record of a GeoReport XML document.
    final class Records: NSObject, XMLParserDelegate {
        let element: String
        var records: [[String: String]] = []
        var current: [String: String]?
        var text = ""
        init(element: String) { self.element = element }
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            if name == element { current = [:] }
            text = ""
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == element, let c = current { records.append(c); current = nil } else { current?[name] = text }
        }
        static func parse(_ data: Data, element: String) -> [[String: String]]? {
            let r = Records(element: element)
            let p = XMLParser(data: data)
            p.delegate = r
            return p.parse() ? r.records : nil
        }
    }

    @Test func servicesAndRequestsInJSONAndXML() async throws {
        let clock = StepClock(thursday)
        let (settings, table) = try HotlineSetup.load(HotlinePaths(
            config: repoRoot.appendingPathComponent("config").path, intents: repoRoot.appendingPathComponent("Intents").path))
        let phones = Phones(try HotlineParts(settings: settings, rules: table, database: .inMemory(), clock: clock.wall,
                                        secrets: ["open311.token": "t0ken"]))
        try await phones.text(resident, "小区停水三天了,我的电话13912345678")
        try await phones.text("+8613700000021", "燕村的路坏了,没人修")
        try await phones.text(m3, "接 1")
        try await phones.text(m3, "办结 1 已修好")
        try await buildApplication(parts: phones.hotline, senders: nil).test(.router) { client in
            try await client.execute(uri: "/open311/v2/services.json?api_key=t0ken", method: .get) { response in
                let services = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]])
                #expect(services.count == TopicCatalog.standard.count)
                #expect(services.allSatisfy { Set($0.keys) == Self.serviceFields })
                #expect(services.first?["service_code"] as? String == "water" && services.first?["metadata"] as? String == "false")
            }
            try await client.execute(uri: "/open311/v2/requests.json?api_key=t0ken", method: .get) { response in
                #expect(response.status == .ok)
                let body = String(buffer: response.body)
                #expect(!body.contains("13912345678") && !body.contains("13700000001"))
                let requests = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]])
                #expect(requests.count == 2 && requests.allSatisfy { Set($0.keys) == Self.requestFields })
                let first = try #require(requests.first { $0["service_request_id"] as? String == "xujiawan-1" })
                #expect(first["status"] as? String == "closed" && first["service_code"] as? String == "water" && first["address"] as? String == "龙湖社区")
                #expect(first["agency_responsible"] as? String == "徐家湾委员工作室" && (first["status_notes"] as? String)?.contains("已修好") == true)
                #expect(first["requested_datetime"] as? String == "2026-11-26T02:00:00Z")
                let second = try #require(requests.first { $0["service_request_id"] as? String == "xujiawan-2" })
                #expect(second["status"] as? String == "open" && second["expected_datetime"] is String)
            }
            try await client.execute(uri: "/open311/v2/requests.xml?status=open&api_key=t0ken", method: .get) { response in
                #expect(response.headers[.contentType]?.contains("xml") == true)
                let records = try #require(Records.parse(Data(buffer: response.body), element: "request"))
                #expect(records.count == 1 && records[0]["service_request_id"] == "xujiawan-2" && Set(records[0].keys) == Self.requestFields)
            }
            try await client.execute(uri: "/open311/v2/services.xml?api_key=t0ken", method: .get) { response in
                let records = try #require(Records.parse(Data(buffer: response.body), element: "service"))
                #expect(records.count == TopicCatalog.standard.count && Set(records[0].keys) == Self.serviceFields)
            }
            try await client.execute(uri: "/open311/v2/requests/xujiawan-1.json?api_key=t0ken", method: .get) { response in
                let requests = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]])
                #expect(requests.count == 1 && requests[0]["status"] as? String == "closed")
            }
            try await client.execute(uri: "/open311/v2/requests.json?service_code=roads&api_key=t0ken", method: .get) { response in
                let requests = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]])
                #expect(requests.map { $0["service_request_id"] as? String } == ["xujiawan-2"])
            }
            try await client.execute(uri: "/open311/v2/requests.json?start_date=2026-11-27T00:00:00Z&api_key=t0ken", method: .get) { response in
                #expect(String(buffer: response.body) == "[]")
            }
            for (uri, status, says) in [("/open311/v2/requests/xujiawan-9.json?api_key=t0ken", HTTPResponse.Status.notFound, "no service request"),
                                        ("/open311/v2/requests.json?status=maybe&api_key=t0ken", .badRequest, "status is open or closed"),
                                        ("/open311/v2/requests.json?start_date=yesterday&api_key=t0ken", .badRequest, "is not a W3C datetime"),
                                        ("/open311/v2/requests.json?service_code=x&api_key=t0ken", .badRequest, "no service_code"),
                                        ("/open311/v2/requests.csv?api_key=t0ken", .notFound, "no such document"),
                                        ("/open311/v2/requests.json", .unauthorized, "api_key is missing"),
                                        ("/open311/v2/requests/xujiawan-1.json?api_key=nope", .unauthorized, "api_key is wrong")] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == status, "\(uri)")
                    #expect(String(buffer: response.body).contains(says), "\(uri): \(String(buffer: response.body))")
                }
            }
        }
    }

    /// A resident's text with characters XML 1.0 forbids (every range) leaves the feed readable.
    @Test func forbiddenCharactersNeverBreakTheXMLFeed() async throws {
        let (settings, table) = try HotlineSetup.load(HotlinePaths(
            config: repoRoot.appendingPathComponent("config").path, intents: repoRoot.appendingPathComponent("Intents").path))
        let phones = Phones(try HotlineParts(settings: settings, rules: table, database: .inMemory(), clock: .fixed(thursday),
                                        secrets: ["open311.token": "t0ken"]))
        let bad = [0x1, 0x8, 0xB, 0xC, 0xE, 0x1F, 0xFFFE, 0xFFFF].map { String(Character(Unicode.Scalar($0)!)) }.joined()
        try await phones.text(resident, "小区停水三天了\(bad)")
        try await buildApplication(parts: phones.hotline, senders: nil).test(.router) { client in
            for uri in ["/open311/v2/requests.xml?api_key=t0ken", "/open311/v2/requests/xujiawan-1.xml?api_key=t0ken"] {
                try await client.execute(uri: uri, method: .get) { response in
                    let records = try #require(Records.parse(Data(buffer: response.body), element: "request"), "\(uri) does not parse")
                    #expect(records.first?["description"]?.hasPrefix("小区停水三天了") == true && records.first?["description"]?.contains("\u{FFFD}") == true, "\(records.first?["description"]?.unicodeScalars.map { String($0.value, radix: 16) } ?? [])")
                }
            }
        }
    }

    /// Wrong keys are limited per address: after ten, even the right one waits.
    @Test func wrongKeysAreLimited() async throws {
        let (settings, table) = try HotlineSetup.load(HotlinePaths(
            config: repoRoot.appendingPathComponent("config").path, intents: repoRoot.appendingPathComponent("Intents").path))
        let hotline = try HotlineParts(settings: settings, rules: table, database: .inMemory(), clock: .fixed(thursday), secrets: ["open311.token": "t0ken"])
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            for i in 0..<10 {
                try await client.execute(uri: "/open311/v2/services.json?api_key=guess\(i)", method: .get) { #expect($0.status == .unauthorized) }
            }
            try await client.execute(uri: "/open311/v2/requests/xujiawan-1.json?api_key=t0ken", method: .get) { response in
                #expect(response.status == .tooManyRequests && String(buffer: response.body).contains("try again"))
            }
        }
    }

    /// Without its token configured, Open311 is off.
    @Test func offUnlessItsTokenIsSet() async throws {
        try await buildApplication(parts: try makeHotline(), senders: nil).test(.router) { client in
            try await client.execute(uri: "/open311/v2/requests.json?api_key=anything", method: .get) { response in
                #expect(response.status == .notFound && String(buffer: response.body).contains("HOTLINE_OPEN311_TOKEN"))
            }
        }
    }

    /// A database that cannot be read is answered 503, never "not found".
    @Test func anUnreadableDatabaseIsNoNotFound() async throws {
        let (settings, table) = try HotlineSetup.load(HotlinePaths(
            config: repoRoot.appendingPathComponent("config").path, intents: repoRoot.appendingPathComponent("Intents").path))
        let hotline = try HotlineParts(settings: settings, rules: table, database: .inMemory(), clock: .fixed(thursday), secrets: ["open311.token": "t"])
        try await hotline.database.writer.write { try $0.execute(sql: "ALTER TABLE cases RENAME TO cases_gone") }
        try await buildApplication(parts: hotline, senders: nil).test(.router) { client in
            for uri in ["/open311/v2/requests/xujiawan-1.json?api_key=t", "/open311/v2/requests.json?api_key=t"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .serviceUnavailable, "\(uri)")
                    #expect(String(buffer: response.body).contains("cases cannot be read now"))
                }
            }
        }
    }
}
