import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Hummingbird
import NIOCore

/// Webhook endpoints: each stores the message before answering 2xx.
struct WebhookController {
    let hotline: Hotline
    /// Largest request body read; larger bodies get 413.
    static let maxBody = 64 * 1024

    func register(on router: Router<BasicRequestContext>) {
        if let channel = hotline.settings.channels.first(where: { $0.kind == .json }) {
            let webhook = JSONWebhook(secret: hotline.secret(for: channel), maxTextLength: hotline.settings.maxInboundLength,
                                      defaultCountryCode: hotline.settings.deployment.defaultCountryCode)
            router.post("/webhooks/json") { request, _ in
                await receiveJSON(request, webhook: webhook, channel: channel)
            }
        }
        router.get("/healthz") { _, _ in
            await hotline.database.isHealthy()
                ? Self.json(.ok, ["status": "ok"])
                : Self.json(.serviceUnavailable, ["status": "database unavailable"])
        }
    }

    func receiveJSON(_ request: Request, webhook: JSONWebhook, channel: ChannelSettings) async -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maxBody)
        } catch {
            return Self.json(.contentTooLarge, ["error": "body is larger than \(Self.maxBody) bytes"])
        }
        let text: InboundText
        do {
            text = try webhook.parse(body: Array(buffer: body), signature: request.headers[.init(JSONWebhook.signatureHeader)!])
        } catch {
            return reject(error, channel: channel)
        }
        do {
            let receipt = try await hotline.receive(text, channel: channel)
            var answer: [String: any Sendable] = ["message_id": receipt.messageID, "duplicate": receipt.duplicate]
            answer["case"] = receipt.caseNumber
            return Self.json(.ok, answer)
        } catch let error as IntakeError {
            return Self.json(.notFound, ["error": error.description])
        } catch {
            hotline.logger.error("webhook \(channel.id): cannot store message: \(error)")
            // 5xx: the provider retries, and the same id is then stored once.
            return Self.json(.serviceUnavailable, ["error": "message not stored, try again"])
        }
    }

    func reject(_ error: WebhookError, channel: ChannelSettings) -> Response {
        switch error {
        case .unauthorized:
            hotline.logger.warning("webhook \(channel.id): refused: \(error)")
            return Self.json(.unauthorized, ["error": error.description])
        case .malformed:
            hotline.logger.info("webhook \(channel.id): bad request: \(error)")
            return Self.json(.badRequest, ["error": error.description])
        }
    }

    /// A JSON response; `NSNull`-free: nil values are left out.
    static func json(_ status: HTTPResponse.Status, _ object: [String: any Sendable]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
