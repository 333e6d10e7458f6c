import HotlineCore
import HotlineStorage

/// How the dashboard names the service's values — states, roles, sectors, statuses, kinds, actors,
/// routing reasons — in a page's language (its fixed words are ``DashboardWords``).
enum DashboardText {
    static func state(_ s: CaseState, _ lang: String) -> String { lang == "en" ? s.rawValue : s.label }

    /// A roster role (`member`, `liaison`, `coordinator`).
    static func role(_ raw: String, _ lang: String) -> String {
        guard lang != "en", let role = RosterRole(rawValue: raw) else { return raw }
        return NoticePlanner.seat(role)
    }

    /// A sector by its name in config (医药卫生) on Chinese pages, its id on English ones.
    static func sector(_ id: String?, _ deployment: Deployment, _ lang: String) -> String {
        guard let id else { return "" }
        return lang == "en" ? id : (deployment.sector(id)?.name ?? id)
    }

    static let messageStatuses: [String: String] = [
        "received": "已收到", "queued": "待发送", "sending": "发送中", "sent": "已发送", "delivered": "已送达", "failed": "发送失败", "waiting": "待居民留言后发送",
        "cancelled": "已撤回",
    ]

    /// A message's status (`sent`, `delivered`, …) or a notice recipient's skip reason.
    static func messageStatus(_ raw: String, _ lang: String) -> String {
        guard lang != "en" else { return raw }
        if let reason = SkipReason(rawValue: raw) {
            return switch reason {
            case .optedOut: "已退订"
            case .invalidNumber: "号码无效"
            case .duplicate: "重复"
            case .hotlineNumber: "工作室号码"
            }
        }
        return messageStatuses[raw] ?? raw
    }

    static func noticeState(_ s: NoticeState, _ lang: String) -> String {
        guard lang != "en" else { return s.rawValue }
        return switch s {
        case .draft: "草稿"
        case .sent: "已发出"
        case .cancelled: "已取消"
        }
    }

    /// An audit-trail entry's kind.
    static func eventKind(_ raw: String, _ lang: String) -> String {
        lang == "en" ? raw : (CaseEventKind(rawValue: raw)?.label ?? raw)
    }

    /// Who made an audit-trail entry: `resident`, `system`, `staff:LOGIN` or a roster id (shown by name).
    static func actor(_ raw: String, _ studio: Studio?, _ lang: String) -> String {
        switch raw {
        case "resident": return lang == "en" ? "resident" : "群众"
        case "system": return lang == "en" ? "system" : "系统"
        default:
            if raw.hasPrefix("staff:") { return (lang == "en" ? "staff " : "工作人员 ") + raw.dropFirst(6) }
            return studio?.person(raw)?.name ?? raw
        }
    }

    /// Why a case went to whom it went to. English pages show the stored explanation; Chinese pages
    /// say it from the case's facts (the explanation is written in English when routing decides).
    static func routing(_ c: CaseRecord, _ studio: Studio?, _ deployment: Deployment, topic: String, _ lang: String) -> String {
        guard let reason = c.routingReason else { return "" }
        if lang == "en" { return [reason.rawValue, c.routingExplanation].compactMap { $0 }.joined(separator: ": ") }
        let area = c.area ?? "未知社区"
        let assignee = c.assigneeId.flatMap { studio?.person($0) }
        let who = assignee?.name ?? c.assigneeId ?? "-"
        switch reason {
        case .linkedSectorFit:
            let sector = assignee?.sector.flatMap { deployment.sector($0)?.name } ?? ""
            return "联系\(area)且界别对口:\(who)(\(sector)界别,对口\(topic))"
        case .linkedArea: return "联系\(area):\(who)(联系该社区/村的委员中没有对口\(topic)的界别)"
        case .duty: return "值班委员:\(who)(没有联系\(area)的委员)"
        case .liaison: return "联络员:\(who)(没有联系该社区/村或值班的委员,或未能识别内容)"
        }
    }
    static func intent(_ i: Intent, _ lang: String) -> String { lang == "en" ? i.rawValue : i.label }
    static func outcome(_ o: CaseOutcome, _ lang: String) -> String { lang == "en" ? o.rawValue : o.label }
}
