/// The texts the service sends, with `{placeholder}`s; a studio may override any of them in config.
public struct ReplyTemplates: Sendable, Equatable {
    /// Built-in wording, used where a studio's config does not override it.
    public static let defaults: [String: String] = [
        "ack.complaint": "【{studio}】已收到您的诉求,编号{case}。由{assignee}负责办理,我们会尽快答复。查询进度请回复“查询 {case}”。{link}",
        "ack.question": "【{studio}】已收到您的咨询,编号{case}。由{assignee}为您解答,请留意短信回复。{link}",
        "ack.unclassified": "【{studio}】已收到您的来信,编号{case}。工作人员会尽快与您联系。{link}",
        "answer": "【{studio}】{answer}(编号{case})",
        "member.notice": "【新{intent} {case}】{topic}|{area}|来自{resident}:{text} 回复“接 {case}”受理。",
        "register.done": "【{studio}】已登记您所在的社区/村:{area}。今后您反映的问题将优先转给联系{area}的委员。",
        "register.unknown": "【{studio}】没有找到“{name}”。可登记的社区/村:{areas}。请回复“登记 社区名”。",
        // To the resident as the case moves.
        "resident.accepted": "【{studio}】您的诉求(编号{case})已由{assignee}受理,将于{due}前答复您。",
        "resident.reply": "【{studio}】编号{case}:{text}{link}",
        "resident.closed": "【{studio}】您的诉求(编号{case}){outcome}:{note}",
        "resident.transferred": "【{studio}】您的诉求(编号{case})已转交{department}办理,{assignee}会督办并在{due}前答复您。",
        "resident.reassigned": "【{studio}】您的诉求(编号{case})改由{assignee}办理。",
        "resident.added": "【{studio}】您的补充已转给编号{case}的办理人{assignee}。",
        "resident.status": "【{studio}】编号{case}:{state}。{detail}",
        "resident.hold": "【{studio}】您的短信已收到并保存,请稍候,工作人员会尽快处理,无需重复发送。",
        "staff.flood": "【刷屏】{resident}短时间内发来{count}条短信,已暂停自动回复;短信均已保存。",
        "staff.autoresponder": "【自动回复】{resident}疑似自动回复号码(回声或秒回),已停止回复;短信均已保存。",
        "resident.optout": "【{studio}】您已退订本工作室的通知短信。有事仍可直接发短信给我们;恢复通知请回复“订阅”或START。",
        "resident.optin": "【{studio}】您已恢复接收本工作室的通知短信。不想再收请回复“退订”。",
        // A WeChat follower binding a phone number (PhoneBinding); the code goes to the number by SMS.
        "bind.code": "【{studio}】验证码{code},{minutes}分钟内有效,用于在微信公众号绑定本手机号。如非本人操作,请忽略本短信。",
        "resident.bind.sent": "【{studio}】验证码已发送到{phone},请在{minutes}分钟内回复“绑定 验证码”。绑定后,您的短信和微信留言是同一份记录,微信送不到的消息改发短信。",
        "resident.bind.done": "【{studio}】已绑定手机号{phone}。您用这个号码发的短信和在这里的留言合为一份记录。",
        "resident.bind.wrong": "【{studio}】验证码不对,还可以再试{left}次。",
        "resident.bind.nocode": "【{studio}】没有待确认的验证码(已过期或错误次数过多)。请回复“绑定 手机号”重新获取。",
        "resident.bind.toomany": "【{studio}】今天的验证码次数已用完({phone}),请明天再试。",
        "resident.bind.help": "【{studio}】绑定手机号请回复“绑定 手机号”,例如“绑定 13700000001”;收到短信验证码后回复“绑定 验证码”。",
        "resident.bind.unavailable": "【{studio}】本工作室暂不能发送短信验证码,无法绑定手机号。",
        "resident.bind.phone": "【{studio}】您正在用短信联系我们,无需绑定手机号;绑定用于微信公众号。",
        "resident.status.unknown": "【{studio}】没有找到您的编号{case}的诉求,请核对编号。",
        "survey.ask": "【{studio}】请您评价编号{case}的办理:满意请回复1,基本满意回复2,不满意回复3。",
        "survey.reminder": "【{studio}】提醒:请评价编号{case}的办理,满意请回复1,基本满意回复2,不满意回复3。",
        "survey.thanks": "【{studio}】感谢您的评价(编号{case}:{satisfaction})。",
        "survey.reopened": "【{studio}】很抱歉没有让您满意。编号{case}已重新办理,{assignee}会再与您联系。",
        // To the member: confirmations of their commands and news about their cases.
        "member.accepted": "已受理{case}。答复群众请回复“回复 {case} 内容”,答复期限{due}。",
        "member.replied": "已将答复发给{case}的群众。办结请回复“办结 {case} 结果”。",
        "member.closed": "{case}{outcome}。群众将收到满意度回访。",
        "member.transferred": "{case}已转给{target}。",
        "member.department": "{case}已转{department}办理,请在{due}前督办;部门答复后回复“办结 {case} 结果”。",
        "member.forwarded": "您的留言已转给{names}。命令请回复“帮助”。",
        "staff.forwarded": "【委员留言】{name}({resident}):{text}",
        "member.quoted": "您的短信里有本工作室发出的短信(如【委员留言】),没有再转给联络员。有话请直接写,命令请回复“帮助”。",
        "member.hold": "您的留言较多,已暂停转发,留言均已保存,联络员会查看。命令仍可使用,请勿重复发送。",
        "staff.roster.flood": "【刷屏】{name}({resident})短时间内发来{count}条短信,已暂停转发;短信均已保存。",
        "staff.roster.autoresponder": "【自动回复】{name}({resident})的手机疑似自动回复(回声或秒回),已停止转发和回复;短信均已保存。",
        "member.taken": "{case}已由{actor}改派给{target}。",
        "member.added": "【{case}补充】来自{resident}:{text}",
        "member.reopened": "【{case}重办】群众回访不满意,案件已重新打开,请在{due}前再次答复。",
        "member.queue": "待办{count}件:{items}",
        "member.queue.empty": "您目前没有待办案件。",
        "member.show": "{case} {state}|{topic}|{area}|{text}|期限{due}|{conversation}",
        "member.away": "已请假{until},期间不再分配新案件。销假请回复“销假”。",
        "member.back": "已销假,恢复分配新案件。",
        "member.step": "{case}调解步骤已记:{steps}",
        "member.help": "命令:{commands}",
        "member.error.optout": "委员和联络员不能退订本工作室的通知。",
        "member.error.unknown": "没有这个命令。{commands}",
        "member.error.usage": "{problem}。格式:{usage}",
        "member.error.case": "没有编号{case}的案件。",
        "member.error.studio": "没有叫{name}的工作室。",
        "member.error.notyours": "{case}不是您的案件(由{assignee}办理)。",
        "member.error.state": "{case}{problem}。",
        "member.error.target": "{target}不能接这个案件({problem})。",
        "member.error.nowhere": "没有叫“{target}”的委员或部门。{suggestion}",
        "member.error.step": "{case}不是邻里纠纷,没有调解步骤。",
        // Notices (通知) and answers to them (回执).
        "notice.meeting": "【{studio}】会议通知(回执{notice}):{title}。时间:{time};地点:{place}。{body}能参加请回复“参加”,不能参加请回复“请假 原因”。",
        "notice.general": "【{studio}】通知:{title}。{body}",
        "notice.reminder": "【{studio}】会议提醒(回执{notice}):{title},{time}在{place}。",
        "notice.changed": "【{studio}】会议变更(回执{notice}):{title}改为{time}在{place}。{reason}能参加请回复“参加”,不能参加请回复“请假 原因”。",
        "notice.cancelled": "【{studio}】会议取消(回执{notice}):原定{time}在{place}的{title}取消。{reason}",
        "notice.preview": "将发给{count}人,共{parts}条短信{skipped}。回复“确认 {notice}”发送。",
        "notice.sent": "通知{notice}已发出,共{count}人。",
        "notice.error.staff": "只有联络员和负责人可以发通知。",
        "notice.error.audience": "通知对象看不懂。格式:{usage}(对象如:全体委员、龙湖社区委员、联络员)",
        "notice.error.empty": "这个通知没有可以发送的人{skipped}。",
        "notice.error.unknown": "没有通知{notice},或已发出、已取消。",
        "notice.error.author": "通知{notice}是{author}起草的,只能由起草人或负责人确认发送。",
        "rsvp.coming": "【{studio}】已登记您参加{title}({time},{place})。",
        "rsvp.declined": "【{studio}】已登记您不参加{title}。{note}",
        "rsvp.closed": "【{studio}】{title}的回执已截止或会议已取消。",
        "rsvp.unknown": "【{studio}】没有找到回执{notice}的会议通知。",
        // From the deadline service.
        "member.remind": "【提醒】{case}请在{due}前{step}。",
        "staff.overdue": "【超期】{case}({assignee})未在{due}前{step},请督办。",
        "member.reassigned": "【改派】{case}两次超期未{step},已改派给{target}。",
        "staff.reopened": "【不满意】{case}的群众回访不满意,已重新交{assignee}办理。",
    ]

    private var texts: [String: String]

    /// Defaults with `overrides` applied.
    public init(overrides: [String: String] = [:]) {
        texts = Self.defaults.merging(overrides) { _, new in new }
    }

    /// The openings of the texts the roster gets that name no one (`【委员留言】`, `【超期】`): a text
    /// from a roster number that carries one is one of ours coming back.
    public var rosterMarkers: [String] {
        texts.compactMap { name, text -> String? in
            guard name.hasPrefix("member.") || name.hasPrefix("staff."), text.hasPrefix("【"),
                  let close = text.firstIndex(of: "】"), !text[..<close].contains("{") else { return nil }
            let marker = String(text[...close])
            return marker.count >= 4 ? marker : nil
        }.sorted()
    }

    /// The text `name` with its placeholders filled; unknown placeholders are left as written
    /// (config validation rejects them before the server starts).
    public func render(_ name: String, _ values: [String: String]) -> String {
        guard let template = texts[name] else { return "" }
        return Self.fill(template, values)
    }

    /// `template` with each `{name}` replaced by `values[name]`; unknown names are left as written.
    public static func fill(_ template: String, _ values: [String: String]) -> String {
        var out = ""
        out.reserveCapacity(template.utf8.count + 64)
        walk(template, literal: { out += $0 }, placeholder: { name, whole in out += values[String(name)] ?? String(whole) })
        return out
    }

    /// Calls `literal` for the text between placeholders and `placeholder` for each `{name}` (its name
    /// and the whole `{name}`), in order.
    private static func walk(_ template: String, literal: (Substring) -> Void, placeholder: (_ name: Substring, _ whole: Substring) -> Void) {
        // Braces searched for in the UTF-8 bytes (ASCII never occurs inside a multi-byte character):
        // walking Characters cost intake more than the rest of planning a case.
        let bytes = template.utf8
        var rest = bytes.startIndex
        while let open = bytes[rest...].firstIndex(of: UInt8(ascii: "{")),
              let close = bytes[open...].firstIndex(of: UInt8(ascii: "}")) {
            literal(template[rest..<open])
            let after = bytes.index(after: close)
            placeholder(template[bytes.index(after: open)..<close], template[open..<after])
            rest = after
        }
        literal(template[rest...])
    }

    /// `template` filled with typical values (names and numbers as long as real ones, 20 characters
    /// for free text), to check before start-up that a coordinator's wording fits the channel's parts.
    public static func sample(_ template: String, studio: String) -> String {
        let freeText = String(repeating: "字", count: 20)
        let typical: [String: String] = [
            "studio": studio, "case": "1234", "assignee": "张委员", "resident": "138****0001", "intent": "投诉", "topic": "住房物业",
            "area": "徐家湾社区", "due": "11月26日 10:00", "state": "已受理,办理中", "outcome": "已办结", "department": "区住建局",
            "satisfaction": "基本满意", "target": "王委员", "actor": "周联络员", "step": "答复", "count": "3", "until": "到11月30日",
            "steps": "听✓辨✓劝·借·让·和·", "name": "龙湖", "areas": "徐家湾社区、龙湖社区", "usage": "回复 编号 内容", "problem": "缺少内容",
            "names": "周联络员、吴联络员", "suggestion": "您是不是要转:区城管局、区住建局?",
            "title": "龙湖小区停车协商会", "time": "12月9日(周三)15:00", "place": "社区党群服务中心二楼", "body": "", "notice": "12",
            "reason": "改到下周", "note": "原因:出差", "link": "详情:https://hotline.example.org/c/AbCdEfGhIjKlMnOpQrStUv",
        ]
        var values = typical
        for key in placeholders(in: template) where values[key] == nil { values[key] = freeText }
        return fill(template, values)
    }

    /// The placeholders `template` uses.
    public static func placeholders(in template: String) -> [String] {
        var found: [String] = []
        walk(template, literal: { _ in }, placeholder: { name, _ in found.append(String(name)) })
        return found
    }
}
