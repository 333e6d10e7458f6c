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

/// Sends through Kannel's sendsms.
public struct KannelSender: MessageSender {
    let channel: KannelChannel
    let transport: any HTTPTransport

    public init(channel: KannelChannel, transport: any HTTPTransport) {
        self.channel = channel
        self.transport = transport
    }

    public func send(_ item: OutboxItem) async -> SendOutcome {
        let request = channel.sendRequest(messageID: item.messageID, from: item.from, to: item.to, text: item.text)
        do {
            let (status, body) = try await transport.send(request)
            return KannelChannel.outcome(status: status, body: body)
        } catch {
            // No answer at all: Kannel down or unreachable. Worth a retry; never log the URL (it holds the password).
            return .retryable("kannel unreachable: \(type(of: error))")
        }
    }
}

/// Sends through a Twilio-compatible Messages API.
public struct TwilioSender: MessageSender {
    let channel: TwilioChannel
    let transport: any HTTPTransport

    public init(channel: TwilioChannel, transport: any HTTPTransport) {
        self.channel = channel
        self.transport = transport
    }

    public func send(_ item: OutboxItem) async -> SendOutcome {
        do {
            let (status, body) = try await transport.send(channel.sendRequest(messageID: item.messageID, to: item.to, text: item.text))
            return TwilioChannel.outcome(status: status, body: body)
        } catch {
            return .retryable("twilio unreachable: \(type(of: error))")
        }
    }
}

/// Sends through an Android phone's SMS Gateway app.
public struct AndroidGatewaySender: MessageSender {
    let channel: AndroidGatewayChannel
    let transport: any HTTPTransport

    public init(channel: AndroidGatewayChannel, transport: any HTTPTransport) {
        self.channel = channel
        self.transport = transport
    }

    public func send(_ item: OutboxItem) async -> SendOutcome {
        do {
            let (status, body) = try await transport.send(channel.sendRequest(to: item.to, text: item.text))
            return AndroidGatewayChannel.outcome(status: status, body: body)
        } catch {
            return .retryable("android gateway unreachable: \(type(of: error))")
        }
    }
}
