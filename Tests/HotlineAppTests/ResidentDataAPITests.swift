import Foundation
import GRDB
import HotlineCore
@testable import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

/// A resident's own data through the admin API: a coordinator's only, scoped to the studio in the
/// path (the same number's texts to another studio untouched), confirmed before an erasure, and
/// recorded in the data audit each role reads as far as its studios go.
@Suite struct ResidentDataAPITests {
    typealias Desk = AdminAPITests.Desk
    static func call(_ client: TestClientProtocol, _ login: String?, _ desk: Desk, _ method: HTTPRequest.Method, _ uri: String,
                     _ body: String? = nil) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await AdminAPITests.call(client, login, desk, method, uri, body)
    }

    /// Who may ask, and what bad input gets: (account, method, path, body, status, words of the answer).
    static let rows: [(String?, HTTPRequest.Method, String, String?, HTTPResponse.Status, String)] = [
        ("wang", .get, "/api/v1/residents/xujiawan/+8613700000001/data", nil, .forbidden, "coordinator"),
        ("audit", .get, "/api/v1/residents/xujiawan/+8613700000001/data", nil, .forbidden, "coordinator"),
        ("xin", .get, "/api/v1/residents/xinjiang/+8613700000001/data", nil, .forbidden, "coordinator"),
        ("chen", .get, "/api/v1/residents/xinjiang/+8613700000001/data", nil, .forbidden, "does not work in studio 'xinjiang'"),
        ("chen", .get, "/api/v1/residents/nowhere/+8613700000001/data", nil, .notFound, "no studio"),
        ("chen", .get, "/api/v1/residents/xujiawan/+86137****0001/data", nil, .badRequest, "not a phone number"),
        ("chen", .get, "/api/v1/residents/xujiawan/%EF%BC%8B8613700000001/data", nil, .badRequest, "not a phone number"),  // full-width ＋
        ("chen", .get, "/api/v1/residents/xujiawan/137%E2%80%8B00000001/data", nil, .badRequest, "not a phone number"),   // zero-width space
        ("audit", .post, "/api/v1/residents/xujiawan/+8613700000001/forget", #"{"confirm":"+8613700000001"}"#, .forbidden, "coordinator"),
        ("wang", .post, "/api/v1/residents/xujiawan/+8613700000001/forget", #"{"confirm":"+8613700000001"}"#, .forbidden, "coordinator"),
        ("chen", .post, "/api/v1/residents/xujiawan/+8613700000001/forget", "{}", .badRequest, "lacks 'confirm'"),
        ("chen", .post, "/api/v1/residents/xujiawan/+8613700000001/forget", #"{"confirm":"+8613700000021"}"#, .unprocessableContent, "repeat the number"),
        ("chen", .post, "/api/v1/residents/xujiawan/+8613700000001/forget", #"{"confirm":"yes"}"#, .unprocessableContent, "repeat the number"),
        // Not residents: the hotline number (every text out is from it), a member's, a department's.
        ("chen", .post, "/api/v1/residents/xujiawan/10690001/forget", #"{"confirm":"10690001"}"#, .unprocessableContent, "hotline number"),
        ("chen", .post, "/api/v1/residents/xujiawan/+8610690001/forget", #"{"confirm":"+8610690001"}"#, .unprocessableContent, "hotline number"),
        ("chen", .get, "/api/v1/residents/xujiawan/10690002/data", nil, .unprocessableContent, "studio 'xinjiang''s hotline number"),
        ("chen", .post, "/api/v1/residents/xujiawan/13800000003/forget", #"{"confirm":"13800000003"}"#, .unprocessableContent, "M3's number"),
        ("wang", .get, "/api/v1/data-audit", nil, .forbidden, "data audit"),
        ("chen", .get, "/api/v1/data-audit?studio=xinjiang", nil, .forbidden, "does not work in studio"),
        ("chen", .get, "/api/v1/data-audit?limit=0", nil, .badRequest, "1 to 500"),
        ("chen", .get, "/api/v1/data-audit?before=-1", nil, .badRequest, "positive entry id"),
        (nil, .get, "/api/v1/data-audit", nil, .unauthorized, "Bearer token"),
    ]

    @Test func whoMayAskAndBadInput() async throws {
        let desk = try await Desk()
        try await desk.test { client in
            for (login, method, uri, body, expected, words) in Self.rows {
                let (status, answer) = try await Self.call(client, login, desk, method, uri, body)
                #expect(status == expected, "\(login ?? "-") \(method) \(uri): \(answer)")
                #expect((answer["error"] as? String)?.contains(words) == true, "\(login ?? "-") \(uri): \(answer)")
            }
            // None of the refused erasures touched anything, and nothing refused was recorded.
            let (_, held) = try await Self.call(client, "chen", desk, .get, "/api/v1/residents/xujiawan/+8613700000001/data")
            #expect(((held["held"] as? [String: Any])?["cases"] as? [[String: String]])?.first?["text"] == "小区停水三天了,我的电话13912345678")
            let audit = try await desk.hotline.database.dataAudit()
            #expect(audit.map(\.action) == ["show"])
        }
    }

    /// The same number wrote to two studios; xujiawan's coordinator sees and erases xujiawan's only.
    @Test func aStudioShowsAndForgetsItsOwn() async throws {
        let desk = try await Desk()
        try await desk.phones.text(resident, "王守村吃水难,井里抽不出水", to: "10690002")   // xinjiang's case
        try await desk.test { client in
            let (status, shown) = try await Self.call(client, "chen", desk, .get, "/api/v1/residents/xujiawan/\(resident)/data")
            #expect(status == .ok && shown["phone"] as? String == resident && shown["studio"] as? String == "xujiawan")
            let held = try #require(shown["held"] as? [String: [[String: String]]])
            #expect(held["cases"]?.map { $0["text"] } == ["小区停水三天了,我的电话13912345678"])
            #expect(held["messages"]?.isEmpty == false && held["messages"]?.allSatisfy { $0["studio_id"] == "xujiawan" } == true)
            #expect(!"\(shown)".contains("王守村"))

            // The number as a resident writes it confirms the erasure.
            let (forgot, removed) = try await Self.call(client, "chen", desk, .post, "/api/v1/residents/xujiawan/%2B8613700000001/forget",
                                                        #"{"confirm":"137 0000 0001"}"#)
            #expect(forgot == .unprocessableContent, "spaces are not a number: \(removed)")
            let (ok, answer) = try await Self.call(client, "chen", desk, .post, "/api/v1/residents/xujiawan/%2B8613700000001/forget",
                                                   #"{"confirm":"13700000001"}"#)
            #expect(ok == .ok, "\(answer)")
            #expect(answer["phone"] as? String == PhoneNumber.mask(resident))
            let counts = try #require(answer["removed"] as? [String: Int])
            #expect(counts["cases"] == 1 && counts["residents"] == 1 && (counts["messages"] ?? 0) > 0, "\(counts)")

            // xujiawan holds nothing of them; xinjiang's case and texts are as they were.
            let (_, again) = try await Self.call(client, "chen", desk, .get, "/api/v1/residents/xujiawan/\(resident)/data")
            #expect((again["held"] as? [String: [Any]])?.values.allSatisfy(\.isEmpty) == true, "\(again)")
            let left = try await desk.hotline.database.writer.read { db in
                (try String.fetchAll(db, sql: "SELECT DISTINCT studio_id FROM messages WHERE from_number = ? OR to_number = ?", arguments: [resident, resident]),
                 try String.fetchAll(db, sql: "SELECT text FROM cases WHERE resident_phone = ?", arguments: [resident]))
            }
            #expect(left.0 == ["xinjiang"] && left.1 == ["王守村吃水难,井里抽不出水"], "\(left)")

            // The data audit: the coordinator reads the entries of their studio, with the number masked;
            // the auditor reads everything; xinjiang's liaison sees nothing of xujiawan's.
            let (_, mine) = try await Self.call(client, "chen", desk, .get, "/api/v1/data-audit")
            let entries = try #require(mine["entries"] as? [[String: Any]])
            #expect(entries.map { $0["action"] as? String } == ["show", "forget", "show"])
            #expect(entries.allSatisfy { $0["studio"] as? String == "xujiawan" && $0["actor"] as? String == "api:chen" })
            #expect(entries.allSatisfy { ($0["detail"] as? [String: Any])?["phone"] as? String == PhoneNumber.mask(resident) })
            #expect(entries.map { ($0["detail"] as? [String: Any])?["cases"] as? Int } == [0, 1, 1])
            #expect(!"\(mine)".contains(resident))
            let (_, auditor) = try await Self.call(client, "audit", desk, .get, "/api/v1/data-audit")
            #expect((auditor["entries"] as? [Any])?.count == 3)
            let (_, liaison) = try await Self.call(client, "xin", desk, .get, "/api/v1/data-audit")
            #expect((liaison["entries"] as? [Any])?.isEmpty == true, "\(liaison)")
        }
    }

    /// Pages of the data audit by `before`: every entry once, newest first; a purge (every studio)
    /// is seen by a coordinator of one.
    @Test func theAuditPages() async throws {
        let desk = try await Desk()
        let now = desk.clock.wall.now()
        for _ in 0..<5 { _ = try await desk.hotline.database.residentData(phone: resident, studios: ["xujiawan"], actor: "test", now: now) }
        _ = try await desk.hotline.database.residentData(phone: resident, studios: ["xinjiang"], actor: "test", now: now)
        _ = try await desk.hotline.database.purge(RetentionPolicy(), now: now, actor: "hotline purge")
        try await desk.test { client in
            var seen: [Int] = [], before: Int?
            repeat {
                let (status, page) = try await Self.call(client, "chen", desk, .get, "/api/v1/data-audit?limit=2" + (before.map { "&before=\($0)" } ?? ""))
                #expect(status == .ok)
                seen += (page["entries"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                before = page["next"] as? Int
            } while before != nil && seen.count < 20
            // Five shows of xujiawan's and the purge; not xinjiang's show.
            #expect(seen == [7, 5, 4, 3, 2, 1], "\(seen)")
        }
    }
}
