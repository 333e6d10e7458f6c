import Foundation

/// A known resident: their phone and the area they live in.
public struct KnownResident: Sendable, Equatable, Codable {
    public var phone: String
    public var area: String

    public init(phone: String, area: String) {
        self.phone = phone
        self.area = area
    }
}

/// A studio (工作室): one hotline with its own numbers, roster, areas and rules.
public struct Studio: Sendable, Equatable {
    /// Short id used in case references, e.g. `xujiawan`.
    public var id: String
    public var name: String
    /// The numbers residents text; the number a message was sent to decides the studio.
    public var hotlineNumbers: [String]
    public var timeZone: TimeZone
    /// Who is on duty (接待日) each weekday: roster ids.
    public var duty: [Weekday: [String]]
    public var roster: [RosterEntry]
    public var areas: [Area]
    /// Departments cases can be transferred to (转 N 区水务局).
    public var departments: [Department]
    public var residents: [KnownResident]
    /// The channel that carries this studio's outbound messages unless the inbound channel can reply itself.
    public var outboundChannel: String
    /// Overrides of reply templates by name (see ``ReplyTemplates``).
    public var templates: [String: String] {
        didSet { replies = ReplyTemplates(overrides: templates) }
    }
    /// The studio's wording: the built-in templates with `templates` over them, merged once rather
    /// than for every message.
    public private(set) var replies: ReplyTemplates
    /// Facts about the studio that rule-table answers quote as `{name}` (address, reception hours, …).
    public var facts: [String: String]
    /// Deadlines, reminders, survey and quiet hours: the deployment's, with this studio's overrides.
    public var sla: SLASettings

    public init(
        id: String, name: String, hotlineNumbers: [String], timeZone: TimeZone,
        duty: [Weekday: [String]] = [:], roster: [RosterEntry] = [], areas: [Area] = [], departments: [Department] = [],
        residents: [KnownResident] = [], outboundChannel: String, templates: [String: String] = [:],
        facts: [String: String] = [:], sla: SLASettings = .init()
    ) {
        self.sla = sla
        self.id = id
        self.name = name
        self.hotlineNumbers = hotlineNumbers
        self.timeZone = timeZone
        self.duty = duty
        self.roster = roster
        self.areas = areas
        self.departments = departments
        self.residents = residents
        self.outboundChannel = outboundChannel
        self.templates = templates
        self.replies = ReplyTemplates(overrides: templates)
        self.facts = facts
    }

    /// Every fact an answer may quote: the configured ones plus `studio`, `hotline`, `duty_day`
    /// (每周三) and `duty_members` (张委员、李委员), derived from the roster.
    public var answerFacts: [String: String] {
        var all = facts
        all["studio"] = name
        all["hotline"] = hotlineNumbers.first ?? ""
        let days = Weekday.allCases.filter { !(duty[$0] ?? []).isEmpty }
        if !days.isEmpty {
            all["duty_day"] = "每" + days.map(\.chineseName).joined(separator: "、")
            all["duty_members"] = days.flatMap(onDuty).map(\.name).joined(separator: "、")
        }
        return all
    }

    /// The roster entry with this id.
    public func person(_ id: String) -> RosterEntry? { roster.first { $0.id == id } }

    /// The liaisons and coordinators.
    public var staff: [RosterEntry] { roster.filter(\.role.isStaff) }

    /// The roster entry whose phone this is.
    public func person(phone: String) -> RosterEntry? { roster.first { $0.phone == phone } }

    /// The members and liaisons on duty on `weekday`.
    public func onDuty(_ weekday: Weekday) -> [RosterEntry] {
        (duty[weekday] ?? []).compactMap { person($0) }
    }

    /// The department a member names (by name or alias, Traditional or Simplified, spaces ignored).
    public func department(named name: String) -> Department? {
        let wanted = TextNormalizer.normalize(name).filter { !$0.isWhitespace }
        guard !wanted.isEmpty else { return nil }
        return departments.first { $0.names.contains { TextNormalizer.normalize($0).filter { !$0.isWhitespace } == wanted } }
    }

    /// The roster entry a member names as a transfer target: by id (`M3`) or name (张委员).
    public func person(named name: String) -> RosterEntry? {
        let wanted = TextNormalizer.normalize(name).filter { !$0.isWhitespace }
        return roster.first { $0.id.lowercased() == wanted || TextNormalizer.normalize($0.name) == wanted }
    }

    /// The names closest to `name` among the roster and the departments, best first: for a reply
    /// to a mistyped transfer target (`城管菊` → 区城管局).
    public func closestTargets(to name: String, limit: Int = 3) -> [String] {
        let wanted = Array(TextNormalizer.normalize(name))
        let candidates = roster.filter { $0.role == .member }.map { ($0.name, [$0.name, $0.id]) }
            + departments.map { ($0.name, $0.names) }
        let scored = candidates.map { candidate in
            (name: candidate.0, score: candidate.1.map { Self.similarity(wanted, Array(TextNormalizer.normalize($0))) }.max() ?? 0)
        }
        return scored.filter { $0.score > 0 }.sorted { $0.score > $1.score }.prefix(limit).map(\.name)
    }

    /// Characters in common (as a multiset) less half the difference in length: crude, but enough
    /// to rank a handful of names against a typo.
    static func similarity(_ a: [Character], _ b: [Character]) -> Double {
        var counts: [Character: Int] = [:]
        for c in b { counts[c, default: 0] += 1 }
        var common = 0
        for c in a where (counts[c] ?? 0) > 0 {
            counts[c]! -= 1
            common += 1
        }
        return Double(common) - Double(abs(a.count - b.count)) / 2
    }

    /// The area configured for a known resident.
    public func knownArea(of phone: String) -> String? {
        residents.first { $0.phone == phone }?.area
    }
}

/// Everything the core needs to know about the deployment: studios and sectors.
/// Which broadcasts a resident's 退订 (or a provider's opt-out) stops.
public enum OptOutScope: String, Sendable, CaseIterable {
    /// Every studio's notices of the deployment: the resident texted one hotline service and
    /// expects no more broadcasts from it, whichever studio would send them (the default).
    case deployment
    /// Only the notices of the studio whose number they texted.
    case studio
}

public struct Deployment: Sendable {
    public var studios: [Studio]
    public var sectors: [Sector]
    /// Country calling code assumed for numbers written without one (86 for China).
    public var defaultCountryCode: String
    /// What an opt-out covers.
    public var optOutScope: OptOutScope = .deployment

    /// The other studios an opt-out at `studio` covers too.
    public func optOutAlsoCovers(_ studio: String) -> [String] {
        optOutStudios.filter { $0 != studio }
    }

    /// The studios a provider's opt-out (found on a stored message, whose studio storage reads)
    /// covers besides the message's own: every studio when `opt_out` is `deployment`, else none.
    public var optOutStudios: [String] {
        optOutScope == .deployment ? studios.map(\.id) : []
    }

    /// Every member's and liaison's number, in any studio: never marked opted out by a provider.
    public var rosterPhones: Set<String> { Set(studios.flatMap { $0.roster.map(\.phone) }) }

    /// The studio the console simulator talks to unless told otherwise.
    public var defaultStudio: String?
    /// The residents' case page, when the service has a public address (nil: no links).
    public var casePage: CasePage?

    /// Every studio's hotline numbers as ``PhoneNumber/nationalKey(_:countryCode:)``.
    public var hotlineKeys: Set<String> {
        Set(studios.flatMap(\.hotlineNumbers).map { PhoneNumber.nationalKey($0, countryCode: defaultCountryCode) })
    }

    public init(studios: [Studio], sectors: [Sector], defaultCountryCode: String = "86", defaultStudio: String? = nil) {
        self.studios = studios
        self.defaultStudio = defaultStudio
        self.sectors = sectors
        self.defaultCountryCode = defaultCountryCode
    }

    /// The studio whose hotline number this is.
    public func studio(forHotline number: String) -> Studio? {
        studios.first { $0.hotlineNumbers.contains(number) }
    }

    /// The studio with this id.
    public func studio(id: String) -> Studio? { studios.first { $0.id == id } }

    /// Why `phone` is not a resident's number to show or erase under a resident's request — a
    /// studio's hotline number (every text out is from it), a member's or liaison's (their texts
    /// are the studio's record of the casework), a department's — or nil when it may be one.
    public func notAResident(_ phone: String) -> String? {
        let key = PhoneNumber.nationalKey(phone, countryCode: defaultCountryCode)
        let same = { (other: String) in PhoneNumber.nationalKey(other, countryCode: self.defaultCountryCode) == key }
        for studio in studios {
            if studio.hotlineNumbers.contains(where: same) { return "\(phone) is studio '\(studio.id)''s hotline number, not a resident's" }
            if let entry = studio.roster.first(where: { same($0.phone) }) {
                return "\(phone) is \(entry.id)'s number in studio '\(studio.id)''s roster: a member's texts are the studio's record, not a resident's data"
            }
            if let department = studio.departments.first(where: { $0.phone.map(same) == true }) {
                return "\(phone) is the department \(department.name)'s number in studio '\(studio.id)', not a resident's"
            }
        }
        return nil
    }

    /// The sector with this id.
    public func sector(_ id: String) -> Sector? { sectors.first { $0.id == id } }
}
