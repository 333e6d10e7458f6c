/// The templates compiled into the binary: the layout and one a page. A template named here without
/// its resource does not compile; the dashboard registers every one at start-up.
enum PageTemplate: String, CaseIterable, Sendable {
    case layout, login, today, cases, `case`, members, notices, notice, reports, resident

    var source: [UInt8] {
        switch self {
        case .layout: PackageResources.layout_mustache
        case .login: PackageResources.login_mustache
        case .today: PackageResources.today_mustache
        case .cases: PackageResources.cases_mustache
        case .case: PackageResources.case_mustache
        case .members: PackageResources.members_mustache
        case .notices: PackageResources.notices_mustache
        case .notice: PackageResources.notice_mustache
        case .reports: PackageResources.reports_mustache
        case .resident: PackageResources.resident_mustache
        }
    }
}

/// What a page's template shows: one struct a page, its words (`t`) and the form token (`csrf`)
/// among its fields. swift-mustache reads stored fields by name (through `Mirror`: a computed
/// property is invisible to a template, so lists' emptiness is an inverted section, `{{^cases}}`).
protocol PageModel: Sendable {
    static var template: PageTemplate { get }
}

/// An entry of a `<select>`.
struct Choice: Sendable {
    var id: String
    var name: String
    var selected = false
}

/// The frame around every page: navigation, language switch, logout.
struct LayoutModel: PageModel {
    static let template = PageTemplate.layout
    struct User: Sendable { var name: String }
    var t: DashboardWords, lang: String, title: String, body: String, otherLang: String, user: User?, csrf: String?
    var active_today = false, active_cases = false, active_members = false, active_notices = false, active_reports = false
}

struct LoginModel: PageModel {
    static let template = PageTemplate.login
    var t: DashboardWords, failed: Bool, next: String
}

/// A case as a row of a list (the board, today's lists).
struct CaseRow: Sendable {
    var ref, href, state, topic, intent, area, member, received, deadline: String
    var overdue: Bool
    var text: String
}

struct TodayModel: PageModel {
    static let template = PageTemplate.today
    struct Tile: Sendable {
        var label: String, count: Int, href: String, id: String
        var alert = false
    }
    /// A text that failed, with its case and (for those who may) a resend button.
    struct FailedText: Sendable {
        var to, text, error, at: String
        var ref: String?, href: String?, resend: String?
    }
    var t: DashboardWords, csrf: String, tiles: [Tile], overdue: [CaseRow], atRisk: [CaseRow], failed: [FailedText]
}

struct BoardModel: PageModel {
    static let template = PageTemplate.cases
    var t: DashboardWords, csrf: String, cases: [CaseRow]
    /// The next page's address; nil when this page is the last.
    var next: String?
    var studios, states, topics, intents, members: [Choice]
    var area, from, to, q: String
    var overdueChecked: Bool
    var sortHref, sortLabel: String
}

struct CaseModel: PageModel {
    static let template = PageTemplate.case
    /// A message in the conversation; `side` is its CSS class (resident, studio, member, staff).
    struct Bubble: Sendable {
        var who, side, text, at, status: String
        var resend: String?
    }
    struct Match: Sendable { var rule, words, location: String }
    struct Step: Sendable {
        var step: String
        var done: Bool
    }
    struct Event: Sendable { var at, actor, kind, detail: String }
    var t: DashboardWords
    var csrf: String
    var ref, base: String
    var version: Int
    var state, topic, intent, area, member, resident, received, deadline, routing: String
    var outcome: String?, matches: [Match], chat: [Bubble], mediation: [Step], isNeighbour: Bool, events: [Event]
    var writable: Bool, canNote: Bool, targets: [Choice], outcomes: [Choice]
}

struct MembersModel: PageModel {
    static let template = PageTemplate.members
    struct Row: Sendable {
        var name, id, studio, studioName, role, sector, areas: String
        var open, overdue: Int
        var leave, queue, response, resolution, satisfaction: String
    }
    var t: DashboardWords, csrf: String, members: [Row], month: String
}

struct NoticesModel: PageModel {
    static let template = PageTemplate.notices
    struct Row: Sendable {
        var ref, href, title, kind, state, sendAt: String
        var coming, declined, noAnswer: Int
    }
    /// What a draft would send, shown before it is sent; `fields` carry the draft to the send button.
    struct Preview: Sendable {
        struct Field: Sendable { var name, value: String }
        struct Skipped: Sendable { var who, reason: String }
        var text: String
        var recipients, partsEach, totalParts: Int
        var sendAt: String, maskedNumbers: Bool, fields: [Field], skipped: [Skipped], hasSkipped: Bool
    }
    var t: DashboardWords, csrf: String, notices: [Row], canCreate: Bool, studios: [Choice]
    /// The audience's choices: the account's studios' areas, the sectors, the studios' rolls.
    var areas, sectors, rolls: [Choice]
    var preview: Preview?
}

struct NoticeModel: PageModel {
    static let template = PageTemplate.notice
    struct Seat: Sendable {
        var role: String
        var coming, declined, noAnswer: Int
    }
    struct Person: Sendable { var name, phone, role, area, status, answer, note: String }
    var t: DashboardWords
    var csrf: String
    var ref, title, text, state, sendAt, meetingAt, place, audience: String
    var seats: [Seat]
    var coming, declined, noAnswer: Int
    var people: [Person], cancellable: Bool, cancelHref: String
}

struct ReportsModel: PageModel {
    static let template = PageTemplate.reports
    struct Volume: Sendable {
        struct Count: Sendable { var n: Int }
        var key: String
        var counts: [Count]
    }
    struct Week: Sendable { var week: String }
    struct Change: Sendable { var key: String; var cases: Int; var change: String }
    struct Example: Sendable { var topic, ref, text: String }
    struct Escalation: Sendable { var ref, outcome, note: String }
    var t: DashboardWords, csrf: String, month: String, cases: Int
    var response, responseCounts, resolution, resolutionCounts, satisfaction, satisfactionCounts: String
    /// SVG, drawn by ``SVGChart`` (escaped there), put in unescaped.
    var trend, byMember, byArea, byTopic, weekly: String
    var weeks: [Week]
    var volumeTopic, volumeArea: [Volume]
    var digestTopics, digestAreas: [Change]
    var examples: [Example]
    var escalations: [Escalation]
    /// One line when the list is cut short (how many of how many).
    var escalationsMore: [More]
    struct More: Sendable { var text: String }
    var csv, previous: String
}
