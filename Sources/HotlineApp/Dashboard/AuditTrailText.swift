import Foundation
import HotlineCore

/// An audit-trail entry's detail as a Chinese page shows it. The service writes the details of its
/// own entries in a fixed shape, in English (`M3: linked-area, linked to 龙湖社区, …`, `accept due …`);
/// this reads those shapes and says them in Chinese. What people wrote (notes, replies, reasons)
/// and shapes it does not know are shown as stored.
enum AuditTrailText {
    static func detail(_ kind: CaseEventKind?, _ detail: String, studio: Studio?, topics: TopicCatalog) -> String {
        func name(_ id: Substring) -> String { studio?.person(String(id))?.name ?? String(id) }
        func step(_ raw: Substring) -> String { DeadlineKind(rawValue: String(raw))?.label ?? String(raw) }
        switch kind {
        case .opened?:
            if let m = detail.wholeMatch(of: /(\w+)\/(\w+) score ([-0-9.]+)/) {
                let intent = Intent(rawValue: String(m.output.1))?.label ?? String(m.output.1)
                return "\(intent)/\(topics.name(Topic(String(m.output.2)))),得分\(m.output.3)"
            }
        case .assigned?:
            if let m = detail.wholeMatch(of: /(\S+): ([a-z-]+), .*/) {
                return "\(name(m.output.1)):\(RoutingReason(rawValue: String(m.output.2)).map(label) ?? String(m.output.2))"
            }
        case .answered?:
            if detail == "answered from the rule table" { return "按规则表自动答复" }
        case .reassigned?:
            if let m = detail.wholeMatch(of: /(\S+): transferred by (\S+)/) { return "\(name(m.output.1)):由\(name(m.output.2))转交" }
            if let m = detail.wholeMatch(of: /(\S+): (accept|reply|close) deadline missed twice; .*/) {
                return "\(name(m.output.1)):\(step(m.output.2))两次超期,改派"
            }
            if let m = detail.wholeMatch(of: /(\S+): (.*)/) { return "\(name(m.output.1)):\(m.output.2)" }
        case .closed?:
            if let m = detail.wholeMatch(of: /([a-z-]+): (.*)/), let outcome = CaseOutcome(rawValue: String(m.output.1)) {
                return "\(outcome.label):\(m.output.2)"
            }
        case .reminded?:
            if let m = detail.wholeMatch(of: /(accept|reply|close) due (.*)/) { return "\(step(m.output.1))期限 \(m.output.2)" }
        case .overdue?:
            if let m = detail.wholeMatch(of: /(accept|reply|close) due (.*) missed; extended to (.*)/) {
                return "\(step(m.output.1))期限 \(m.output.2) 已过,延至 \(m.output.3)"
            }
            if let m = detail.wholeMatch(of: /(accept|reply|close) missed again; nobody else available/) {
                return "\(step(m.output.1))再次超期,无人可改派"
            }
        case .held?:
            switch detail {
            case SenderVerdict.Action.holdFlood.rawValue: return "短时间内短信过多,暂停回复"
            case SenderVerdict.Action.stopAutoResponder.rawValue: return "疑似自动回复,停止回复"
            default: break
            }
        case .surveyed?:
            if let s = Satisfaction(rawValue: detail) { return s.label }
        default:
            break
        }
        return detail
    }

    static func label(_ reason: RoutingReason) -> String {
        switch reason {
        case .linkedSectorFit: "联系该社区/村且界别对口"
        case .linkedArea: "联系该社区/村"
        case .duty: "值班"
        case .liaison: "交联络员"
        }
    }
}
