import Foundation

/// How a case ended (办理结果).
public enum CaseOutcome: String, Sendable, Codable, CaseIterable {
    /// Solved in the community.
    case resolved
    /// Handed to a government department.
    case transferred
    /// Escalated to a written proposal (提案).
    case proposal
    /// Escalated to a social-conditions report (社情民意信息).
    case socialReport = "social-report"
    /// Closed without a solution (the member says why): counts against the resolution rate.
    case unresolved

    /// 已解决, 已转交, 转提案, 转社情民意, 暂未解决.
    public var label: String {
        switch self {
        case .resolved: "已办结"
        case .transferred: "已转交"
        case .proposal: "已形成提案"
        case .socialReport: "已报送社情民意"
        case .unresolved: "暂时无法解决"
        }
    }
}

/// A resident's answer to the satisfaction question (回访).
public enum Satisfaction: String, Sendable, Codable, CaseIterable {
    case satisfied
    case basicallySatisfied = "basically-satisfied"
    case unsatisfied
    /// No answer after the reminder.
    case noAnswer = "no-answer"

    /// `1`, `2`, `3` (full-width too), or the words.
    public init?(answer: String) {
        // Answers are a word or a digit; every resident text is asked, so long ones are not normalised.
        guard answer.unicodeScalars.count <= 16 else { return nil }
        let normal = TextNormalizer.normalize(answer)
        switch normal {
        case "1", "满意", "非常满意": self = .satisfied
        case "2", "基本满意": self = .basicallySatisfied
        case "3", "不满意": self = .unsatisfied
        default: return nil
        }
    }

    public var label: String {
        switch self {
        case .satisfied: "满意"
        case .basicallySatisfied: "基本满意"
        case .unsatisfied: "不满意"
        case .noAnswer: "未回复"
        }
    }
}

/// Where the satisfaction question stands for the current round.
public enum SurveyState: String, Sendable, Codable {
    case asked, reminded, answered
    case noAnswer = "no-answer"
}

/// Which deadline a case is working towards.
public enum DeadlineKind: String, Sendable, Codable, CaseIterable {
    case accept, reply, close

    public var label: String {
        switch self {
        case .accept: "受理"
        case .reply: "答复"
        case .close: "办结"
        }
    }
}

/// The part of a case its life changes: state, assignee, outcome, deadlines, survey (pure value).
public struct CaseProgress: Sendable, Equatable {
    public var state: CaseState
    public var assignee: String?
    public var outcome: CaseOutcome?
    /// What the member wrote when closing (the outcome in words, or the proposal's note).
    public var outcomeNote: String?
    /// The department a transferred case went to.
    public var department: String?
    public var acceptedAt: Date?
    public var firstReplyAt: Date?
    public var closedAt: Date?
    public var acceptDue: Date?
    public var replyDue: Date?
    public var closeDue: Date?
    public var satisfaction: Satisfaction?
    public var surveyState: SurveyState?
    public var surveyAskedAt: Date?
    /// Deadlines missed in a row on the current step (1: escalated, 2: reassigned).
    public var missedDeadlines: Int
    /// Whether the member was reminded of the current deadline.
    public var reminded: Bool
    /// Times the resident reopened the case by answering "not satisfied".
    public var reopened: Int
    /// When the case went to its department (nil: never transferred).
    public var transferredAt: Date?

    public init(state: CaseState, assignee: String? = nil, outcome: CaseOutcome? = nil, outcomeNote: String? = nil,
                department: String? = nil, acceptedAt: Date? = nil, firstReplyAt: Date? = nil, closedAt: Date? = nil,
                acceptDue: Date? = nil, replyDue: Date? = nil, closeDue: Date? = nil, satisfaction: Satisfaction? = nil,
                surveyState: SurveyState? = nil, surveyAskedAt: Date? = nil, missedDeadlines: Int = 0, reminded: Bool = false,
                reopened: Int = 0, transferredAt: Date? = nil) {
        self.transferredAt = transferredAt
        self.state = state
        self.assignee = assignee
        self.outcome = outcome
        self.outcomeNote = outcomeNote
        self.department = department
        self.acceptedAt = acceptedAt
        self.firstReplyAt = firstReplyAt
        self.closedAt = closedAt
        self.acceptDue = acceptDue
        self.replyDue = replyDue
        self.closeDue = closeDue
        self.satisfaction = satisfaction
        self.surveyState = surveyState
        self.surveyAskedAt = surveyAskedAt
        self.missedDeadlines = missedDeadlines
        self.reminded = reminded
        self.reopened = reopened
    }

    /// The deadline the case works towards now: accept while assigned, reply once accepted or
    /// reopened, close once replied; nil when it is not open.
    public var currentDeadline: (kind: DeadlineKind, due: Date)? {
        switch state {
        case .received, .assigned: acceptDue.map { (.accept, $0) }
        case .accepted, .reopened: replyDue.map { (.reply, $0) }
        case .replied, .withDepartment: closeDue.map { (.close, $0) }
        case .closed, .surveyed, .answered: nil
        }
    }
}

/// Who acts on a case.
public enum CaseActor: Sendable, Equatable {
    /// A member: may act on their own cases only.
    case member(String)
    /// A liaison or coordinator: may act on any case of their studio.
    case staff(String)
    case resident
    case system

    /// The id written in the audit trail.
    public var auditName: String {
        switch self {
        case let .member(id), let .staff(id): id
        case .resident: "resident"
        case .system: "system"
        }
    }
}

/// Something that happens to a case.
public enum CaseAction: Sendable, Equatable {
    case accept
    /// A reply to the resident.
    case reply
    /// Closed with an outcome; `department` for transfers.
    case close(CaseOutcome, note: String, department: String?)
    /// Handed to a government department (转办): open until the member records its answer; `due`
    /// is the department's deadline (nil: the case keeps its close deadline).
    case transfer(department: String, due: Date?)
    /// Moved to another member (by a person or by the deadline service).
    case reassign(to: String)
    case surveyAnswer(Satisfaction)
    case surveyReminder
    /// No answer after the reminder.
    case surveyExpired
    /// The member was reminded of the current deadline.
    case deadlineReminder
    /// The current deadline passed: recorded, and the step gets the same time again.
    case deadlineMissed(extendedTo: Date)
}

/// Why an action is refused, in words a member can act on.
public enum CaseRejection: Error, Sendable, Equatable {
    case notYours(assignee: String?)
    case notOpen(CaseState)
    case alreadyAccepted
    case sameAssignee
    case notAwaitingSurvey
    case notAllowed(String)
}

/// Deadlines for one kind of case: per studio, and shorter for urgent topics.
public struct CaseDeadlines: Sendable, Equatable {
    public var acceptHours: Double
    public var replyDays: Double
    public var closeDays: Double

    public init(acceptHours: Double = 24, replyDays: Double = 3, closeDays: Double = 15) {
        self.acceptHours = acceptHours
        self.replyDays = replyDays
        self.closeDays = closeDays
    }

    /// The time allowed for a step.
    public func window(_ kind: DeadlineKind) -> TimeInterval {
        switch kind {
        case .accept: acceptHours * 3600
        case .reply: replyDays * 86400
        case .close: closeDays * 86400
        }
    }
}

/// The case's life as pure functions of the case, the action, the actor and the time.
public enum CaseLifecycle {
    /// Deadlines for a case assigned at `now`.
    public static func assigned(to assignee: String?, at now: Date, deadlines: CaseDeadlines) -> CaseProgress {
        var p = CaseProgress(state: assignee == nil ? .received : .assigned, assignee: assignee)
        p.acceptDue = now + deadlines.window(.accept)
        p.replyDue = now + deadlines.window(.reply)
        p.closeDue = now + deadlines.window(.close)
        return p
    }

    /// The case after `action`, or why it is refused.
    public static func apply(_ action: CaseAction, to p: CaseProgress, by actor: CaseActor, at now: Date,
                             deadlines: CaseDeadlines) -> Result<CaseProgress, CaseRejection> {
        if case let .member(id) = actor, p.assignee != id { return .failure(.notYours(assignee: p.assignee)) }
        var next = p
        switch action {
        case .accept:
            guard p.state.isOpen else { return .failure(.notOpen(p.state)) }
            guard p.state == .assigned || p.state == .received else { return .failure(.alreadyAccepted) }
            next.state = .accepted
            next.acceptedAt = now
            if p.assignee == nil, case let .staff(id) = actor { next.assignee = id }
            next.reminded = false
            next.missedDeadlines = 0

        case .reply:
            guard p.state.isOpen else { return .failure(.notOpen(p.state)) }
            if next.acceptedAt == nil { next.acceptedAt = now }
            if next.firstReplyAt == nil { next.firstReplyAt = now }
            if p.assignee == nil, case let .staff(id) = actor { next.assignee = id }
            if p.state != .replied && p.state != .withDepartment {
                next.reminded = false
                next.missedDeadlines = 0
            }
            // A reply while the department works on it leaves the case with the department.
            if p.state != .withDepartment { next.state = .replied }

        case let .transfer(department, due):
            guard p.state.isOpen else { return .failure(.notOpen(p.state)) }
            guard p.state != .withDepartment || p.department != department else { return .failure(.notAllowed("已在\(department)办理")) }
            next.state = .withDepartment
            next.department = department
            next.transferredAt = now
            if next.acceptedAt == nil { next.acceptedAt = now }
            if let due { next.closeDue = due }
            next.reminded = false
            next.missedDeadlines = 0

        case let .close(outcome, note, department):
            guard p.state.isOpen else { return .failure(.notOpen(p.state)) }
            next.state = .closed
            next.outcome = outcome
            next.outcomeNote = note.isEmpty ? nil : note
            next.department = department
            next.closedAt = now
            if next.acceptedAt == nil { next.acceptedAt = now }
            next.satisfaction = nil
            next.surveyState = .asked
            next.surveyAskedAt = now
            next.reminded = false
            next.missedDeadlines = 0

        case let .reassign(to):
            guard p.state.isOpen else { return .failure(.notOpen(p.state)) }
            guard p.assignee != to else { return .failure(.sameAssignee) }
            next.assignee = to
            if p.state == .withDepartment {
                // The new member takes over chasing the department: the case stays with it.
                next.closeDue = max(p.closeDue ?? now, now + deadlines.window(.close) / 2)
            } else {
                // The new member starts from acceptance, with a fresh accept deadline.
                next.state = .assigned
                next.acceptedAt = nil
                next.acceptDue = now + deadlines.window(.accept)
                next.replyDue = max(p.replyDue ?? now, now + deadlines.window(.accept) + deadlines.window(.reply) / 2)
                next.closeDue = max(p.closeDue ?? now, now + deadlines.window(.close) / 2)
            }
            next.reminded = false
            next.missedDeadlines = 0

        case let .surveyAnswer(answer):
            guard p.state == .closed, p.surveyState == .asked || p.surveyState == .reminded else {
                return .failure(.notAwaitingSurvey)
            }
            next.satisfaction = answer
            next.surveyState = .answered
            if answer == .unsatisfied {
                // Reopened: the member answers again and closes again; surveyed again after that.
                next.state = .reopened
                next.reopened += 1
                next.outcome = nil
                next.closedAt = nil
                next.replyDue = now + deadlines.window(.reply)
                next.closeDue = now + deadlines.window(.close)
            } else {
                next.state = .surveyed
            }

        case .surveyReminder:
            guard p.state == .closed, p.surveyState == .asked else { return .failure(.notAwaitingSurvey) }
            next.surveyState = .reminded

        case .surveyExpired:
            guard p.state == .closed, p.surveyState == .reminded else { return .failure(.notAwaitingSurvey) }
            next.surveyState = .noAnswer
            next.satisfaction = .noAnswer
            next.state = .surveyed

        case .deadlineReminder:
            guard p.currentDeadline != nil else { return .failure(.notOpen(p.state)) }
            next.reminded = true

        case let .deadlineMissed(extended):
            guard let current = p.currentDeadline else { return .failure(.notOpen(p.state)) }
            next.missedDeadlines += 1
            next.reminded = false
            switch current.kind {
            case .accept: next.acceptDue = extended
            case .reply: next.replyDue = extended
            case .close: next.closeDue = extended
            }
        }
        return .success(next)
    }
}
