import Foundation

/// What a notice (通知) is for.
public enum NoticeKind: String, Sendable, Codable, CaseIterable {
    /// A meeting (接待日, 板凳会, 协商议事会): time, place, topic; recipients answer whether they come.
    case meeting
    /// Anything else the studio tells a group; no answer expected.
    case general
}

/// Where a notice is in its life.
public enum NoticeState: String, Sendable, Codable, CaseIterable {
    /// Planned by text, waiting for the liaison's `确认 N`.
    case draft
    /// Its texts are in the outbox (due now or at the send time).
    case sent
    /// Called off: texts not yet sent were withdrawn, those who got it were told.
    case cancelled
}

/// A meeting's facts.
public struct Meeting: Sendable, Equatable, Codable {
    public var at: Date
    public var place: String
    /// The matter to deliberate, if not the title.
    public var topic: String?
    /// Cases the meeting is about (their residents may be in the audience).
    public var caseNumbers: [Int]

    public init(at: Date, place: String, topic: String? = nil, caseNumbers: [Int] = []) {
        self.at = at
        self.place = place
        self.topic = topic
        self.caseNumbers = caseNumbers
    }
}

/// Who a notice goes to: one part of an audience. Parts combine and are de-duplicated by phone.
///
/// Written `members`, `members:area=龙湖社区`, `members:sector=housing`, `liaisons`,
/// `residents:area=龙湖社区`, `residents:cases=3,7`, `followers`, `roll:龙湖议事会`, `numbers:+8613700000001,13700000002`.
public enum AudiencePart: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Every member of the studio.
    case members
    /// Members linked to (包联) an area.
    case membersOfArea(String)
    /// Members of a sector (界别).
    case membersOfSector(String)
    /// Liaisons and coordinators.
    case liaisons
    /// Residents of an area: configured, registered (登记), or who texted about it.
    case residentsOfArea(String)
    /// The residents who raised these cases.
    case residentsOfCases([Int])
    /// Everyone who follows the studio on a channel of its own (a WeChat account) and has not
    /// unfollowed: each is sent the notice there.
    case followers
    /// A named roll of participants kept by the studio (a 1+6+X roll).
    case roll(String)
    /// Numbers given one by one.
    case numbers([String])

    public var description: String {
        switch self {
        case .members: "members"
        case let .membersOfArea(a): "members:area=\(a)"
        case let .membersOfSector(s): "members:sector=\(s)"
        case .liaisons: "liaisons"
        case let .residentsOfArea(a): "residents:area=\(a)"
        case let .residentsOfCases(c): "residents:cases=\(c.map(String.init).joined(separator: ","))"
        case .followers: "followers"
        case let .roll(name): "roll:\(name)"
        case let .numbers(n): "numbers:\(n.joined(separator: ","))"
        }
    }

    /// Parses the written form; the error says what is wrong and what is accepted.
    public static func parse(_ text: String) -> Result<AudiencePart, AudienceError> {
        let t = text.trimmingCharacters(in: .whitespaces)
        let (head, rest) = t.firstIndex(of: ":").map { (String(t[..<$0]), String(t[t.index(after: $0)...])) } ?? (t, "")
        func value(_ key: String) -> String? {
            guard rest.hasPrefix(key + "=") else { return nil }
            let v = rest.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
            return v.isEmpty ? nil : v
        }
        switch head {
        case "members" where rest.isEmpty: return .success(.members)
        case "members":
            if let a = value("area") { return .success(.membersOfArea(a)) }
            if let s = value("sector") { return .success(.membersOfSector(s)) }
        case "liaisons" where rest.isEmpty: return .success(.liaisons)
        case "followers" where rest.isEmpty: return .success(.followers)
        case "residents":
            if let a = value("area") { return .success(.residentsOfArea(a)) }
            if let c = value("cases") {
                let numbers = c.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces).drop { $0 == "#" }) }
                guard !numbers.isEmpty, numbers.allSatisfy({ ($0 ?? 0) > 0 }) else { return .failure(.init(text, "case numbers are positive integers, e.g. residents:cases=3,7")) }
                return .success(.residentsOfCases(numbers.map { $0! }))
            }
        case "roll" where !rest.trimmingCharacters(in: .whitespaces).isEmpty:
            return .success(.roll(rest.trimmingCharacters(in: .whitespaces)))
        case "numbers":
            let numbers = rest.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if !numbers.isEmpty { return .success(.numbers(numbers)) }
        default: break
        }
        return .failure(.init(text, "expected members, members:area=…, members:sector=…, liaisons, residents:area=…, residents:cases=N,…, followers, roll:NAME or numbers:PHONE,…"))
    }
}

/// An audience part that cannot be read.
public struct AudienceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var problem: String
    public init(_ text: String, _ problem: String) {
        self.text = text
        self.problem = problem
    }
    public var description: String { "audience '\(text)': \(problem)" }
}

/// Someone a notice may go to, and why.
public struct NoticeRecipient: Sendable, Equatable, Codable {
    /// As found (a roll's or a config's spelling); the plan normalises it.
    public var phone: String
    public var name: String?
    /// Their seat: a roster role (委员, 联络员), a roll's role (召集人, 居民代表 …) or 居民.
    public var role: String
    public var area: String?
    /// The audience part that found them (the first, when several did).
    public var via: String

    public init(phone: String, name: String? = nil, role: String, area: String? = nil, via: String) {
        self.phone = phone
        self.name = name
        self.role = role
        self.area = area
        self.via = via
    }
}

/// Why someone in the audience gets nothing.
public enum SkipReason: String, Sendable, Codable, CaseIterable {
    /// The resident texted 退订 (or their provider reported an opt-out).
    case optedOut = "opted-out"
    /// No number a text can reach (empty, a short code, letters).
    case invalidNumber = "invalid-number"
    /// Already in the audience through another part.
    case duplicate
    /// One of the hotline's own numbers.
    case hotlineNumber = "hotline-number"
}

/// A recipient left out, with the reason.
public struct SkippedRecipient: Sendable, Equatable {
    public var recipient: NoticeRecipient
    public var reason: SkipReason
}
