import Foundation
import GRDB
import HotlineCore

/// A notice: `notices` table.
public struct NoticeRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "notices"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var studioId: String
    public var number: Int
    public var kind: NoticeKind
    public var title: String
    public var body: String
    public var meetingAt: Date?
    public var place: String?
    public var topic: String?
    /// Comma-separated case numbers the meeting is about.
    public var caseNumbers: String?
    /// The audience parts as written, one per line.
    public var audience: String
    /// The text every recipient got.
    public var text: String
    public var state: NoticeState
    public var sendAt: Date
    public var rsvpUntil: Date?
    public var remindAt: Date?
    public var remindedAt: Date?
    /// A roster id, `cli`, or a liaison's id for notices made by text.
    public var createdBy: String
    public var createdAt: Date
    public var cancelledAt: Date?
    public var cancelReason: String?
    /// The reply template the text was made from and its values as a JSON object, for channels
    /// that send approved templates.
    public var template: String?
    public var templateValues: String?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The notice with this number in this studio.
    static func find(_ db: Database, studio: String, number: Int) throws -> NoticeRecord? {
        try NoticeRecord.filter(Column("studio_id") == studio && Column("number") == number).fetchOne(db)
    }

    /// The meeting facts, for a meeting.
    public var meeting: Meeting? {
        guard kind == .meeting, let meetingAt else { return nil }
        return Meeting(at: meetingAt, place: place ?? "", topic: topic,
                       caseNumbers: (caseNumbers ?? "").split(separator: ",").compactMap { Int($0) })
    }
}

/// Someone a notice named: `notice_recipients` table.
public struct NoticeRecipientRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "notice_recipients"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var noticeId: Int64
    public var phone: String
    public var name: String?
    public var role: String
    public var area: String?
    public var via: String
    /// Why nothing was sent (nil: sent, see `messageId`).
    public var skipReason: SkipReason?
    public var messageId: Int64?
    public var rsvp: RSVPAnswer?
    public var rsvpNote: String?
    public var rsvpAt: Date?
}
