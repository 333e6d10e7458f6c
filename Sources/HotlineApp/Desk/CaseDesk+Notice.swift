import Foundation
import HotlineCore
import HotlineStorage

/// A liaison's short notice by text: drafted with a preview (`将发给6人,共6条短信。回复“确认 12”发送`),
/// sent only after `确认 12`. Inside the intake transaction.
extension CaseDesk {
    func draftNotice(_ text: String, by person: RosterEntry) throws {
        guard person.role.isStaff else {
            try tell(person, "notice.error.staff", [:], caseID: nil)
            return
        }
        guard let (part, body) = NoticeByText.audience(in: text, studio: studio), !body.isEmpty else {
            try tell(person, "notice.error.audience", ["usage": MemberCommandParser.noticeUsage], caseID: nil)
            return
        }
        let draft = NoticeDraft(kind: .general, title: body, audience: [part])
        let maxParts = channels.first { $0.id == studio.outboundChannel }?.maxParts ?? maxParts
        do {
            let planning = NoticeService.planning(draft, studio: studio, deployment: deployment, maxParts: maxParts, now: now)
            let (notice, plan) = try ledger.draftNotice(studio: studio, draft: draft, createdBy: person.id, plan: planning)
            try tell(person, "notice.preview", ["count": String(plan.recipients.count), "parts": String(plan.totalParts),
                                                "notice": String(notice.number), "skipped": Self.skipped(plan.skipped)], caseID: nil)
        } catch NoticeError.emptyAudience {
            try tell(person, "notice.error.empty", ["skipped": ""], caseID: nil)
        }
    }

    func confirmNotice(_ number: Int, by person: RosterEntry) throws {
        guard person.role.isStaff else {
            try tell(person, "notice.error.staff", [:], caseID: nil)
            return
        }
        guard var notice = try ledger.notice(studio: studio.id, number: number), notice.state == .draft else {
            try tell(person, "notice.error.unknown", ["notice": String(number)], caseID: nil)
            return
        }
        // A draft is sent by the one who wrote it, or by the studio's coordinator.
        guard notice.createdBy == person.id || person.role == .coordinator else {
            try tell(person, "notice.error.author", ["notice": String(number), "author": studio.person(notice.createdBy)?.name ?? notice.createdBy],
                     caseID: nil)
            return
        }
        let sent = try ledger.sendDraft(&notice, channel: studio.outboundChannel, from: studio.hotlineNumbers.first ?? from)
        countQueued(sent)
        try tell(person, "notice.sent", ["notice": String(number), "count": String(sent)], caseID: nil)
    }

    /// `,另有2人不发(已退订、号码无效)` or nothing.
    static func skipped(_ skipped: [SkippedRecipient]) -> String {
        let counted = skipped.filter { $0.reason != .duplicate }
        guard !counted.isEmpty else { return "" }
        let reasons = Set(counted.map(\.reason)).sorted { $0.rawValue < $1.rawValue }.map { reason -> String in
            switch reason {
            case .optedOut: "已退订"
            case .invalidNumber: "号码无效"
            case .hotlineNumber: "工作室号码"
            case .duplicate: "重复"
            }
        }
        return ",另有\(counted.count)人不发(\(reasons.joined(separator: "、")))"
    }
}
