import Crypto
import Foundation
import HotlineCore
import HotlineStorage
import Hummingbird

/// `/api/v1/outbox` and `/api/v1/rules`: failed texts and their retry, the rule table and a trial classification.
extension AdminAPI {
    func registerOperations(on api: RouterGroup<HotlineRequestContext>) {
        api.get("outbox") { request, _ in
            await authed(request) { user in
                try access.notMember(user, "the outbox")
                let status = try AdminRequest.query(request, "status", OutboxRecord.Status.init(rawValue:), "pending, sending, sent, failed or cancelled") ?? .failed
                let limit = try AdminRequest.query(request, "limit", { Int($0).flatMap { (1...500).contains($0) ? $0 : nil } }, "a number from 1 to 500") ?? 100
                let entries = try await database.outbox(status: status, studios: try access.studios(user, asked: try AdminRequest.query(request, "studio", { $0 }, "a studio")),
                                                                 limit: limit)
                return try Self.json(["messages": entries.map { OutboxView($0, showPhone: access.showsPhones(user)) }])
            }
        }
        api.post("outbox/retry") { request, _ in
            await authed(request) { user in
                try access.mayWrite(user)
                try access.notMember(user, "the outbox")
                let body = try await Self.decode(RetryBody.self, from: request)
                guard body.ids.count <= 1000 else { throw APIError(.badRequest, "at most 1000 ids at a time") }
                guard body.ids.allSatisfy({ $0 > 0 }) else { throw APIError(.badRequest, "ids are positive outbox ids") }
                return try Self.json(["retried": try await casework.resend(body.ids, by: user)])
            }
        }
        api.get("rules") { request, _ in await authed(request) { _ in try Self.json(rulesView()) } }
        api.post("rules/classify") { request, _ in
            await authed(request) { user in
                let body = try await Self.decode(ClassifyBody.self, from: request)
                guard body.text.count <= maxInboundLength else {
                    throw APIError(.badRequest, "text is longer than \(maxInboundLength) characters")
                }
                let studio = try access.studio(user, body.studio ?? access.studios(user, asked: nil).first ?? "")
                guard let classifier = rules.classifier(studio: studio.id) else { throw APIError(.notFound, "no rule table for '\(studio.id)'") }
                return try Self.json(ClassifyResult(studio: studio.id, classification: classifier.classify(body.text)))
            }
        }
    }

    struct RetryBody: Decodable { var ids: [Int64] }
    struct ClassifyResult: Encodable {
        var studio: String
        var classification: Classification
    }
    struct ClassifyBody: Decodable {
        var text: String
        var studio: String?
    }

    /// The rule table in force: a version (a digest of its rules, so two servers can be compared), its size and topics.
    func rulesView() -> RulesView {
        let table = rules.table
        let digest = SHA256.hash(data: Data(String(reflecting: table.rules).utf8)).prefix(8).lowercaseHex
        return RulesView(version: digest, rules: table.rules.count, topics: table.topics.topics.map(TopicView.init),
                         intents: Intent.allCases.map(\.rawValue))
    }
}

struct OutboxView: Encodable {
    var id: Int64, messageId: Int64, studio: String, channel: String, to: String, text: String, kind: String?
    var status: String, attempts: Int, lastError: String?, nextAttemptAt: Date, updatedAt: Date

    init(_ e: OutboxEntry, showPhone: Bool) {
        id = e.outbox.id ?? 0
        (messageId, studio, channel) = (e.outbox.messageId, e.message.studioId, e.outbox.channel)
        to = showPhone ? e.message.toNumber : PhoneNumber.mask(e.message.toNumber)
        (text, kind, status, attempts) = (e.message.text, e.message.kind?.rawValue, e.outbox.status.rawValue, e.outbox.attempts)
        (lastError, nextAttemptAt, updatedAt) = (e.outbox.lastError, e.outbox.nextAttemptAt, e.outbox.updatedAt)
    }
}

struct TopicView: Encodable {
    var id: String, name: String, nameEn: String
    /// Deadlines of an urgent topic (the configuration's `sla.topics` may differ per studio).
    var deadlines: DeadlinesView?

    init(_ t: TopicInfo) {
        (id, name, nameEn) = (t.id.rawValue, t.name, t.englishName)
        deadlines = t.deadlines.map { DeadlinesView(acceptHours: $0.acceptHours, replyDays: $0.replyDays, closeDays: $0.closeDays) }
    }
}

struct DeadlinesView: Encodable {
    var acceptHours: Double, replyDays: Double, closeDays: Double
}

struct RulesView: Encodable {
    var version: String, rules: Int, topics: [TopicView], intents: [String]
}
