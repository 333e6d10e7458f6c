import Foundation

/// What a person on a studio's roster does there.
public enum RosterRole: String, Sendable, Codable, CaseIterable {
    /// A committee member (委员): receives and handles cases.
    case member
    /// A liaison (联络员): takes cases nobody else can, reassigns, broadcasts.
    case liaison
    /// The studio's coordinator (负责人): a liaison who also reports.
    case coordinator

    /// Liaisons and coordinators are staff: they may act on any case of their studio.
    public var isStaff: Bool { self != .member }
}

/// A member, liaison or coordinator of one studio (a person may appear in several studios).
public struct RosterEntry: Sendable, Equatable, Codable {
    /// Stable id within the deployment, e.g. `M1`.
    public var id: String
    /// Display name, e.g. 张委员.
    public var name: String
    /// The person's own phone, E.164.
    public var phone: String
    public var role: RosterRole
    /// Sector id (界别), e.g. `medical`; nil for staff.
    public var sector: String?
    /// Area ids the person is linked to (包联). Staff are linked to all areas implicitly.
    public var areas: [String]

    public init(id: String, name: String, phone: String, role: RosterRole, sector: String? = nil, areas: [String] = []) {
        self.id = id
        self.name = name
        self.phone = phone
        self.role = role
        self.sector = sector
        self.areas = areas
    }
}

/// A village or community (社区/村) and the names residents use for it.
public struct Area: Sendable, Equatable, Codable {
    /// Canonical name, also the id: 龙湖社区.
    public var id: String
    /// Other names: 龙湖, 龍湖, 龙湖小区.
    public var aliases: [String]

    public init(id: String, aliases: [String] = []) {
        self.id = id
        self.aliases = aliases
    }
}

/// A government department (区水务局, 城管局 …) a studio transfers cases to (转办), and chases (督办)
/// until the member records its answer.
public struct Department: Sendable, Equatable, Codable {
    /// The name residents are told, also the id: 区水务局.
    public var name: String
    /// Other names members write: 水务局.
    public var aliases: [String]
    /// The department's contact number, for the member (never sent to residents).
    public var phone: String?
    /// Days the department has to answer (nil: the case keeps its close deadline).
    public var days: Double?

    public init(name: String, aliases: [String] = [], phone: String? = nil, days: Double? = nil) {
        self.name = name
        self.aliases = aliases
        self.phone = phone
        self.days = days
    }

    /// Every name it answers to.
    public var names: [String] { [name] + aliases }
}

/// A sector (界别) and the topics it is best placed to handle.
public struct Sector: Sendable, Equatable, Codable {
    public var id: String
    /// Chinese name, e.g. 医药卫生.
    public var name: String
    public var topics: [Topic]

    public init(id: String, name: String, topics: [Topic]) {
        self.id = id
        self.name = name
        self.topics = topics
    }
}

/// A day of the week in the Gregorian calendar's numbering (1 = Sunday … 7 = Saturday).
public enum Weekday: Int, Sendable, Codable, CaseIterable {
    case sunday = 1, monday, tuesday, wednesday, thursday, friday, saturday

    /// Accepts English names (`wednesday`, `wed`) and Chinese (`周三`, `星期三`).
    public init?(name: String) {
        let names: [String: Weekday] = [
            "sunday": .sunday, "sun": .sunday, "周日": .sunday, "星期日": .sunday, "星期天": .sunday, "周天": .sunday,
            "monday": .monday, "mon": .monday, "周一": .monday, "星期一": .monday,
            "tuesday": .tuesday, "tue": .tuesday, "周二": .tuesday, "星期二": .tuesday,
            "wednesday": .wednesday, "wed": .wednesday, "周三": .wednesday, "星期三": .wednesday,
            "thursday": .thursday, "thu": .thursday, "周四": .thursday, "星期四": .thursday,
            "friday": .friday, "fri": .friday, "周五": .friday, "星期五": .friday,
            "saturday": .saturday, "sat": .saturday, "周六": .saturday, "星期六": .saturday,
        ]
        guard let day = names[name.lowercased()] else { return nil }
        self = day
    }

    /// 周日 … 周六.
    public var chineseName: String { ["周日", "周一", "周二", "周三", "周四", "周五", "周六"][rawValue - 1] }

    /// The weekday of `date` as seen in `timeZone`.
    public static func of(_ date: Date, in timeZone: TimeZone) -> Weekday {
        // Local days since 1970-01-01, a Thursday: asked for every routed case, and making a
        // Calendar for it cost more than the rest of routing.
        let local = date.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: date))
        let days = Int((local / 86_400).rounded(.down))
        return Weekday(rawValue: ((days + 4) % 7 + 7) % 7 + 1)!
    }
}
