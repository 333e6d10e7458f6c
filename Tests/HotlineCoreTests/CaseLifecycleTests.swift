import Foundation
import HotlineCore
import Testing

/// The case's life as pure functions: each transition from each state, by each kind of actor.
@Suite struct CaseLifecycleTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let deadlines = CaseDeadlines()

    static func progress(_ state: CaseState, assignee: String? = "M3", survey: SurveyState? = nil) -> CaseProgress {
        var p = CaseLifecycle.assigned(to: assignee, at: t0, deadlines: deadlines)
        p.state = state
        p.surveyState = survey
        if survey != nil { p.surveyAskedAt = t0 }
        return p
    }

    static let closeResolved = CaseAction.close(.resolved, note: "修好了", department: nil)

    @Test(arguments: [
        // state, action, actor, resulting state (nil: refused with the given reason)
        (CaseState.assigned, CaseAction.accept, CaseActor.member("M3"), CaseState.accepted, nil),
        (.reopened, .accept, .member("M3"), nil, CaseRejection.alreadyAccepted),
        (.accepted, .accept, .member("M3"), nil, .alreadyAccepted),
        (.assigned, .accept, .member("M6"), nil, .notYours(assignee: "M3")),
        (.assigned, .accept, .staff("L1"), .accepted, nil),
        (.closed, .accept, .member("M3"), nil, .notOpen(.closed)),
        (.assigned, .reply, .member("M3"), .replied, nil),
        (.accepted, .reply, .member("M3"), .replied, nil),
        (.reopened, .reply, .member("M3"), .replied, nil),
        (.surveyed, .reply, .member("M3"), nil, .notOpen(.surveyed)),
        (.replied, closeResolved, .member("M3"), .closed, nil),
        (.accepted, .close(.transferred, note: "", department: "区住建局"), .member("M3"), .closed, nil),
        (.closed, closeResolved, .member("M3"), nil, .notOpen(.closed)),
        (.answered, closeResolved, .staff("L1"), nil, .notOpen(.answered)),
        (.accepted, .reassign(to: "M6"), .member("M3"), .assigned, nil),
        (.accepted, .reassign(to: "M3"), .staff("L1"), nil, .sameAssignee),
        (.closed, .reassign(to: "M6"), .staff("L1"), nil, .notOpen(.closed)),
        (.replied, .surveyAnswer(.satisfied), .resident, nil, .notAwaitingSurvey),
    ] as [(CaseState, CaseAction, CaseActor, CaseState?, CaseRejection?)])
    func transitions(from: CaseState, action: CaseAction, actor: CaseActor, to: CaseState?, rejection: CaseRejection?) {
        let result = CaseLifecycle.apply(action, to: Self.progress(from), by: actor, at: Self.t0 + 60, deadlines: Self.deadlines)
        switch result {
        case let .success(p):
            #expect(p.state == to && rejection == nil)
        case let .failure(r):
            #expect(r == rejection && to == nil)
        }
    }

    @Test func closingAsksTheSurveyAndUnsatisfiedReopensWithFreshDeadlines() throws {
        let later = Self.t0 + 86_400
        var p = try CaseLifecycle.apply(Self.closeResolved, to: Self.progress(.replied), by: .member("M3"), at: later, deadlines: Self.deadlines).get()
        #expect(p.state == .closed && p.outcome == .resolved && p.outcomeNote == "修好了" && p.surveyState == .asked && p.surveyAskedAt == later)
        let reopenedAt = later + 3600
        p = try CaseLifecycle.apply(.surveyAnswer(.unsatisfied), to: p, by: .resident, at: reopenedAt, deadlines: Self.deadlines).get()
        #expect(p.state == .reopened && p.reopened == 1 && p.outcome == nil && p.satisfaction == .unsatisfied)
        #expect(p.replyDue == reopenedAt + 3 * 86_400 && p.closeDue == reopenedAt + 15 * 86_400)
        #expect(p.currentDeadline?.kind == .reply)
        // Closed again: surveyed again.
        p = try CaseLifecycle.apply(.reply, to: p, by: .member("M3"), at: reopenedAt + 60, deadlines: Self.deadlines).get()
        p = try CaseLifecycle.apply(Self.closeResolved, to: p, by: .member("M3"), at: reopenedAt + 120, deadlines: Self.deadlines).get()
        #expect(p.surveyState == .asked && p.satisfaction == nil)
        p = try CaseLifecycle.apply(.surveyAnswer(.satisfied), to: p, by: .resident, at: reopenedAt + 180, deadlines: Self.deadlines).get()
        #expect(p.state == .surveyed && p.satisfaction == .satisfied)
    }

    @Test(arguments: [("1", Satisfaction.satisfied), ("１", .satisfied), ("2", .basicallySatisfied), (" 3 ", .unsatisfied),
                      ("不满意", .unsatisfied), ("不滿意", .unsatisfied), ("基本满意", .basicallySatisfied)])
    func surveyAnswers(text: String, answer: Satisfaction) {
        #expect(Satisfaction(answer: text) == answer)
    }

    @Test func surveyReminderThenNoAnswer() throws {
        var p = Self.progress(.closed, survey: .asked)
        #expect(CaseLifecycle.apply(.surveyExpired, to: p, by: .system, at: Self.t0, deadlines: Self.deadlines) == .failure(.notAwaitingSurvey))
        p = try CaseLifecycle.apply(.surveyReminder, to: p, by: .system, at: Self.t0, deadlines: Self.deadlines).get()
        #expect(p.surveyState == .reminded)
        p = try CaseLifecycle.apply(.surveyExpired, to: p, by: .system, at: Self.t0, deadlines: Self.deadlines).get()
        #expect(p.state == .surveyed && p.satisfaction == .noAnswer && p.surveyState == .noAnswer)
    }

    @Test func currentDeadlineFollowsTheState() {
        let p = Self.progress(.assigned)
        #expect(p.currentDeadline?.kind == .accept && p.currentDeadline?.due == Self.t0 + 24 * 3600)
        #expect(Self.progress(.accepted).currentDeadline?.kind == .reply)
        #expect(Self.progress(.replied).currentDeadline?.kind == .close)
        #expect(Self.progress(.closed).currentDeadline == nil)
    }
}

/// The deadline service's decisions, with the time passed in.
@Suite struct FollowUpTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    /// 2026-11-26 10:00 in Shanghai.
    static let t0 = ISO8601DateFormatter().date(from: "2026-11-26T02:00:00Z")!
    static let sla = SLASettings()

    static func assigned(_ topic: Topic = .housing) -> CaseProgress {
        CaseLifecycle.assigned(to: "M3", at: t0, deadlines: sla.deadlines(for: topic, catalog: .standard))
    }

    @Test(arguments: [
        // hours after assignment at 10:00 (housing: accept within 24 h, remind 4 h before, quiet 21:30-08:00)
        (1.0, nil), (19.9, nil), (21.0, nil), (22.5, FollowUpStep.remind(.accept, due: t0 + 24 * 3600)),
        (24.5, .escalate(.accept, due: t0 + 24 * 3600, extendedTo: t0 + 48.5 * 3600)),
    ] as [(Double, FollowUpStep?)])
    func housingAcceptDeadline(hours: Double, step: FollowUpStep?) {
        #expect(FollowUp.due(Self.assigned(), deadlines: Self.sla.deadlines(for: .housing, catalog: .standard), now: Self.t0 + hours * 3600, sla: Self.sla, timeZone: Self.shanghai) == step)
    }

    @Test func waterIsUrgent() {
        // Water: accept within 4 hours, reminded an hour before.
        let p = Self.assigned(.water)
        #expect(p.acceptDue == Self.t0 + 4 * 3600)
        #expect(FollowUp.due(p, deadlines: Self.sla.deadlines(for: .water, catalog: .standard), now: Self.t0 + 3.2 * 3600, sla: Self.sla, timeZone: Self.shanghai) == .remind(.accept, due: Self.t0 + 4 * 3600))
    }

    @Test func secondMissReassigns() {
        var p = Self.assigned()
        p.missedDeadlines = 1
        p.acceptDue = Self.t0 + 3600
        #expect(FollowUp.due(p, deadlines: Self.sla.deadlines(for: .housing, catalog: .standard), now: Self.t0 + 2 * 3600, sla: Self.sla, timeZone: Self.shanghai) == .reassign(.accept))
    }

    @Test func remindedOnlyOnce() {
        var p = Self.assigned()
        p.reminded = true
        #expect(FollowUp.due(p, deadlines: Self.sla.deadlines(for: .housing, catalog: .standard), now: Self.t0 + 21 * 3600, sla: Self.sla, timeZone: Self.shanghai) == nil)
    }

    @Test func quietHoursHoldTextsBackButNotRecordingNoAnswer() {
        // Assigned at 10:00 with a 12-hour accept deadline: the reminder would be due at 22:00+.
        let sla = SLASettings(deadlines: CaseDeadlines(acceptHours: 14), topics: [:], quietHours: QuietHours("21:30-08:00"))
        let p = CaseLifecycle.assigned(to: "M3", at: Self.t0, deadlines: sla.deadlines)
        let night = Self.t0 + 12 * 3600  // 22:00
        #expect(FollowUp.due(p, deadlines: sla.deadlines, now: night, sla: sla, timeZone: Self.shanghai) == nil)
        let overdueAtNight = Self.t0 + 15 * 3600  // 01:00, past the deadline
        #expect(FollowUp.due(p, deadlines: sla.deadlines, now: overdueAtNight, sla: sla, timeZone: Self.shanghai) == nil)
        let morning = Self.t0 + 22 * 3600  // 08:00
        #expect(FollowUp.due(p, deadlines: sla.deadlines, now: morning, sla: sla, timeZone: Self.shanghai)
                == .escalate(.accept, due: Self.t0 + 14 * 3600, extendedTo: morning + 14 * 3600))
        var closed = p
        closed.state = .closed
        closed.surveyState = .reminded
        closed.surveyAskedAt = Self.t0 - 5 * 86_400
        #expect(FollowUp.due(closed, deadlines: sla.deadlines, now: night, sla: sla, timeZone: Self.shanghai) == .surveyExpired)
        closed.surveyState = .asked
        #expect(FollowUp.due(closed, deadlines: sla.deadlines, now: night, sla: sla, timeZone: Self.shanghai) == nil)
        #expect(FollowUp.due(closed, deadlines: sla.deadlines, now: morning, sla: sla, timeZone: Self.shanghai) == .surveyReminder)
    }

    @Test(arguments: [("21:30-08:00", "2026-11-26T14:00:00Z", true), ("21:30-08:00", "2026-11-26T02:00:00Z", false),
                      ("12:00-13:00", "2026-11-26T04:30:00Z", true), ("12:00-13:00", "2026-11-26T05:00:00Z", false)])
    func quietHours(range: String, at: String, quiet: Bool) throws {
        let q = try #require(QuietHours(range))
        #expect(q.contains(ISO8601DateFormatter().date(from: at)!, in: Self.shanghai) == quiet)
        #expect(q.description == range)
    }
}
