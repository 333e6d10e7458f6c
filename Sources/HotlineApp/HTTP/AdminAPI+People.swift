import Crypto
import Foundation
import HotlineCore
import HotlineStorage
import Hummingbird

/// `/api/v1/members` and `/api/v1/residents`: the roster with its load, a resident with their cases.
extension AdminAPI {
    func registerPeople(on api: RouterGroup<HotlineRequestContext>) {
        api.get("members") { request, _ in await authed(request) { user in try await members(request, user) } }
        api.get("residents/:studio/:phone") { request, context in
            await authed(request) { user in try await resident(user, studio: context.parameters.get("studio") ?? "",
                                                                 phone: context.parameters.get("phone") ?? "") }
        }
    }

    func members(_ request: Request, _ user: StaffUser) async throws -> Response {
        let studios = try access.studios(user, asked: try AdminRequest.query(request, "studio", { $0 }, "a studio"))
        return try Self.json(["members": try await casebook.members(user, studios: studios)])
    }

    /// `GET /api/v1/residents/{studio}/{phone}`: by the whole number for the roles that see
    /// numbers whole; by the masked number as shown (`+86137****6390`) for every role. A role that
    /// sees numbers masked cannot ask by the whole number — trying the 10,000 middles would
    /// unmask anyone — and an account's look-ups that find no one are limited (``lookupMisses``).
    func resident(_ user: StaffUser, studio id: String, phone rawPhone: String) async throws -> Response {
        try access.notMember(user, "residents")
        let studio = try access.studio(user, id)
        let now = clock.now()
        if let wait = lookupMisses.blocked(user.login, now: now) {
            throw APIError(.tooManyRequests, "too many look-ups that found no one; try again in \(Int(wait.rounded(.up))) seconds")
        }
        // `+` arrives percent-encoded (%2B) from most clients.
        let raw = rawPhone.removingPercentEncoding ?? ""
        let shows = access.showsPhones(user)
        let phone: String
        if raw.contains("*") {
            // A number masked, or a follower's address on a channel of its own (`wx:****L2Mq`).
            guard raw.wholeMatch(of: /\+?[0-9]{0,11}\*{2,}[0-9]{0,4}/) != nil || raw.wholeMatch(of: /[a-z]{1,8}:\*{2,}[A-Za-z0-9_-]{0,4}/) != nil else {
                throw APIError(.badRequest, "'\(raw.prefix(32))' is not a masked number as the API shows them (e.g. +86137****6390)")
            }
            let found = try await database.residentPhones(studio: studio.id, masked: raw)
                + studio.residents.map(\.phone).filter { PhoneNumber.mask($0) == raw }
            let distinct = Array(Set(found))
            guard distinct.count <= 1 else {
                throw APIError(.conflict, "\(distinct.count) residents of '\(studio.id)' have the masked number \(raw): look the one you mean up by a case")
            }
            guard let only = distinct.first else {
                lookupMisses.failed(user.login, now: now)
                throw APIError(.notFound, "studio '\(studio.id)' has no resident \(raw)")
            }
            phone = only
        } else {
            let whole = try Self.address(raw, deployment)
            guard shows else {
                throw APIError(.forbidden, "your role sees numbers masked: look a resident up by the masked number (e.g. \(PhoneNumber.mask(raw))) or by a case")
            }
            phone = whole
        }
        let (resident, cases, linked) = try await database.resident(studio: studio.id, phone: phone)
        guard resident != nil || !cases.isEmpty || studio.knownArea(of: phone) != nil else {
            lookupMisses.failed(user.login, now: now)
            throw APIError(.notFound, "studio '\(studio.id)' has no resident \(shows ? phone : PhoneNumber.mask(phone))")
        }
        return try Self.json(ResidentView(
            studio: studio.id, phone: shows ? phone : PhoneNumber.mask(phone), area: resident?.area ?? studio.knownArea(of: phone),
            firstSeenAt: resident?.firstSeenAt, lastSeenAt: resident?.lastSeenAt, optedOut: resident?.optedOutAt != nil,
            optedOutAt: resident?.optedOutAt, linked: linked.map { shows ? $0 : PhoneNumber.mask($0) },
            cases: cases.map { CaseView($0, deployment: deployment, now: clock.now(), showPhone: shows) }))
    }
}

struct ResidentView: Encodable {
    var studio: String, phone: String, area: String?, firstSeenAt: Date?, lastSeenAt: Date?, optedOut: Bool
    var optedOutAt: Date?
    /// The addresses that are the same resident (a WeChat follower and the number they bound), masked as `phone` is.
    var linked: [String]
    var cases: [CaseView]
}

struct MemberView: Encodable {
    var studio: String, id: String, name: String, role: String, sector: String?, areas: [String], dutyDays: [String]
    var phone: String, onLeave: Bool, leaveUntil: Date?, openCases: Int, overdueCases: Int
    /// Routing would give them a case now (not on leave, not at the studio's max_open_cases).
    var available: Bool
}
