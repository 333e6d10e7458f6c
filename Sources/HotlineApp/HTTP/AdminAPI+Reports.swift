import Crypto
import Foundation
import HotlineCore
import HotlineStorage
import Hummingbird

/// `/api/v1/reports`: the month's rates (JSON or CSV), the digest, what is overdue now.
extension AdminAPI {
    func registerReports(on api: RouterGroup<HotlineRequestContext>) {
        api.get("reports/month") { request, _ in
            await authed(request) { user in
                try access.notMember(user, "reports")
                let (month, studios) = try AdminRequest.reportScope(request, user, access: access)
                let report = try await MonthReport.make(month: month, studios: studios, from: reports)
                let format = try AdminRequest.query(request, "format", { ["json", "csv"].contains($0) ? $0 : nil }, "json or csv") ?? "json"
                if format == "csv" {
                    var headers = HTTPFields()
                    headers[.contentType] = "text/csv; charset=utf-8"
                    headers[.contentDisposition] = "attachment; filename=\"hotline-\(month).csv\""
                    return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: report.csv())))
                }
                return Self.rawJSON(report.json())
            }
        }
        api.get("reports/digest") { request, _ in
            await authed(request) { user in
                try access.notMember(user, "reports")
                let (month, studios) = try AdminRequest.reportScope(request, user, access: access)
                // The digest reads per studio or for the whole deployment; an account in some studios gets one of its own.
                guard studios == nil || studios?.count == 1 else {
                    throw APIError(.badRequest, "give studio: your account works in \(studios!.joined(separator: ", "))")
                }
                return Self.rawJSON(try await MonthDigest.make(month: month, studio: studios?.first, from: reports).json())
            }
        }
        api.get("reports/overdue") { request, _ in
            await authed(request) { user in
                let studios = try access.studios(user, asked: try AdminRequest.query(request, "studio", { $0 }, "a studio"))
                var overdue = try await database.overdueCases(now: clock.now(), studios: studios)
                if user.role == .member { overdue = overdue.filter { $0.assigneeId == user.rosterId } }
                return try Self.json(CaseList(cases: overdue.map { CaseView($0, deployment: deployment, now: clock.now(), showPhone: access.showsPhones(user)) }, nextCursor: nil))
            }
        }
    }

    static func rawJSON(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
