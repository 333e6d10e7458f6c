import Foundation
import GRDB

/// Followers' consents to kinds of notice (``NoticeConsent`` in the channels; here by its parts).
extension AppDatabase {
    /// Records followers' answers on `channel`: the latest answer per template stands.
    public func recordConsents(channel: String, _ consents: [(address: String, template: String, accepted: Bool)], now: Date) async throws {
        guard !consents.isEmpty else { return }
        try await writer.write { db in
            for c in consents {
                try db.execute(sql: """
                    INSERT INTO notice_consents(channel, address, template, accepted, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(channel, address, template) DO UPDATE SET accepted = excluded.accepted, updated_at = excluded.updated_at
                    """, arguments: [channel, c.address, c.template, c.accepted, now])
            }
        }
    }

    /// The templates `address` has accepted on `channel`.
    public func acceptedNotices(channel: String, address: String) async throws -> Set<String> {
        try await read { db in
            Set(try String.fetchAll(db, sql: "SELECT template FROM notice_consents WHERE channel = ? AND address = ? AND accepted",
                                    arguments: [channel, address]))
        }
    }
}
