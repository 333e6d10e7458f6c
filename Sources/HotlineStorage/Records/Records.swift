import Foundation
import GRDB
import HotlineCore

/// A text in either direction: `messages` table.
public struct MessageRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "messages"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public enum Direction: String, Codable, Sendable { case inbound = "in", outbound = "out" }

    /// Inbound: `received`. Outbound: `queued` → `sent` → `delivered` | `failed`; `cancelled` when a
    /// notice is withdrawn or the recipient opted out before it went. Stored as the raw value.
    public enum Status: String, Codable, Sendable, CaseIterable {
        case received, queued, sent, delivered, failed, cancelled
        /// To a follower their channel cannot reach now (past WeChat's 48 hours, no template that
        /// goes) and no bound number: sent when they write again.
        case waiting
    }

    public var id: Int64?
    public var studioId: String
    public var direction: Direction
    public var channel: String
    /// The provider's id: the dedup key inbound, the provider's message id outbound.
    public var providerId: String?
    public var fromNumber: String
    public var toNumber: String
    public var text: String
    public var status: Status
    /// Outbound only: what the text is for.
    public var kind: OutboundKind?
    public var caseId: Int64?
    /// When it was stored here: an inbound text's arrival, an outbound one's queueing.
    public var createdAt: Date
    /// Outbound: when the provider took it. Inbound: when the provider says it received it (if it says).
    public var sentAt: Date?
    public var error: String?
    /// Outbound only: `GSM-7` or `UCS-2`.
    public var encoding: String?
    /// Outbound only: SMS parts the text takes.
    public var parts: Int?
    /// Outbound only: the reply template the text was made from, and its values as a JSON object
    /// (``OutboundText/template``): what a template channel builds its parameters from.
    public var template: String?
    public var templateValues: String?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A case: `cases` table.
public struct CaseRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "cases"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var studioId: String
    /// Unique within the studio; what residents and members quote.
    public var number: Int
    public var residentPhone: String
    public var intent: Intent
    public var topic: Topic
    public var area: String?
    public var areaSource: AreaSource?
    public var assigneeId: String?
    public var state: CaseState
    public var routingReason: RoutingReason?
    public var routingExplanation: String?
    /// The classification with its explanation, as JSON.
    public var classification: String
    public var text: String
    public var createdAt: Date
    public var updatedAt: Date
    public var outcome: CaseOutcome?
    public var outcomeNote: String?
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
    public var missedDeadlines: Int = 0
    public var reminded: Bool = false
    public var reopened: Int = 0
    /// The resident writes in Traditional script: texts to them are converted.
    public var traditional: Bool = false
    /// When the case went to its department (转办).
    public var transferredAt: Date?
    /// Goes up by one with every saved change: a change made against an older copy is refused.
    public var version: Int = 1

    /// The token of the case's page for the resident (nil: no page).
    public var residentToken: String?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The fields the case's life changes, as the core's value.
    public var progress: CaseProgress {
        get {
            CaseProgress(state: state, assignee: assigneeId, outcome: outcome, outcomeNote: outcomeNote, department: department,
                         acceptedAt: acceptedAt, firstReplyAt: firstReplyAt, closedAt: closedAt, acceptDue: acceptDue,
                         replyDue: replyDue, closeDue: closeDue, satisfaction: satisfaction, surveyState: surveyState,
                         surveyAskedAt: surveyAskedAt, missedDeadlines: missedDeadlines, reminded: reminded, reopened: reopened,
                         transferredAt: transferredAt)
        }
        set {
            state = newValue.state
            assigneeId = newValue.assignee
            outcome = newValue.outcome
            outcomeNote = newValue.outcomeNote
            department = newValue.department
            acceptedAt = newValue.acceptedAt
            firstReplyAt = newValue.firstReplyAt
            closedAt = newValue.closedAt
            acceptDue = newValue.acceptDue
            replyDue = newValue.replyDue
            closeDue = newValue.closeDue
            satisfaction = newValue.satisfaction
            surveyState = newValue.surveyState
            surveyAskedAt = newValue.surveyAskedAt
            missedDeadlines = newValue.missedDeadlines
            reminded = newValue.reminded
            reopened = newValue.reopened
            transferredAt = newValue.transferredAt
        }
    }
}

/// One entry of a case's audit trail: `case_events` table.
public struct CaseEventRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "case_events"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var caseId: Int64
    public var at: Date
    /// `system`, a roster id, or `resident`.
    public var actor: String
    /// A ``CaseEventKind``'s raw value (`opened`, `assigned`, `answered`, …).
    public var kind: String
    public var detail: String?

    /// What the entry records (nil for a kind this version does not know).
    public var eventKind: CaseEventKind? { CaseEventKind(rawValue: kind) }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The dispatch state of one outbound message: `outbox` table.
public struct OutboxRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "outbox"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public enum Status: String, Codable, Sendable {
        /// Waiting for its time (`next_attempt_at`).
        case pending
        /// Claimed by the dispatcher; a crash leaves it here and start-up puts it back to pending.
        case sending
        case sent
        /// Out of attempts, or refused for good.
        case failed
        /// Withdrawn before it was sent (a cancelled notice), or not sent because the resident opted out meanwhile.
        case cancelled
        /// Held until the follower writes again (``MessageRecord/Status/waiting``).
        case waiting
    }

    public var id: Int64?
    public var messageId: Int64
    public var channel: String
    /// Lower first: case traffic 0, broadcasts 10.
    public var priority: Int
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var updatedAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A resident as the studio knows them: `residents` table.
public struct ResidentRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "residents"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var studioId: String
    public var phone: String
    /// The area the resident registered by text (known residents from config are not stored here).
    public var area: String?
    public var firstSeenAt: Date
    public var lastSeenAt: Date
    /// When the resident opted out of messages (nil: not opted out).
    public var optedOutAt: Date?
    /// A WeChat follower's bound phone number (``PhoneBinding``).
    public var boundPhone: String?
}
