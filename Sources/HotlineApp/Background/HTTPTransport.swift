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

    /// The channel's access token, for a channel that sends with one.
    let tokens = AccessTokens()
    /// The ticket that signs its web pages, for a channel that has one (WeChat's `jsapi_ticket`).
    let tickets = AccessTokens()

    public init(_ channel: any SendingChannel, transport: any HTTPTransport) {
        (self.channel, self.transport) = (channel, transport)
    }

    public func send(_ item: OutboxItem) async -> SendOutcome {
        let text = OutgoingText(messageID: item.messageID, from: item.from, to: item.to, text: item.text, template: item.template, values: item.values)
        guard let tokened = channel as? any TokenSendingChannel else { return await exchange(channel.sendRequest(text)).outcome }
        // A token refused by the send is fetched again at once and the text sent again, once.
        for _ in 0..<2 {
            let token: String
            switch await tokens.token({ renew in await fetchToken(tokened, renew: renew) }) {
            case let .token(t, _): token = t
            case let .failed(outcome): return outcome
            }
            var (outcome, answer) = await exchange(tokened.sendRequest(text, token: token))
            if let refused = answer, !tokened.tokenRefused(status: refused.status, body: refused.body),
               let fallback = tokened.fallbackRequest(text, token: token, status: refused.status, body: refused.body) {
                (outcome, answer) = await exchange(fallback)
            }
            guard let answer, tokened.tokenRefused(status: answer.status, body: answer.body) else { return outcome }
            await tokens.refuse(token)
        }
        return .retryable("\(type(of: channel).kind): the access token was refused twice")
    }

    /// Sends `request`; the outcome and the answer it was read from (nil: none came).
    func exchange(_ request: OutboundHTTPRequest) async -> (outcome: SendOutcome, answer: (status: Int, body: String)?) {
        do {
            let (status, body) = try await transport.send(request)
            return (channel.sendOutcome(status: status, body: body), (status, body))
        } catch {
            // Never log the request: its URL or headers hold credentials.
            return (.retryable("\(type(of: channel).kind) unreachable: \(type(of: error))"), nil)
        }
    }

    /// The ticket that signs the channel's pages (fetched with its token, kept as the token is),
    /// or nil: the channel has none, or it cannot be had now (the page then goes without).
    public func pageTicket() async -> String? {
        guard let signing = channel as? any PageSigningChannel else { return nil }
        let answer = await tickets.token { _ in
            guard case let .token(token, _) = await tokens.token({ renew in await fetchToken(signing, renew: renew) }) else {
                return .failed(.retryable("no access token"))
            }
            do {
                let (status, body) = try await transport.send(signing.ticketRequest(token: token))
                if signing.tokenRefused(status: status, body: body) { await tokens.refuse(token) }
                return signing.readTicket(status: status, body: body)
            } catch {
                return .failed(.retryable("\(type(of: channel).kind) ticket: unreachable: \(type(of: error))"))
            }
        }
        guard case let .token(ticket, _) = answer else { return nil }
        return ticket
    }

    func fetchToken(_ channel: any TokenSendingChannel, renew: Bool) async -> AccessTokenAnswer {
        do {
            let (status, body) = try await transport.send(channel.tokenRequest(renew: renew))
            return channel.readToken(status: status, body: body)
        } catch {
            return .failed(.retryable("\(type(of: channel).kind) token: unreachable: \(type(of: error))"))
        }
    }
}
