import HotlineCore
import HotlineStorage

/// The dashboard's words in Chinese (the default) and English, by key; templates read them as `t.key`.
enum DashboardText {
    static let words: [String: (zh: String, en: String)] = [
        "app": ("委员工作室热线", "Studio hotline"),
        "today": ("今日", "Today"), "cases": ("案件", "Cases"), "members": ("委员", "Members"), "notices": ("通知", "Notices"),
        "reports": ("报表", "Reports"), "logout": ("退出", "Log out"), "login": ("登录", "Log in"), "loginName": ("账号", "Login"),
        "password": ("密码", "Password"), "loginFailed": ("账号或密码错误", "Wrong login or password"),
        "receivedToday": ("今日新收", "Received today"), "unassigned": ("待分配", "Unassigned"),
        "awaiting": ("待受理", "Awaiting acceptance"), "overdue": ("已超期", "Overdue"), "atRisk": ("即将超期", "At risk"),
        "failedOutbound": ("发送失败短信", "Failed texts"), "case": ("案件", "Case"), "state": ("状态", "State"),
        "topic": ("类别", "Topic"), "intent": ("类型", "Intent"), "area": ("社区/村", "Area"), "member": ("委员", "Member"),
        "received": ("收到时间", "Received"), "deadline": ("期限", "Deadline"), "text": ("内容", "Text"), "studio": ("工作室", "Studio"),
        "filter": ("筛选", "Filter"), "all": ("全部", "All"), "from": ("起", "From"), "to": ("止", "To"), "search": ("关键词", "Words"),
        "sortDeadline": ("按期限排序", "Sort by deadline"), "sortReceived": ("按收到时间排序", "Sort by received"),
        "next": ("下一页", "Next page"), "none": ("暂无", "None"), "conversation": ("对话", "Conversation"),
        "resident": ("群众", "Resident"), "studioVoice": ("工作室", "Studio"), "auditTrail": ("办理记录", "Audit trail"),
        "routing": ("分派理由", "Routing reason"), "classification": ("分类依据", "Classification"),
        "mediation": ("调解六步", "Mediation steps"), "reassign": ("改派", "Reassign"), "note": ("备注", "Note"),
        "addNote": ("添加备注", "Add note"), "close": ("办结", "Close"), "outcome": ("办理结果", "Outcome"),
        "resend": ("重发", "Resend"), "reason": ("理由", "Reason"), "submit": ("提交", "Submit"), "confirmClose": ("确认办结此案件?", "Close this case?"),
        "open": ("在办", "Open"), "onLeave": ("请假中", "On leave"), "available": ("可分派", "Available"), "queue": ("待办", "Queue"),
        "responseRate": ("响应率", "Response rate"), "resolutionRate": ("解决率", "Resolution rate"),
        "satisfactionRate": ("满意率", "Satisfaction rate"), "month": ("月份", "Month"), "csv": ("下载CSV", "Download CSV"),
        "ratesByMonth": ("三率月度趋势", "The three rates by month"), "byMember": ("按委员", "By member"), "byArea": ("按社区/村", "By area"),
        "byTopic": ("按类别", "By topic"), "volumeByWeek": ("每周诉求量", "Volume per week"), "digest": ("社情民意摘要", "Social-conditions digest"),
        "examples": ("典型诉求", "Representative messages"), "escalations": ("转提案与社情民意", "Escalations"),
        "change": ("较上月", "Since last month"), "newNotice": ("新建通知", "New notice"), "title": ("标题", "Title"),
        "body": ("正文", "Body"), "meetingAt": ("会议时间", "Meeting time"), "place": ("地点", "Place"), "audience": ("对象", "Audience"),
        "sendAt": ("发送时间(空为立即)", "Send at (empty: now)"), "preview": ("预览", "Preview"), "send": ("发送", "Send"),
        "maskedNumbers": ("内容中的手机号码已隐去:群众不会收到委员或他人的号码。", "Mobile numbers in the text are masked: residents never receive a member's or anyone's number."),
        "recipients": ("接收人", "Recipients"), "skipped": ("未发送", "Skipped"), "parts": ("短信条数", "SMS parts"),
        "cancel": ("取消通知", "Cancel notice"), "confirmCancel": ("确认取消此通知?", "Cancel this notice?"), "coming": ("参加", "Coming"),
        "declined": ("不参加", "Declined"), "noAnswer": ("未回复", "No answer"), "tally": ("回执", "Answers"), "attendance": ("参会名单", "Attendance"),
        "role": ("身份", "Role"), "cases_count": ("案件数", "Cases"), "kind": ("类别", "Kind"), "meeting": ("会议", "Meeting"), "general": ("通知", "General"),
        "accept": ("受理", "Accept by"), "reply": ("答复", "Reply by"),
        "language": ("English", "中文"), "refused": ("未执行", "Not done"), "done": ("已完成", "Done"),
    ]

    /// The words of one language.
    static func table(_ lang: String) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in words { out[k] = lang == "en" ? v.en : v.zh }
        return out
    }

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
        "received": "已收到", "queued": "待发送", "sending": "发送中", "sent": "已发送", "delivered": "已送达", "failed": "发送失败",
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
