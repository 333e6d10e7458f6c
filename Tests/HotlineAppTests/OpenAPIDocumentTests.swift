import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Yams
@testable import HotlineApp

/// The admin API's contract and the server cannot drift: every route the router serves (the shipped
/// config's; gateway channels add their webhooks, GATEWAYS.md) is in the document with its
/// method, and every operation in the document is a route. Answers are checked against the
/// document's schemas by schemathesis in `./test` (Tests/HotlineEndToEndTests/OpenAPIContractTests).
@Suite struct OpenAPIDocumentTests {
    static func documentOperations() throws -> Set<String> {
        let doc = try #require(try Yams.load(yaml: OpenAPIDocument.yaml) as? [String: Any])
        #expect(doc["openapi"] as? String == "3.1.0")
        let paths = try #require(doc["paths"] as? [String: Any])
        var out: Set<String> = []
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys where ["get", "post", "put", "patch", "delete", "head"].contains(method) {
                out.insert("\(method.uppercased()) \(path)")
            }
        }
        return out
    }

    @Test func everyRouteIsInTheDocumentAndNoMore() throws {
        let parts = try makeHotline()
        let router = makeRouter(parts: parts, services: HotlineServices(parts, bcryptCost: 4), telemetry: .detached())
        let routes = Set(router.routes.map { "\($0.method) \($0.path)" })
        #expect(routes.contains("GET /api/v1/cases/{studio}/{number}") && routes.contains("GET /metrics") && routes.contains("POST /webhooks/json"))
        let documented = try Self.documentOperations()
        #expect(routes.subtracting(documented).isEmpty, "routes missing from openapi.yaml: \(routes.subtracting(documented).sorted())")
        #expect(documented.subtracting(routes).isEmpty, "documented but not served: \(documented.subtracting(routes).sorted())")
    }

    @Test func servedAtApiOpenapiYaml() async throws {
        try await buildApplication(parts: try makeHotline(), senders: nil).test(.router) { client in
            try await client.execute(uri: "/api/openapi.yaml", method: .get) { r in
                #expect(r.status == .ok && r.headers[.contentType]?.hasPrefix("application/yaml") == true)
                #expect(String(buffer: r.body) == OpenAPIDocument.yaml && OpenAPIDocument.yaml.hasPrefix("openapi: 3.1.0"))
            }
        }
    }
}
