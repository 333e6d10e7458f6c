/// What an entry of a case's audit trail records (stored as its raw value, as it always was).
public enum CaseEventKind: String, Sendable, Codable, CaseIterable {
    case opened, assigned, answered, accepted, replied, closed, transferred, reassigned, reminded, overdue, surveyed
    case surveyReminded = "survey-reminded"
    /// More text from the resident about the open case.
    case added
    /// A text the sender guard held back.
    case held
    case mediation, note
    /// A command or staff change that was not carried out, with why.
    case refused
    case statusQuery = "status-query"
    case viewed
    /// A text to the resident their channel could not carry: sent by SMS instead, or waiting, and why.
    case undelivered

    /// The entry's name in the studio's language.
    public var label: String {
        switch self {
        case .opened: "立案"
        case .assigned: "分派"
        case .answered: "自动答复"
        case .accepted: "受理"
        case .replied: "答复"
        case .closed: "办结"
        case .transferred: "转部门"
        case .reassigned: "改派"
        case .reminded: "提醒"
        case .overdue: "超期"
        case .surveyed: "回访"
        case .surveyReminded: "回访提醒"
        case .added: "群众补充"
        case .held: "暂停回复"
        case .mediation: "调解"
        case .note: "备注"
        case .refused: "未执行"
        case .statusQuery: "查询进度"
        case .viewed: "查看"
        case .undelivered: "未送达"
        }
    }
}
