import Foundation
import HotlineChannels
import HotlineCore
import Hummingbird
import NIOCore

/// An error answer: the status and `{"error": "…"}` naming the problem.
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// The one table from the service's refusals to HTTP, for the API and the dashboard alike; nil
    /// for an error that is the server's own (answered 500, logged by the caller).
    init?(refusing error: any Error) {
        switch error {
        case let e as APIError: self = e
        case let e as StaffCaseRefusal:
            if case .stale = e { self.init(.conflict, e.description) } else { self.init(.unprocessableContent, e.description) }
        case let e as NoticeService.Problem: self.init(.unprocessableContent, e.description)
        case let e as ReportError: self.init(.badRequest, e.description)
        case let e as WebhookError: self.init(.badRequest, "\(e)")
        default: return nil
        }
    }

    var response: Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"hotline\"" }
        let data = (try? AdminAPI.encoder.encode(["error": message])) ?? Data("{\"error\":\"error\"}".utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
