import HotlineCore

/// The dashboard's words in Chinese (the default) and English: one property a word, so a page
/// that names a word the table lacks does not compile; templates read them as `t.name`, and a test
/// holds every `t.name` of every template to a property here.
struct DashboardWords: Sendable {
    let app: String, today: String, cases: String, members: String, notices: String, reports: String, logout: String
    let login: String, loginName: String, password: String, loginFailed: String, receivedToday: String
    let unassigned: String, awaiting: String, overdue: String, atRisk: String, failedOutbound: String, `case`: String
    let state: String, topic: String, intent: String, area: String, member: String, received: String, deadline: String
    let text: String, studio: String, filter: String, all: String, from: String, to: String, search: String
    let sortDeadline: String, sortReceived: String, next: String, none: String, conversation: String, resident: String
    let studioVoice: String, auditTrail: String, routing: String, classification: String, mediation: String
    let reassign: String, note: String, addNote: String, close: String, outcome: String, resend: String, reason: String
    let submit: String, confirmClose: String, open: String, onLeave: String, available: String, queue: String
    let responseRate: String, resolutionRate: String, satisfactionRate: String, month: String, csv: String
    let ratesByMonth: String, byMember: String, byArea: String, byTopic: String, volumeByWeek: String, digest: String
    let examples: String, escalations: String, change: String, newNotice: String, title: String, body: String
    let meetingAt: String, place: String, audience: String, sendAt: String, preview: String, send: String
    let maskedNumbers: String, recipients: String, skipped: String, parts: String, cancel: String, confirmCancel: String
    let coming: String, declined: String, noAnswer: String, tally: String, attendance: String, role: String
    let cases_count: String, kind: String, meeting: String, general: String, accept: String, reply: String
    let language: String, refused: String, done: String, audienceMembers: String, audienceLiaisons: String, audienceFollowers: String
    let audienceMembersOfArea: String, audienceMembersOfSector: String, audienceResidentsOfArea: String
    let audienceRoll: String, audienceNumbers: String, audienceNone: String
    /// `%d` shown, of `%d`: a long list cut short.
    let firstShown: String

    /// The words of a page's language.
    static func of(_ lang: String) -> DashboardWords { lang == "en" ? en : zh }

    /// A deadline's kind, before its time: 受理 10-26 10:00.
    func deadline(_ kind: DeadlineKind) -> String {
        switch kind {
        case .accept: accept
        case .reply: reply
        case .close: close
        }
    }

    func noticeKind(_ kind: NoticeKind) -> String {
        switch kind {
        case .meeting: meeting
        case .general: general
        }
    }

    static let zh = DashboardWords(
        app: "委员工作室热线", today: "今日", cases: "案件", members: "委员", notices: "通知", reports: "报表", logout: "退出", login: "登录", loginName: "账号",
        password: "密码", loginFailed: "账号或密码错误", receivedToday: "今日新收", unassigned: "待分配", awaiting: "待受理", overdue: "已超期", atRisk: "即将超期",
        failedOutbound: "发送失败短信", case: "案件", state: "状态", topic: "类别", intent: "类型", area: "社区/村", member: "委员", received: "收到时间", deadline: "期限",
        text: "内容", studio: "工作室", filter: "筛选", all: "全部", from: "起", to: "止", search: "关键词", sortDeadline: "按期限排序", sortReceived: "按收到时间排序",
        next: "下一页", none: "暂无", conversation: "对话", resident: "群众", studioVoice: "工作室", auditTrail: "办理记录", routing: "分派理由", classification: "分类依据",
        mediation: "调解六步", reassign: "改派", note: "备注", addNote: "添加备注", close: "办结", outcome: "办理结果", resend: "重发", reason: "理由", submit: "提交",
        confirmClose: "确认办结此案件?", open: "在办", onLeave: "请假中", available: "可分派", queue: "待办", responseRate: "响应率", resolutionRate: "解决率",
        satisfactionRate: "满意率", month: "月份", csv: "下载CSV", ratesByMonth: "三率月度趋势", byMember: "按委员", byArea: "按社区/村", byTopic: "按类别",
        volumeByWeek: "每周诉求量", digest: "社情民意摘要", examples: "典型诉求", escalations: "转提案与社情民意", change: "较上月", newNotice: "新建通知", title: "标题",
        body: "正文", meetingAt: "会议时间", place: "地点", audience: "对象", sendAt: "发送时间(空为立即)", preview: "预览", send: "发送",
        maskedNumbers: "内容中的手机号码已隐去:群众不会收到委员或他人的号码。", recipients: "接收人", skipped: "未发送", parts: "短信条数", cancel: "取消通知", confirmCancel: "确认取消此通知?",
        coming: "参加", declined: "不参加", noAnswer: "未回复", tally: "回执", attendance: "参会名单", role: "身份", cases_count: "案件数", kind: "类别", meeting: "会议",
        general: "通知", accept: "受理", reply: "答复", language: "English", refused: "未执行", done: "已完成",
        audienceMembers: "全体委员", audienceLiaisons: "联络员和负责人", audienceFollowers: "公众号关注者", audienceMembersOfArea: "包联该社区/村的委员", audienceMembersOfSector: "该界别的委员", audienceResidentsOfArea: "该社区/村的群众", audienceRoll: "名单", audienceNumbers: "号码(每行一个)", audienceNone: "不选",
        firstShown: "列出前 %d 件,共 %d 件;全部见社情民意摘要(/api/v1/reports/digest)。"
    )

    static let en = DashboardWords(
        app: "Studio hotline", today: "Today", cases: "Cases", members: "Members", notices: "Notices", reports: "Reports", logout: "Log out",
        login: "Log in", loginName: "Login", password: "Password", loginFailed: "Wrong login or password", receivedToday: "Received today",
        unassigned: "Unassigned", awaiting: "Awaiting acceptance", overdue: "Overdue", atRisk: "At risk", failedOutbound: "Failed texts",
        case: "Case", state: "State", topic: "Topic", intent: "Intent", area: "Area", member: "Member", received: "Received", deadline: "Deadline",
        text: "Text", studio: "Studio", filter: "Filter", all: "All", from: "From", to: "To", search: "Words", sortDeadline: "Sort by deadline",
        sortReceived: "Sort by received", next: "Next page", none: "None", conversation: "Conversation", resident: "Resident", studioVoice: "Studio",
        auditTrail: "Audit trail", routing: "Routing reason", classification: "Classification", mediation: "Mediation steps", reassign: "Reassign",
        note: "Note", addNote: "Add note", close: "Close", outcome: "Outcome", resend: "Resend", reason: "Reason", submit: "Submit",
        confirmClose: "Close this case?", open: "Open", onLeave: "On leave", available: "Available", queue: "Queue", responseRate: "Response rate",
        resolutionRate: "Resolution rate", satisfactionRate: "Satisfaction rate", month: "Month", csv: "Download CSV",
        ratesByMonth: "The three rates by month", byMember: "By member", byArea: "By area", byTopic: "By topic", volumeByWeek: "Volume per week",
        digest: "Social-conditions digest", examples: "Representative messages", escalations: "Escalations", change: "Since last month",
        newNotice: "New notice", title: "Title", body: "Body", meetingAt: "Meeting time", place: "Place", audience: "Audience",
        sendAt: "Send at (empty: now)", preview: "Preview", send: "Send",
        maskedNumbers: "Mobile numbers in the text are masked: residents never receive a member's or anyone's number.", recipients: "Recipients",
        skipped: "Skipped", parts: "SMS parts", cancel: "Cancel notice", confirmCancel: "Cancel this notice?", coming: "Coming",
        declined: "Declined", noAnswer: "No answer", tally: "Answers", attendance: "Attendance", role: "Role", cases_count: "Cases", kind: "Kind",
        meeting: "Meeting", general: "General", accept: "Accept by", reply: "Reply by", language: "中文", refused: "Not done", done: "Done",
        audienceMembers: "All members", audienceLiaisons: "Liaisons and coordinators", audienceFollowers: "WeChat followers", audienceMembersOfArea: "Members linked to an area", audienceMembersOfSector: "Members of a sector", audienceResidentsOfArea: "Residents of an area", audienceRoll: "A roll", audienceNumbers: "Numbers (one a line)", audienceNone: "None",
        firstShown: "The first %d of %d; all of them in the digest (/api/v1/reports/digest)."
    )

}
