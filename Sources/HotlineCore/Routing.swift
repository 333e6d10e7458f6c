import Foundation

/// Why a case went to whom: stored on the case.
public enum RoutingReason: String, Sendable, Codable {
    /// A member linked to the resident's area whose sector fits the topic.
    case linkedSectorFit = "linked-sector-fit"
    /// A member linked to the resident's area (none of them in a fitting sector).
    case linkedArea = "linked-area"
    /// No linked member: a member on duty that weekday.
    case duty
    /// Nobody linked or on duty (or the message was not understood): a liaison.
    case liaison
}

/// Who handles a case and why.
public struct RoutingDecision: Sendable, Equatable, Codable {
    public var assignee: String
    public var reason: RoutingReason
    /// One human-readable line, e.g. "linked to 龙湖社区, sector housing fits housing, 0 open cases".
    public var explanation: String

    public init(assignee: String, reason: RoutingReason, explanation: String) {
        self.assignee = assignee
        self.reason = reason
        self.explanation = explanation
    }
}

/// Routing rules of a studio: linked area and sector first, then the duty roster, then liaisons.
public enum Routing {
    /// Members at the studio's `max_open_cases`: they get no new cases (liaisons are never full).
    public static func atCapacity(studio: Studio, openCases: [String: Int]) -> Set<String> {
        guard let max = studio.sla.maxOpenCases else { return [] }
        return Set(openCases.filter { $0.value >= max && studio.person($0.key)?.role == .member }.keys)
    }

    /// Chooses the assignee for a case; nil only when the studio has no available staff at all.
    ///
    /// - Parameters:
    ///   - openCases: open cases per roster id (missing means none); fewer wins, roster order breaks ties.
    ///   - unavailable: roster ids to skip (away, at capacity).
    public static func route(
        studio: Studio, sectors: [Sector], area: String?, intent: Intent, topic: Topic,
        openCases: [String: Int], unavailable: Set<String> = [], now: Date
    ) -> RoutingDecision? {
        let available = studio.roster.filter { !unavailable.contains($0.id) }
        func fewest(_ people: [RosterEntry]) -> RosterEntry? {
            // min(by:) keeps the first of equals: roster order breaks ties.
            people.min { (openCases[$0.id] ?? 0) < (openCases[$1.id] ?? 0) }
        }
        func load(_ p: RosterEntry) -> String { "\(openCases[p.id] ?? 0) open cases" }

        if intent != .unclassified, let area {
            let linked = available.filter { $0.role == .member && $0.areas.contains(area) }
            let fitting = linked.filter { person in
                guard let sector = person.sector else { return false }
                return sectors.first { $0.id == sector }?.topics.contains(topic) ?? false
            }
            if let p = fewest(fitting) {
                return RoutingDecision(assignee: p.id, reason: .linkedSectorFit,
                                       explanation: "linked to \(area), sector \(p.sector ?? "-") fits \(topic.rawValue), \(load(p))")
            }
            if let p = fewest(linked) {
                return RoutingDecision(assignee: p.id, reason: .linkedArea,
                                       explanation: "linked to \(area), no linked member's sector fits \(topic.rawValue), \(load(p))")
            }
        }
        if intent != .unclassified {
            let weekday = Weekday.of(now, in: studio.timeZone)
            let onDuty = studio.onDuty(weekday).filter { !unavailable.contains($0.id) }
            if let p = fewest(onDuty) {
                let why = area.map { "no member linked to \($0)" } ?? "area unknown"
                return RoutingDecision(assignee: p.id, reason: .duty,
                                       explanation: "\(why), on duty \(weekday), \(load(p))")
            }
        }
        if let p = fewest(available.filter(\.role.isStaff)) {
            let why = intent == .unclassified ? "message not classified" : "nobody linked or on duty"
            return RoutingDecision(assignee: p.id, reason: .liaison, explanation: "\(why), liaison with \(load(p))")
        }
        return nil
    }
}

/// Finds the area a text names, by canonical name or alias, in normalised form (so 龍湖 finds 龙湖社区).
public struct AreaFinder: Sendable {
    private let names: [(normal: String, bytes: [UInt8], area: String)]

    public init(areas: [Area]) {
        var names: [(String, [UInt8], String)] = []
        for area in areas {
            for name in [area.id] + area.aliases {
                let normal = TextNormalizer.normalize(name)
                if !normal.isEmpty { names.append((normal, Array(normal.utf8), area.id)) }
            }
        }
        // Longest first, so 龙湖社区 wins over 龙湖.
        self.names = names.sorted { $0.0.count > $1.0.count }
    }

    /// The area named in `text`, if any.
    public func find(in text: String) -> String? {
        find(inNormalized: TextNormalizer.normalize(text))
    }

    /// The area named in `normal`, text already normalised.
    public func find(inNormalized normal: String) -> String? {
        // A byte search over UTF-8 (a match of whole characters can only start on a character):
        // both Foundation's `contains` and the standard library's `firstRange(of:)` cost more
        // than classifying the text.
        let bytes = Array(normal.utf8)
        return names.first { Self.contains(bytes, $0.bytes) }?.area
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return needle.isEmpty }
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    /// The area `name` designates exactly (after normalisation), if any.
    public func area(named name: String) -> String? {
        let normal = TextNormalizer.normalize(name)
        return names.first { $0.normal == normal }?.area
    }
}
