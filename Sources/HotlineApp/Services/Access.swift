import HotlineCore
import HotlineStorage
import Hummingbird

/// Who may see and do what on the admin side, for the API and the dashboard alike: the studios an
/// account works in, whether it may change things, whether it sees phone numbers whole. Pure: the
/// deployment and the account in, an answer or a refusal (``APIError``) out.
///
/// Roles (``StaffRole``): coordinators and liaisons everything in their studios; members read and
/// act on their own cases only (the SMS commands' rules); auditors read every studio and change nothing.
public struct Access: Sendable {
    let deployment: Deployment

    public init(deployment: Deployment) { self.deployment = deployment }

    /// The studios `user` may see, or only `asked` after checking it is one of them (403 if not, 404 if no such studio).
    func studios(_ user: StaffUser, asked: String?) throws -> [String] {
        let all = deployment.studios.map(\.id)
        guard let asked else { return all.filter(user.serves) }
        guard all.contains(asked) else { throw APIError(.notFound, "no studio '\(asked.prefix(40))'") }
        guard user.serves(asked) else { throw APIError(.forbidden, "your account does not work in studio '\(asked)'") }
        return [asked]
    }

    /// The studio of a path, checked against the account.
    func studio(_ user: StaffUser, _ id: String) throws -> Studio {
        guard let studio = deployment.studio(id: id) else { throw APIError(.notFound, "no studio '\(id.prefix(40))'") }
        guard user.serves(id) else { throw APIError(.forbidden, "your account does not work in studio '\(id)'") }
        return studio
    }

    /// 403 unless the account may change things (coordinators, liaisons; members on their own cases).
    func mayWrite(_ user: StaffUser) throws {
        if user.role == .auditor { throw APIError(.forbidden, "an auditor's account reads only") }
    }

    /// 403 for members: what only coordinators, liaisons (and auditors, reading) see.
    func notMember(_ user: StaffUser, _ what: String) throws {
        if user.role == .member { throw APIError(.forbidden, "a member's account does not see \(what)") }
    }

    /// Whether phone numbers are shown whole: to coordinators and liaisons, who call residents back.
    func showsPhones(_ user: StaffUser) -> Bool { user.role == .coordinator || user.role == .liaison }

    /// A number as `user` may see it: whole, or masked.
    func phone(_ number: String, for user: StaffUser) -> String {
        showsPhones(user) ? number : PhoneNumber.mask(number)
    }
}
