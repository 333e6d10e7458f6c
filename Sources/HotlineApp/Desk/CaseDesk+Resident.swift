import Foundation
import HotlineCore
import HotlineStorage

/// A resident's text: a status query, a survey answer, more about an open case, or a new case.
extension CaseDesk {
    /// Handles a resident's text; `interpretation` is the classifier's reading, used for new cases;
    /// `keyword`: the text as a subscription keyword (``SubscriptionKeyword/init(text:)``, read
    /// before the transaction: every resident's text is looked at, and the writer bounds intake).
    func resident(_ inbound: InboundMessage, interpretation: Interpretation, keyword: SubscriptionKeyword?, replyChannel: String, limits: SenderLimits,
                  plan: (_ registered: String?, _ open: [String: Int], _ unavailable: Set<String>, _ next: Int) -> IntakePlan) throws -> Handled {
        let phone = inbound.from
        // A follower who writes may be sent customer-service messages again (WeChat: for 48 hours):
        // what waited for them goes now.
        if !PhoneNumber.isDialable(phone) { try ledger.releaseWaiting(studio: studio.id, to: phone) }
        // A flood or an auto-responder costs a bounded number of texts: the guard decides first.
        let activity = try ledger.senderActivity(studio: studio.id, phone: phone, channel: inbound.channel, text: inbound.text, window: limits.window)
        let verdict = SenderGuard.assess(inbound.text, activity: activity, limits: limits, ownNames: deployment.studios.map(\.name), now: now)
        if verdict.machineStreak != activity.machineStreak || verdict.mutedUntil != activity.mutedUntil || verdict.muteReason != activity.muteReason {
            try ledger.recordSender(studio: studio.id, phone: phone, verdict: verdict)
        }
        // 退订 / 订阅 is remembered whatever the guard says; the one confirmation only when it answers.
        if let keyword {
            return try subscription(keyword, for: phone, confirm: verdict.action == .answer)
        }
        if verdict.action != .answer { return try guarded(inbound, verdict: verdict, activity: activity) }
        // A follower who bound a number and that number are one resident: either sees the other's cases.
        let addresses = try ledger.residentAddresses(studio: studio.id, address: phone)
        if try answerNotice(inbound.text, from: phone, roster: false, surveyAskedAt: {
            try ledger.activeCases(studio: studio.id, addresses: addresses).first { $0.state == .closed }?.surveyAskedAt
        }) {
            return Handled(queued: queued)
        }
        if let number = ResidentCommand.statusQuery(inbound.text) {
            return try status(number, for: phone, addresses: addresses, traditional: TextNormalizer.looksTraditional(inbound.text))
        }
        if let request = PhoneBinding.request(inbound.text) { return try bind(request, for: phone) }
        let active = try ledger.activeCases(studio: studio.id, addresses: addresses)
        if var record = active.first(where: { $0.state == .closed }),
           let answer = Satisfaction(answer: inbound.text), answer != .noAnswer {
            return try survey(answer, on: &record, from: phone)
        }
        if var record = active.first(where: { $0.state.isOpen && $0.assigneeId != nil }), !isNewMatter(interpretation, for: record) {
            return try addition(inbound.text, to: &record, from: phone)
        }
        let decision = plan(try ledger.registeredArea(studio: studio.id, phone: phone), try ledger.openCaseCounts(studio: studio.id),
                            try ledger.onLeave(studio: studio.id), try ledger.nextCaseNumber(studio: studio.id))
        return try ledger.apply(decision, for: inbound, replyChannel: replyChannel, rosterChannel: rosterChannel)
    }

    /// A text the guard holds back: kept (added to the sender's open case, nobody told), and for the
    /// first text of a flood one "please wait" and one alert, for a new auto-responder one alert.
    private func guarded(_ inbound: InboundMessage, verdict: SenderVerdict, activity: SenderActivity) throws -> Handled {
        let open = try ledger.activeCases(studio: studio.id, resident: inbound.from).first { $0.state.isOpen }
        if let open { try ledger.addEvent(open.id!, actor: "resident", kind: .added, detail: inbound.text) }
        if let open { try ledger.addEvent(open.id!, actor: "system", kind: .held, detail: verdict.action.rawValue) }
        let liaison = studio.staff.first
        let values = ["resident": PhoneNumber.mask(inbound.from), "count": String(activity.recentTexts)]
        switch verdict.action {
        case .holdFlood:
            try ledger.enqueue([templates.outbound(to: inbound.from, "resident.hold", ["studio": studio.name], kind: .caseUpdate)], studio: studio.id,
                               from: from, channel: channel, caseID: open?.id)
            if let liaison { try tell(liaison, "staff.flood", values, caseID: open?.id, kind: .reminder) }
            return Handled(caseID: open?.id, caseNumber: open?.number, queued: queued + 1)
        case .stopAutoResponder:
            if let liaison { try tell(liaison, "staff.autoresponder", values, caseID: open?.id, kind: .reminder) }
        case .silent, .answer:
            break
        }
        return Handled(caseID: open?.id, caseNumber: open?.number, queued: queued)
    }

    /// 退订 / 订阅: no case; one confirmation when it changes something (a repeat changes nothing
    /// and is not answered, so a bot repeating it costs nothing).
    private func subscription(_ keyword: SubscriptionKeyword, for phone: String, confirm: Bool) throws -> Handled {
        let changed = try ledger.setOptedOut(studio: studio.id, phone: phone, since: keyword == .optOut ? now : nil,
                                             alsoIn: deployment.optOutAlsoCovers(studio.id))
        guard changed, confirm else { return Handled(queued: 0) }
        try tell(phone: phone, keyword == .optOut ? "resident.optout" : "resident.optin", [:], kind: .subscription)
        return Handled(queued: queued)
    }

    /// A text about something else than the open case: classified with a different topic.
    private func isNewMatter(_ interpretation: Interpretation, for record: CaseRecord) -> Bool {
        guard case let .message(c, _) = interpretation else { return true }
        return c.intent != .unclassified && c.topic != .other && c.topic != record.topic && c.answer == nil
    }

    private func status(_ number: Int, for phone: String, addresses: [String], traditional: Bool) throws -> Handled {
        guard let record = try ledger.caseRecord(studio: studio.id, number: number), addresses.contains(record.residentPhone) else {
            // Someone else's case number is answered like an unknown one: no one learns about others' cases.
            try ledger.enqueue([templates.outbound(to: phone, "resident.status.unknown", ["studio": studio.name, "case": String(number)],
                                                   kind: .caseUpdate, traditional: traditional)],
                               studio: studio.id, from: from, channel: channel, caseID: nil)
            return Handled(queued: 1)
        }
        var v = values(record)
        v["detail"] = switch record.state {
        case .closed, .surveyed: "办理结果:\(record.outcome == .transferred ? "已由\(record.department ?? "")办结" : (record.outcome?.label ?? "")) \(record.outcomeNote ?? "")"
        case .withDepartment: "已转交\(record.department ?? ""),\(v["assignee"] ?? "")督办,办结期限\(format(record.closeDue))"
        case .answered: ""
        default: "办理人:\(v["assignee"] ?? ""),\(record.progress.currentDeadline.map { "\($0.kind.label)期限\(format($0.due))" } ?? "")"
        }
        try ledger.addEvent(record.id!, actor: "resident", kind: .statusQuery, detail: nil)
        try answer(phone, about: record, "resident.status", v)
        return Handled(caseID: record.id, caseNumber: record.number, queued: queued)
    }

    private func survey(_ answer: Satisfaction, on record: inout CaseRecord, from phone: String) throws -> Handled {
        guard case .success = try transition(&record, .surveyAnswer(answer), by: .resident, event: .surveyed, detail: answer.rawValue) else {
            return Handled(caseID: record.id, caseNumber: record.number, queued: queued)
        }
        var v = values(record)
        v["satisfaction"] = answer.label
        if answer == .unsatisfied {
            try self.answer(phone, about: record, "survey.reopened", v)
            if let member = record.assigneeId.flatMap({ studio.person($0) }) {
                var m = values(record, for: member)
                m["due"] = format(record.replyDue)
                try tell(member, "member.reopened", m, caseID: record.id, kind: .reminder)
            }
            if let liaison = studio.staff.first(where: { $0.id != record.assigneeId }) {
                try tell(liaison, "staff.reopened", values(record, for: liaison), caseID: record.id, kind: .reminder)
            }
        } else {
            try self.answer(phone, about: record, "survey.thanks", v)
        }
        return Handled(caseID: record.id, caseNumber: record.number, queued: queued)
    }

    private func addition(_ text: String, to record: inout CaseRecord, from phone: String) throws -> Handled {
        // One receipt for additions in a row: an auto-responder that answers each of our texts
        // slowly and each time differently (slower than a machine, fewer than a flood) would
        // otherwise answer every receipt with another addition, for ever. Anything else on the case
        // between (a member's reply, a state change, a status query) and the next one has its own.
        let receipt = try ledger.latestEvent(record.id!).map { !($0.kind == CaseEventKind.added.rawValue && $0.actor == "resident") } ?? true
        try ledger.addEvent(record.id!, actor: "resident", kind: .added, detail: text)
        if let member = record.assigneeId.flatMap({ studio.person($0) }) {
            var m = values(record, for: member)
            m["text"] = text
            try tell(member, "member.added", m, caseID: record.id, kind: .memberNotice)
        }
        if receipt { try answer(phone, about: record, "resident.added", values(record)) }
        return Handled(caseID: record.id, caseNumber: record.number, queued: queued)
    }

    /// Answers a resident's text about a case where they wrote: the case's own address, or the
    /// other address of the same resident (a follower asking about the case their bound number opened).
    private func answer(_ address: String, about record: CaseRecord, _ template: String, _ values: [String: String]) throws {
        guard address != record.residentPhone else { return try tellResident(of: record, template, values) }
        try queue(to: address, template, values, caseID: record.id, kind: .caseUpdate, traditional: record.traditional, via: (channel, from),
                  toResident: true)
    }
}
