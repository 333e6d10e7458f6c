import Foundation
import HotlineCore
import HotlineStorage

/// Member commands (接 N, 回复 N …): parse, check, apply, answer. Every command on a case,
/// carried out or refused, is recorded in its audit trail.
extension CaseDesk {
    /// Handles a text from someone on the studio's roster; returns the case it concerned, if any.
    /// The roster's guard decides first: a flood, a loop between two phones that answer every
    /// text, or an echo costs a bounded number of texts (the text is kept either way).
    func roster(_ text: String, from person: RosterEntry, channel inbound: String, limits: SenderLimits) throws -> CaseRecord? {
        let activity = try ledger.rosterActivity(studio: studio.id, phone: person.phone, channel: inbound, text: text, window: limits.window)
        let verdict = SenderGuard.assessRoster(text, isCommand: Self.isCommand(text), activity: activity, limits: limits,
                                               ownNames: deployment.studios.map(\.name), ownMarkers: templates.rosterMarkers, now: now)
        if verdict.machineStreak != activity.machineStreak || verdict.mutedUntil != activity.mutedUntil || verdict.muteReason != activity.muteReason {
            try ledger.recordSender(studio: studio.id, phone: person.phone, verdict: verdict)
        }
        guard verdict.action == .answer else {
            try held(from: person, verdict: verdict, activity: activity)
            return nil
        }
        return try command(text, from: person)
    }

    /// Whether a roster text is acted on by itself (a command, even a malformed one, an answer to a
    /// notice, 退订) rather than passed on to the liaisons.
    static func isCommand(_ text: String) -> Bool {
        if case .failure(.unknownCommand) = MemberCommandParser.parse(text) {
            return RSVP.parse(text) != nil || SubscriptionKeyword(text: text) == .optOut
        }
        return true
    }

    /// A roster text the guard holds back: kept, and for the first of a flood one "please wait" to
    /// the sender and one alert to a liaison; for a phone found to answer by itself one alert.
    private func held(from person: RosterEntry, verdict: SenderVerdict, activity: SenderActivity) throws {
        let values = ["name": person.name, "resident": PhoneNumber.mask(person.phone), "count": String(activity.recentTexts)]
        let liaison = studio.staff.first { $0.phone != person.phone }
        switch verdict.action {
        case .holdFlood:
            try tell(person, "member.hold", [:], caseID: nil, kind: .reminder)
            if let liaison { try tell(liaison, "staff.roster.flood", values, caseID: nil, kind: .reminder) }
        case .stopAutoResponder:
            if let liaison { try tell(liaison, "staff.roster.autoresponder", values, caseID: nil, kind: .reminder) }
        case .silent, .answer:
            break
        }
    }

    /// Carries out a roster text the guard let through.
    private func command(_ text: String, from person: RosterEntry) throws -> CaseRecord? {
        // An answer to a notice comes before commands (`请假 出差` answers it; `请假 到 12-10` is leave).
        if try answerNotice(text, from: person.phone, roster: true, surveyAskedAt: { nil }) { return nil }
        let command: MemberCommand
        switch MemberCommandParser.parse(text) {
        case let .success(c): command = c
        case let .failure(problem):
            // The roster gets the studio's notices: 退订 is answered, not passed on.
            if SubscriptionKeyword(text: text) == .optOut {
                try tell(person, "member.error.optout", [:], caseID: nil)
                return nil
            }
            // Not a command at all: a message for the studio, passed on to its liaisons.
            if problem == .unknownCommand, try forward(text, from: person) { return nil }
            try refuse(person, problem)
            return nil
        }
        switch command {
        case .help:
            try tell(person, "member.help", ["commands": MemberCommandParser.summary], caseID: nil)
            return nil
        case .list:
            try listQueue(person)
            return nil
        case let .away(until):
            var end: Date?
            if let until {
                guard let valid = leaveEnd(until) else {
                    try tell(person, "member.error.usage", ["problem": "请假日期应是一年内的真实日期",
                                                             "usage": MemberCommandParser.awayUsage], caseID: nil)
                    return nil
                }
                end = valid
            }
            for s in deployment.studios {
                if let p = s.person(phone: person.phone) { try ledger.startLeave(studio: s.id, rosterID: p.id, until: end) }
            }
            try tell(person, "member.away", ["until": end.map { "到\(format($0.addingTimeInterval(-60)).prefix { $0 != " " })" } ?? ""], caseID: nil)
            return nil
        case let .notice(text):
            try draftNotice(text, by: person)
            return nil
        case let .confirm(number):
            try confirmNotice(number, by: person)
            return nil
        case .back:
            for s in deployment.studios {
                if let p = s.person(phone: person.phone) { try ledger.endLeave(studio: s.id, rosterID: p.id) }
            }
            try tell(person, "member.back", [:], caseID: nil)
            return nil
        case let .accept(ref), let .reply(ref, _), let .done(ref, _), let .transfer(ref, _), let .proposal(ref, _), let .unresolved(ref, _),
             let .socialReport(ref, _), let .show(ref), let .step(ref, _, _):
            guard var record = try find(ref, for: person) else { return nil }
            // Whichever number it was texted to, a command acts in the case's own studio: its wording,
            // deadlines, staff, departments and number.
            try desk(for: record.studioId).act(command, on: &record, by: person, text: text)
            return record
        }
    }

    /// The case a member names, or nil after telling them why not.
    private func find(_ ref: CaseReference, for person: RosterEntry) throws -> CaseRecord? {
        let studioID = ref.studio ?? studio.id
        guard let other = deployment.studio(id: studioID), other.person(phone: person.phone) != nil else {
            try tell(person, "member.error.studio", ["name": ref.studio ?? studioID], caseID: nil)
            return nil
        }
        guard let record = try ledger.caseRecord(studio: studioID, number: ref.number) else {
            try tell(person, "member.error.case", ["case": ref.description], caseID: nil)
            return nil
        }
        return record
    }

    fileprivate func act(_ command: MemberCommand, on record: inout CaseRecord, by person: RosterEntry, text: String) throws {
        // Someone on two studios' rosters may act under the other studio's id.
        let me = deployment.studio(id: record.studioId)?.person(phone: person.phone) ?? person
        let actor: CaseActor = me.role.isStaff ? .staff(me.id) : .member(me.id)
        let result: Result<Void, CaseRejection>
        switch command {
        case .accept:
            result = try transition(&record, .accept, by: actor, event: .accepted, detail: text)
            if case .success = result {
                var v = values(record, for: me)
                v["due"] = format(record.replyDue)
                try tell(me, "member.accepted", v, caseID: record.id)
                v = values(record)
                v["due"] = format(record.replyDue)
                try tellResident(of: record, "resident.accepted", v)
            }
        case let .reply(_, reply):
            result = try transition(&record, .reply, by: actor, event: .replied, detail: reply)
            if case .success = result {
                var v = values(record)
                v["text"] = reply
                try tellResident(of: record, "resident.reply", v, kind: .memberReply)
                try tell(me, "member.replied", values(record, for: me), caseID: record.id)
            }
        case let .done(_, outcome):
            // A department's case closes with the department's answer as the outcome.
            result = record.state == .withDepartment
                ? try close(&record, .transferred, note: outcome, department: record.department, by: actor, me: me, text: text)
                : try close(&record, .resolved, note: outcome, department: nil, by: actor, me: me, text: text)
        case let .proposal(_, note):
            result = try close(&record, .proposal, note: note, department: nil, by: actor, me: me, text: text)
        case let .unresolved(_, note):
            result = try close(&record, .unresolved, note: note, department: nil, by: actor, me: me, text: text)
        case let .socialReport(_, note):
            result = try close(&record, .socialReport, note: note, department: nil, by: actor, me: me, text: text)
        case let .transfer(_, to):
            result = try transfer(&record, to: to, by: actor, me: me, text: text)
        case .show:
            result = try show(record, to: me, actor: actor)
        case let .step(_, step, note):
            result = try mediate(record, step: step, note: note, by: actor, me: me)
        default:
            result = .success(())
        }
        if case let .failure(rejection) = result {
            try ledger.addEvent(record.id!, actor: me.id, kind: .refused, detail: "\(text) — \(rejection)")
            try refuse(me, rejection, record)
        }
    }

    private func close(_ record: inout CaseRecord, _ outcome: CaseOutcome, note: String, department: String?,
                       by actor: CaseActor, me: RosterEntry, text: String) throws -> Result<Void, CaseRejection> {
        let result = try transition(&record, .close(outcome, note: note, department: department), by: actor,
                                    event: .closed, detail: "\(outcome.rawValue): \(department ?? note)")
        guard case .success = result else { return result }
        var v = values(record, for: me)
        v["outcome"] = outcome == .transferred ? "已由\(department ?? "")办结" : outcome.label
        try tell(me, "member.closed", v, caseID: record.id)
        try announceClosing(record)
        return result
    }

    /// `转 N M3` / `转 N 张委员`: to a member of the case's studio who routing would give it to now;
    /// `转 N 区水务局`: to a configured department, where it stays open until its answer is recorded.
    /// Anything else is refused with the closest names.
    private func transfer(_ record: inout CaseRecord, to target: String, by actor: CaseActor, me: RosterEntry, text: String) throws -> Result<Void, CaseRejection> {
        let wanted = target.trimmingCharacters(in: .whitespaces)
        if let member = studio.person(named: wanted) {
            if let why = try unavailable()[member.id] {
                try tell(me, "member.error.target", ["target": member.name, "problem": why], caseID: record.id)
                try ledger.addEvent(record.id!, actor: me.id, kind: .refused, detail: "\(text) — \(member.id) \(why)")
                return .success(())
            }
            let result = try reassign(&record, to: member, by: actor, reason: "transferred by \(me.id)")
            if case .success = result {
                try tell(me, "member.transferred", ["case": label(record, for: me), "target": member.name], caseID: record.id)
            }
            return result
        }
        if let department = studio.department(named: wanted) {
            let result = try transition(&record, .transfer(department: department.name, due: department.days.map { now + $0 * 86_400 }),
                                        by: actor, event: .transferred, detail: department.name)
            guard case .success = result else { return result }
            var v = values(record, for: me)
            v["department"] = department.name
            try tell(me, "member.department", v, caseID: record.id)
            v = values(record)
            v["department"] = department.name
            try tellResident(of: record, "resident.transferred", v)
            return result
        }
        let closest = studio.closestTargets(to: wanted)
        try tell(me, "member.error.nowhere", [
            "target": String(wanted.prefix(20)), "suggestion": closest.isEmpty ? "" : "您是不是要转:\(closest.joined(separator: "、"))?",
        ], caseID: record.id)
        try ledger.addEvent(record.id!, actor: me.id, kind: .refused, detail: "\(text) — no member or department '\(wanted.prefix(40))'")
        return .success(())
    }

    private func show(_ record: CaseRecord, to me: RosterEntry, actor: CaseActor) throws -> Result<Void, CaseRejection> {
        if case let .member(id) = actor, record.assigneeId != id { return .failure(.notYours(assignee: record.assigneeId)) }
        // The conversation after the opening text: the resident's additions and the replies, as written.
        let lines = try ledger.events(caseID: record.id!).compactMap { e -> String? in
            switch e.eventKind {
            case .added?: "群众:\(e.detail ?? "")"
            case .replied?: "答复:\(e.detail ?? "")"
            default: nil
            }
        }
        var v = values(record, for: me)
        v["conversation"] = lines.isEmpty ? "暂无对话" : lines.suffix(4).joined(separator: "|")
        if record.topic == .neighbour { v["conversation", default: ""] += "|调解:" + (try mediationSummary(record)) }
        try ledger.addEvent(record.id!, actor: me.id, kind: .viewed, detail: nil)
        try tell(me, "member.show", v, caseID: record.id)
        return .success(())
    }

    /// `步骤 N 劝 备注`: records a mediation step of a neighbour dispute.
    private func mediate(_ record: CaseRecord, step: MediationStep, note: String, by actor: CaseActor, me: RosterEntry) throws -> Result<Void, CaseRejection> {
        if case let .member(id) = actor, record.assigneeId != id { return .failure(.notYours(assignee: record.assigneeId)) }
        guard record.topic == .neighbour else {
            try tell(me, "member.error.step", ["case": label(record, for: me)], caseID: record.id)
            try ledger.addEvent(record.id!, actor: me.id, kind: .refused, detail: "step \(step.rawValue): not a neighbour dispute")
            return .success(())
        }
        guard record.state.isOpen else { return .failure(.notOpen(record.state)) }
        try ledger.addEvent(record.id!, actor: me.id, kind: .mediation, detail: note.isEmpty ? step.rawValue : "\(step.rawValue) \(note)")
        try tell(me, "member.step", ["case": label(record, for: me), "steps": try mediationSummary(record)], caseID: record.id)
        return .success(())
    }

    /// `听✓辨✓劝✓借·让·和·`: which of the six steps are recorded.
    func mediationSummary(_ record: CaseRecord) throws -> String {
        let done = Set(try ledger.events(caseID: record.id!).filter { $0.eventKind == .mediation }.compactMap { $0.detail?.first.map(String.init) })
        return MediationStep.allCases.map { $0.rawValue + (done.contains($0.rawValue) ? "✓" : "·") }.joined()
    }

    private func listQueue(_ person: RosterEntry) throws {
        var items: [String] = []
        for s in deployment.studios {
            guard let p = s.person(phone: person.phone) else { continue }
            for record in try ledger.queue(studio: s.id, assignee: p.id) {
                let due = record.progress.currentDeadline.map { "\($0.kind.label)\(format($0.due))前" } ?? ""
                items.append("\(label(record, for: person)) \(topics.name(record.topic)) \(due)")
            }
        }
        if items.isEmpty {
            try tell(person, "member.queue.empty", [:], caseID: nil)
        } else {
            try tell(person, "member.queue", ["count": String(items.count), "items": items.joined(separator: ";")], caseID: nil)
        }
    }

    /// The end of leave for `请假 到 11-30`: the start of the next day in the studio's time zone;
    /// a date already past this year means next year. nil for a date that does not exist (`02-30`)
    /// or lies more than a year ahead or in the past.
    func leaveEnd(_ date: DateComponents) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = studio.timeZone
        guard let month = date.month, let dayOfMonth = date.day else { return nil }
        func day(in year: Int) -> Date? {
            // The calendar rolls 02-30 over to 03-02: only a date that reads back the same exists.
            guard let d = calendar.date(from: DateComponents(year: year, month: month, day: dayOfMonth)) else { return nil }
            let back = calendar.dateComponents([.year, .month, .day], from: d)
            return back.year == year && back.month == month && back.day == dayOfMonth ? d : nil
        }
        let thisYear = calendar.component(.year, from: now)
        var chosen = day(in: date.year ?? thisYear)
        if date.year == nil, let d = chosen, let end = calendar.date(byAdding: .day, value: 1, to: d), end < now {
            chosen = day(in: thisYear + 1)
        }
        guard let start = chosen, let end = calendar.date(byAdding: .day, value: 1, to: start),
              end > now, end <= now + 367 * 86_400 else { return nil }
        return end
    }

    /// Passes a member's text that is no command to the studio's liaisons (the member named, their
    /// number masked) and tells the member; false when there is nobody else to pass it to.
    private func forward(_ text: String, from person: RosterEntry) throws -> Bool {
        let staff = studio.staff.filter { $0.phone != person.phone }
        guard !staff.isEmpty else { return false }
        // One of our texts quoted (an auto-reply, or an alert passed on): passing it on again is how
        // two phones that answer everything would loop. The sender is told; it counts as a forward.
        if SenderGuard.quotesOurs(text, markers: templates.rosterMarkers) {
            try tell(person, "member.quoted", [:], caseID: nil, kind: .forwardReceipt)
            return true
        }
        for liaison in staff {
            try tell(liaison, "staff.forwarded", ["name": person.name, "resident": PhoneNumber.mask(person.phone), "text": text],
                     caseID: nil, kind: .memberNotice)
        }
        try tell(person, "member.forwarded", ["names": staff.map(\.name).joined(separator: "、")], caseID: nil, kind: .forwardReceipt)
        return true
    }

    // MARK: refusals

    private func refuse(_ person: RosterEntry, _ problem: CommandProblem) throws {
        switch problem {
        case .unknownCommand:
            try tell(person, "member.error.unknown", ["commands": MemberCommandParser.summary], caseID: nil)
        case let .missingCase(usage):
            try tell(person, "member.error.usage", ["problem": "缺少案件编号", "usage": usage], caseID: nil)
        case let .missingText(usage):
            try tell(person, "member.error.usage", ["problem": "缺少内容", "usage": usage], caseID: nil)
        case let .badStep(usage):
            try tell(person, "member.error.usage", ["problem": "调解步骤应为听、辨、劝、借、让、和之一", "usage": usage], caseID: nil)
        case let .badDate(usage):
            try tell(person, "member.error.usage", ["problem": "日期看不懂", "usage": usage], caseID: nil)
        }
    }

    private func refuse(_ person: RosterEntry, _ rejection: CaseRejection, _ record: CaseRecord) throws {
        var v = values(record, for: person)
        switch rejection {
        case let .notYours(assignee):
            v["assignee"] = assignee.flatMap { studio.person($0)?.name } ?? "无人"
            try tell(person, "member.error.notyours", v, caseID: record.id)
            return
        case let .notOpen(state): v["problem"] = "\(state.label),不能再办理"
        case .alreadyAccepted: v["problem"] = "已经受理过了"
        case .sameAssignee: v["problem"] = "已由该委员办理"
        case .notAwaitingSurvey: v["problem"] = "不在回访中"
        case let .notAllowed(why): v["problem"] = why
        }
        try tell(person, "member.error.state", v, caseID: record.id)
    }
}
