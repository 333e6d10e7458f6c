import AsyncHTTPClient
import Foundation
import HotlineChannels
import HotlineStorage
import NIOCore
import NIOHTTP1

/// The outbound HTTP seam: senders hand it the request an adapter built. Unit tests may put a
/// fake here; everything else uses ``AsyncHTTPTransport``.
public protocol HTTPTransport: Sendable {
    /// Sends `request`; throws only when no HTTP answer came (connection refused, timeout).
    func send(_ request: OutboundHTTPRequest) async throws -> (status: Int, body: String)
}

/// AsyncHTTPClient's shared client.
public struct AsyncHTTPTransport: HTTPTransport {
    let client: HTTPClient
    let timeout: TimeAmount

    /// - Parameter timeout: the whole request's deadline. AsyncHTTPClient retries a refused
    ///   connection until the deadline, so a gateway that is down costs this much per attempt.
    public init(client: HTTPClient = .shared, timeout: TimeAmount = .seconds(5)) {
        self.client = client
        self.timeout = timeout
    }

    public func send(_ request: OutboundHTTPRequest) async throws -> (status: Int, body: String) {
        var r = HTTPClientRequest(url: request.url)
        r.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { r.headers.add(name: name, value: value) }
        if let body = request.body { r.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(r, timeout: timeout)
        let body = try await response.body.collect(upTo: 64 * 1024)
        return (Int(response.status.code), String(buffer: body))
    }
}

/// Sends through a gateway's HTTP API: the channel builds the request and reads the answer, the
/// transport carries it. No answer at all (refused, timed out) is worth a retry.
public struct HTTPGatewaySender: MessageSender {
    let channel: any SendingChannel
    let transport: any HTTPTransport

    public init(_ channel: any SendingChannel, transport: any HTTPTransport) {
        (self.channel, self.transport) = (channel, transport)
    }

    public func send(_ item: OutboxItem) async -> SendOutcome {
        let request = channel.sendRequest(OutgoingText(messageID: item.messageID, from: item.from, to: item.to, text: item.text))
        do {
            let (status, body) = try await transport.send(request)
            return channel.sendOutcome(status: status, body: body)
        } catch {
            // Never log the request: its URL or headers hold credentials.
            return .retryable("\(type(of: channel).kind) unreachable: \(type(of: error))")
        }
    }
}
