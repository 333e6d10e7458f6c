import Foundation

/// Who opted out of notices: residents' numbers, and a test for those whose opt-out outlived
/// them (kept only as a digest of the number once they were forgotten: storage's `OptOutDigests`).
public struct OptOuts: Sendable, ExpressibleByArrayLiteral {
    public var numbers: Set<String>
    public var kept: @Sendable (String) -> Bool

    public init(numbers: Set<String>, kept: @escaping @Sendable (String) -> Bool = { _ in false }) {
        self.numbers = numbers
        self.kept = kept
    }

    public init(arrayLiteral numbers: String...) {
        self.init(numbers: Set(numbers))
    }

    /// Whether the normalised `phone` opted out.
    public func contains(_ phone: String) -> Bool {
        numbers.contains(phone) || kept(phone)
    }
}

/// A notice as the coordinator writes it, before it is planned.
public struct NoticeDraft: Sendable, Equatable {
    public var kind: NoticeKind
    public var title: String
    public var body: String
    public var meeting: Meeting?
    public var audience: [AudiencePart]
    /// nil: now.
    public var sendAt: Date?
    /// Meetings: answers count until then (default: the meeting's start).
    public var rsvpUntil: Date?
    /// Meetings: when to remind those coming and those who have not answered (default: the
    /// studio's `notice_reminder_hours` before the start; nil there: no reminder).
    public var remindAt: Date?

    public init(kind: NoticeKind, title: String, body: String = "", meeting: Meeting? = nil, audience: [AudiencePart],
                sendAt: Date? = nil, rsvpUntil: Date? = nil, remindAt: Date? = nil) {
        self.kind = kind
        self.title = title
        self.body = body
        self.meeting = meeting
        self.audience = audience
        self.sendAt = sendAt
        self.rsvpUntil = rsvpUntil
        self.remindAt = remindAt
    }
}

/// What sending a notice will do: who gets which text when, who is skipped and why, what it costs.
public struct NoticePlan: Sendable, Equatable {
    /// Phones normalised, one per person, in audience order.
    public var recipients: [NoticeRecipient]
    public var skipped: [SkippedRecipient]
    /// The text every recipient gets.
    public var text: String
    public var partsEach: Int
    /// When the texts fall due: the wanted time, moved past the quiet hours.
    public var sendAt: Date
    public var rsvpUntil: Date?
    public var remindAt: Date?
    /// Mobile numbers the text carried that were masked, because residents are among the
    /// recipients: a resident never receives a member's or anyone else's number.
    public var maskedNumbers: Int = 0
    /// The reply template the text was made from and its values (masked like the text), for
    /// channels that send approved templates.
    public var template: String?
    public var values: [String: String] = [:]

    /// SMS parts the notice costs.
    public var totalParts: Int { recipients.count * partsEach }
}

/// Plans notices (pure): audience parts resolved to people, de-duplicated by phone, opted-out
/// residents and unreachable numbers left out with the reason, one text fitted to SMS, a send time
/// outside the quiet hours.
public enum NoticePlanner {
    /// How a roster role is named in a notice's tally.
    public static func seat(_ role: RosterRole) -> String {
        switch role {
        case .member: "委员"
        case .liaison: "联络员"
        case .coordinator: "负责人"
        }
    }

    /// The seat of a resident found through an area or a case.
    public static let residentSeat = "居民"
    /// The seat of a follower of the studio's WeChat account (``AudiencePart/followers``).
    public static let followerSeat = "公众号关注者"

    /// The people a roster part names (from the studio's config), or nil for a part the database
    /// answers (residents, rolls) or that lists numbers.
    public static func rosterRecipients(_ part: AudiencePart, studio: Studio) -> [NoticeRecipient]? {
        let people: [RosterEntry]
        switch part {
        case .members: people = studio.roster.filter { $0.role == .member }
        case let .membersOfArea(area): people = studio.roster.filter { $0.role == .member && $0.areas.contains(area) }
        case let .membersOfSector(sector): people = studio.roster.filter { $0.role == .member && $0.sector == sector }
        case .liaisons: people = studio.staff
        case .residentsOfArea, .residentsOfCases, .followers, .roll, .numbers: return nil
        }
        return people.map { NoticeRecipient(phone: $0.phone, name: $0.name, role: seat($0.role), area: $0.areas.first, via: part.description) }
    }

    /// The people a `numbers:` part lists.
    public static func listed(_ part: AudiencePart) -> [NoticeRecipient]? {
        guard case let .numbers(numbers) = part else { return nil }
        return numbers.map { NoticeRecipient(phone: $0, role: residentSeat, via: part.description) }
    }

    /// A number a text can reach: E.164 with 8 to 15 digits.
    public static func isTextable(_ normalized: String) -> Bool {
        // Asked for every recipient of a notice (100,000 of them): on the UTF-8 bytes.
        let utf8 = normalized.utf8
        guard utf8.first == UInt8(ascii: "+"), (9...16).contains(utf8.count) else { return false }
        return utf8.dropFirst().allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// The plan for `draft`, numbered `number` in its studio.
    /// - Parameters:
    ///   - found: each audience part with the people it names, in the draft's order.
    ///   - optedOut: who opted out (normalised phones); members and liaisons are never left out for it.
    ///   - hotlineKeys: every studio's hotline numbers as ``PhoneNumber/nationalKey(_:countryCode:)``.
    public static func plan(_ draft: NoticeDraft, number: Int, studio: Studio, found: [(AudiencePart, [NoticeRecipient])],
                            optedOut: OptOuts, hotlineKeys: Set<String>, countryCode: String, reminderHours: Double?,
                            maxParts: Int, now: Date) -> NoticePlan {
        let roster = Set(studio.roster.map(\.phone))
        // The hotline numbers as a normalised recipient's number would spell them (short code, E.164).
        let hotlines = Set(hotlineKeys.flatMap { [$0, countryCode + $0, "+" + countryCode + $0] })
        var seen: Set<String> = []
        var recipients: [NoticeRecipient] = []
        var skipped: [SkippedRecipient] = []
        for (_, people) in found {
            for var person in people {
                // A follower's address on another channel (`wx:…`) has digits in it, and is no number.
                let phone = PhoneNumber.isDialable(person.phone) ? PhoneNumber.normalize(person.phone, defaultCountryCode: countryCode) : person.phone
                // What is no number stays as written, for the coordinator to see what was wrong. A
                // follower found in the database (never one typed in as a number) is reached on their channel.
                guard isTextable(phone) || (PhoneNumber.isFollower(phone) && !person.via.hasPrefix("numbers:")) else {
                    skipped.append(.init(recipient: person, reason: hotlines.contains(phone) ? .hotlineNumber : .invalidNumber))
                    continue
                }
                person.phone = phone
                // Someone on the roster named by number is counted in their seat.
                if person.role == residentSeat, let entry = studio.person(phone: phone) {
                    person.role = seat(entry.role)
                    person.name = person.name ?? entry.name
                }
                if hotlines.contains(phone) {
                    skipped.append(.init(recipient: person, reason: .hotlineNumber))
                } else if seen.contains(phone) {
                    skipped.append(.init(recipient: person, reason: .duplicate))
                } else if optedOut.contains(phone), !roster.contains(phone) {
                    seen.insert(phone)
                    skipped.append(.init(recipient: person, reason: .optedOut))
                } else {
                    seen.insert(phone)
                    recipients.append(person)
                }
            }
        }
        let made = message(draft, number: number, studio: studio)
        var text = studio.replies.render(made.template, made.values)
        var values = made.values
        // One text for everyone: masked for all when it reaches a resident.
        var masked = 0
        if recipients.contains(where: { !roster.contains($0.phone) }) {
            let code = countryCode.isEmpty ? "86" : countryCode
            (text, masked) = PhoneNumber.maskingMobiles(in: text, keep: "", countryCode: code)
            values = values.mapValues { PhoneNumber.maskMobiles(in: $0, keep: "", countryCode: code) }
        }
        text = SMSSegments.fit(text, maxParts: maxParts)
        let quiet = studio.sla.quietHours
        let sendAt = quiet?.nextOpen(after: max(draft.sendAt ?? now, now), in: studio.timeZone) ?? max(draft.sendAt ?? now, now)
        var rsvpUntil: Date?
        var remindAt: Date?
        if draft.kind == .meeting, let meeting = draft.meeting {
            rsvpUntil = draft.rsvpUntil ?? meeting.at
            if let wanted = draft.remindAt ?? reminderHours.map({ meeting.at.addingTimeInterval(-$0 * 3_600) }), wanted > sendAt {
                // A reminder due at night goes before the quiet hours rather than after the meeting.
                remindAt = quiet.map { q in q.contains(wanted, in: studio.timeZone) ? Self.lastOpen(before: wanted, quiet: q, timeZone: studio.timeZone) : wanted } ?? wanted
                if let r = remindAt, r <= sendAt { remindAt = nil }
            }
        }
        return NoticePlan(recipients: recipients, skipped: skipped, text: text, partsEach: SMSSegments.parts(of: text),
                          sendAt: sendAt, rsvpUntil: rsvpUntil, remindAt: remindAt, maskedNumbers: masked, template: made.template, values: values)
    }

    /// The notice's text.
    public static func text(_ draft: NoticeDraft, number: Int, studio: Studio) -> String {
        let made = message(draft, number: number, studio: studio)
        return studio.replies.render(made.template, made.values)
    }

    /// The reply template a notice is made from (`notice.meeting`, `notice.general`) and its values.
    public static func message(_ draft: NoticeDraft, number: Int, studio: Studio) -> (template: String, values: [String: String]) {
        var values = ["studio": studio.name, "title": draft.title, "body": draft.body, "notice": String(number)]
        guard draft.kind == .meeting, let meeting = draft.meeting else { return ("notice.general", values) }
        values["time"] = when(meeting.at, timeZone: studio.timeZone)
        values["place"] = meeting.place
        return ("notice.meeting", values)
    }

    /// `12月9日(周三)15:00` in the studio's time zone.
    public static func when(_ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.month, .day, .hour, .minute, .weekday], from: date)
        let weekday = ["日", "一", "二", "三", "四", "五", "六"][((c.weekday ?? 1) - 1) % 7]
        return "\(c.month ?? 0)月\(c.day ?? 0)日(周\(weekday))" + String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
    }

    /// The start of the quiet hours that hold `date` (an hour before, at the latest).
    static func lastOpen(before date: Date, quiet: QuietHours, timeZone: TimeZone) -> Date {
        var d = date
        // Walk back in 15-minute steps: quiet hours are at most a day long.
        for _ in 0..<(24 * 4) where quiet.contains(d, in: timeZone) { d = d.addingTimeInterval(-900) }
        return d
    }
}
