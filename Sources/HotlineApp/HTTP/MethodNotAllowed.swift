import Hummingbird
import NIOCore

/// Answers a request for a known path with a method it does not serve `405 Method Not Allowed`
/// with the `Allow` header (RFC 9110 §15.5.6), rather than the router's 404, which would tell a
/// client the resource does not exist.
struct MethodNotAllowedResponder<Inner: HTTPResponder>: HTTPResponder {
    typealias Context = Inner.Context
    let inner: Inner
    /// Each route's path segments (`{x}` matches any one segment) with the methods it serves.
    let routes: [(segments: [Substring], methods: Set<String>)]

    init(_ inner: Inner, routes: [(method: String, path: String)]) {
        self.inner = inner
        var byPath: [String: Set<String>] = [:]
        for r in routes { byPath[r.path, default: []].insert(r.method) }
        self.routes = byPath.map { (path, methods) in (path.split(separator: "/"), methods) }
    }

    func allowed(_ path: String) -> Set<String>? {
        let parts = path.split(separator: "/")
        var found: Set<String>?
        for route in routes where route.segments.count == parts.count {
            if zip(route.segments, parts).allSatisfy({ $0.hasPrefix("{") || $0 == $1 }) { found = (found ?? []).union(route.methods) }
        }
        return found
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        // The router answers an unmatched method with its 404 (it turns its own error into a response).
        let response = try await inner.respond(to: request, context: context)
        guard response.status == .notFound, let methods = allowed(request.uri.path), !methods.contains(request.method.rawValue) else {
            return response
        }
        var headers = HTTPFields()
        headers[.allow] = methods.sorted().joined(separator: ", ")
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .methodNotAllowed, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: #"{"error":"\#(request.method.rawValue) is not served here; use \#(methods.sorted().joined(separator: " or "))"}"#)))
    }
}
