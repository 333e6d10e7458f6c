import Foundation

/// Hours of the studio's day when the service sends no reminders (`22:00-07:30`; may span midnight).
public struct QuietHours: Sendable, Equatable, CustomStringConvertible {
    /// Minutes after midnight.
    public var startMinute: Int
    public var endMinute: Int

    public init(startMinute: Int, endMinute: Int) {
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    /// Parses `22:00-07:30`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        func minutes(_ s: String) -> Int? {
            let hm = s.split(separator: ":")
            guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...23).contains(h), (0...59).contains(m) else { return nil }
            return h * 60 + m
        }
        guard parts.count == 2, let start = minutes(parts[0]), let end = minutes(parts[1]), start != end else { return nil }
        self.init(startMinute: start, endMinute: end)
    }

    public var description: String {
        String(format: "%02d:%02d-%02d:%02d", startMinute / 60, startMinute % 60, endMinute / 60, endMinute % 60)
    }

    /// Whether `date` falls in the quiet hours of `timeZone`.
    public func contains(_ date: Date, in timeZone: TimeZone) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.hour, .minute], from: date)
        let minute = (c.hour ?? 0) * 60 + (c.minute ?? 0)
        return startMinute < endMinute ? (startMinute..<endMinute).contains(minute)
                                       : minute >= startMinute || minute < endMinute
    }

    /// `date` itself when it is outside the quiet hours, else the moment they end (a notice due at
    /// night waits for the morning).
    public func nextOpen(after date: Date, in timeZone: TimeZone) -> Date {
        guard contains(date, in: timeZone) else { return date }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.hour, .minute], from: date)
        let minute = (c.hour ?? 0) * 60 + (c.minute ?? 0)
        // Spanning midnight and already past the start: the end is tomorrow.
        let tomorrow = startMinute > endMinute && minute >= startMinute
        let today = calendar.startOfDay(for: date)
        let day = tomorrow ? calendar.date(byAdding: .day, value: 1, to: today) ?? today : today
        return calendar.date(bySettingHour: endMinute / 60, minute: endMinute % 60, second: 0, of: day) ?? date
    }
}

/// What the deadline service does next for one case.
public enum FollowUpStep: Sendable, Equatable {
    /// Remind the member that the deadline is near.
    case remind(DeadlineKind, due: Date)
    /// The deadline passed: tell the liaisons, give the step the same time again.
    case escalate(DeadlineKind, due: Date, extendedTo: Date)
    /// The extended deadline passed too: reassign by the routing rules.
    case reassign(DeadlineKind)
    /// Ask the resident once more for the satisfaction answer.
    case surveyReminder
    /// No answer after the reminder: record it.
    case surveyExpired
}

/// The deadline service's decisions (pure): the case, the time, the studio's settings.
public enum FollowUp {
    /// The step due for a case at `now`, or nil, given the case's deadlines (``SLASettings/deadlines(for:catalog:)``).
    /// Steps that text someone wait for the quiet hours to end.
    public static func due(_ p: CaseProgress, deadlines: CaseDeadlines, now: Date, sla: SLASettings, timeZone: TimeZone) -> FollowUpStep? {
        let quiet = sla.quietHours?.contains(now, in: timeZone) ?? false
        if p.state == .closed, let asked = p.surveyAskedAt {
            let wait = sla.surveyHours * 3600
            switch p.surveyState {
            case .asked where now >= asked + wait: return quiet ? nil : .surveyReminder
            // Recording "no answer" texts nobody, so quiet hours do not hold it back.
            case .reminded where now >= asked + 2 * wait: return .surveyExpired
            default: return nil
            }
        }
        guard let (kind, due) = p.currentDeadline, !quiet else { return nil }
        let window = deadlines.window(kind)
        if now >= due {
            // A department's lateness is no member's fault: the liaisons are told again, nobody is replaced.
            return p.missedDeadlines >= 1 && p.state != .withDepartment ? .reassign(kind) : .escalate(kind, due: due, extendedTo: now + window)
        }
        let before = min(sla.remindBeforeHours * 3600, window / 4)
        if !p.reminded, p.missedDeadlines == 0, now >= due - before { return .remind(kind, due: due) }
        return nil
    }
}
