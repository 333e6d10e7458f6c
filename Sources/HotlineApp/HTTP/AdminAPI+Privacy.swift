import Foundation
import HotlineCore
import HotlineStorage
import Hummingbird

/// A resident's own data under the PIPL, for a studio's coordinator — everything held, and its
/// erasure — and the data audit that records both and every purge.
extension AdminAPI {
    func registerPrivacy(on api: RouterGroup<HotlineRequestContext>) {
        api.get("residents/:studio/:phone/data") { request, context in
            await authed(request) { user in
                let (studio, phone) = try residentRequest(user, context)
                let held = try await database.residentData(phone: phone, studios: [studio.id], actor: "api:\(user.login)", now: clock.now())
                return try Self.json(ResidentData(studio: studio.id, phone: phone, held: held))
            }
        }
        api.post("residents/:studio/:phone/forget") { request, context in
            await authed(request) { user in
                let (studio, phone) = try residentRequest(user, context)
                let body = try await Self.decode(ForgetBody.self, from: request)
                // An erasure cannot be undone: the number is written twice, as for deleting a repository.
                guard (try? Self.address(body.confirm, deployment)) == phone else {
                    throw APIError(.unprocessableContent, "confirm must repeat the number being forgotten (\(phone))")
                }
                let counts = try await database.forgetResident(phone: phone, studios: [studio.id], actor: "api:\(user.login)", now: clock.now())
                logger.notice("resident forgotten", metadata: ["studio": "\(studio.id)", "phone": "\(PhoneNumber.mask(phone))", "by": "\(user.login)"])
                return try Self.json(Forgotten(studio: studio.id, phone: PhoneNumber.mask(phone), removed: counts))
            }
        }
        api.get("data-audit") { request, _ in
            await authed(request) { user in
                try access.notMember(user, "the data audit")
                let studios = try access.studios(user, asked: try AdminRequest.query(request, "studio", { $0 }, "a studio"))
                let before = try AdminRequest.query(request, "before", { Int64($0).flatMap { $0 > 0 ? $0 : nil } }, "a positive entry id")
                let limit = try AdminRequest.query(request, "limit", { Int($0).flatMap { (1...500).contains($0) ? $0 : nil } }, "a number from 1 to 500") ?? 100
                // An account of every studio reads every entry; others those of their studios and
                // those that covered every studio (purges, the CLI's requests).
                let everyStudio = studios.count == deployment.studios.count
                let entries = try await database.dataAudit(studios: everyStudio ? nil : studios, before: before, limit: limit)
                return try Self.json(DataAudit(entries: entries.map(DataAuditView.init), next: entries.count == limit ? entries.last?.id : nil))
            }
        }
    }

    /// The studio and the resident's whole address of a `residents/{studio}/{phone}/…` request,
    /// for a coordinator of that studio.
    func residentRequest(_ user: StaffUser, _ context: HotlineRequestContext) throws -> (Studio, String) {
        // The law's requests are answered by the studio that holds the data, and an erasure cannot
        // be undone: a coordinator's, not a liaison's, member's or auditor's.
        guard user.role == .coordinator else { throw APIError(.forbidden, "a resident's own data is a coordinator's to show or erase") }
        let studio = try access.studio(user, context.parameters.get("studio") ?? "")
        // `+` arrives percent-encoded (%2B) from most clients.
        let phone = try Self.address(context.parameters.get("phone")?.removingPercentEncoding ?? "", deployment)
        // Erasing the hotline number would empty every text the studio sent.
        if let why = deployment.notAResident(phone) { throw APIError(.unprocessableContent, why) }
        return (studio, phone)
    }

    /// A resident's whole address from a path or body: a phone number (normalised as intake stores
    /// it) or a follower's address on a channel of its own (`wx:<OpenID>`); 400 for anything else.
    static func address(_ raw: String, _ deployment: Deployment) throws -> String {
        if raw.wholeMatch(of: /[a-z]{1,8}:[A-Za-z0-9_-]{1,64}/) != nil { return raw }
        let digits = raw.hasPrefix("+") ? raw.dropFirst() : Substring(raw)
        guard (5...15).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw APIError(.badRequest, "'\(raw.prefix(32))' is not a phone number (5 to 15 digits, + first if international) or a wx: address")
        }
        return PhoneNumber.normalize(raw, defaultCountryCode: deployment.defaultCountryCode)
    }

    struct ForgetBody: Decodable { var confirm: String }

    struct ResidentData: Encodable {
        var studio: String, phone: String
        /// By table: residents, cases, messages, notices, rolls, bindings — each row's columns as text.
        var held: [String: [[String: String]]]
    }

    struct Forgotten: Encodable {
        var studio: String, phone: String, removed: ForgetCounts
    }

    struct DataAudit: Encodable {
        var entries: [DataAuditView]
        /// The `before` of the next page, when there may be one.
        var next: Int64?
    }
}

/// One entry of the data audit as the API shows it: its detail as a JSON object.
struct DataAuditView: Encodable {
    var id: Int64, at: Date, actor: String, action: String, studio: String?
    var detail: [String: Scalar]

    init(_ entry: DataAuditEntry) {
        (id, at, actor, action, studio) = (entry.id, entry.at, entry.actor, entry.action, entry.studio)
        detail = (try? JSONDecoder().decode([String: Scalar].self, from: Data(entry.detail.utf8))) ?? [:]
    }

    /// A count or a word.
    enum Scalar: Codable {
        case number(Int), text(String)

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int.self) { self = .number(n) } else { self = .text(try c.decode(String.self)) }
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case let .number(n): try c.encode(n)
            case let .text(s): try c.encode(s)
            }
        }
    }
}
