import Foundation
import HotlineCore
import HotlineStorage

/// Answers to meeting notices (回执), inside the intake transaction. An answer never opens a case.
extension CaseDesk {
    /// Records `text` as `phone`'s answer to a notice when it is one (see ``RSVP`` for the
    /// precedence over commands and satisfaction answers) and confirms it; false when it is not.
    func answerNotice(_ text: String, from phone: String, roster: Bool, surveyAskedAt: () throws -> Date?) throws -> Bool {
        // Most texts are no answer at all: decided before any lookup.
        guard let parsed = RSVP.parse(text) else { return false }
        let target: CaseLedger.OpenNotice
        if let number = parsed.notice {
            guard let named = try ledger.noticeSent(studio: studio.id, number: number, to: phone) else {
                try tell(phone: phone, "rsvp.unknown", ["notice": String(number)], kind: .rsvp)
                return true
            }
            target = named
        } else {
            let open = try ledger.openNotice(studio: studio.id, phone: phone)
            let reply = roster ? RSVP.fromRoster(text, hasOpenNotice: open != nil)
                               : RSVP.fromResident(text, noticeSentAt: open?.sentAt, surveyAskedAt: open == nil ? nil : try surveyAskedAt())
            guard reply != nil, let open else { return false }
            target = open
        }
        guard let notice = try ledger.notice(id: target.id) else { return false }
        var values = ["title": notice.title, "notice": String(notice.number), "place": notice.place ?? "",
                      "time": notice.meetingAt.map { NoticePlanner.when($0, timeZone: studio.timeZone) } ?? "", "note": ""]
        guard target.open else {
            try tell(phone: phone, "rsvp.closed", values, kind: .rsvp)
            return true
        }
        // The same answer again (a person repeating it, a phone that answers every text) is not confirmed again.
        guard try ledger.recordRSVP(notice: target.id, phone: phone, answer: parsed.answer, note: parsed.note) else { return true }
        values["note"] = parsed.note.isEmpty ? "" : "原因:\(parsed.note)"
        try tell(phone: phone, parsed.answer == .coming ? "rsvp.coming" : "rsvp.declined", values, kind: .rsvp)
        return true
    }
}
