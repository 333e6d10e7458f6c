import Foundation

/// Times as coordinators write them.
public enum NoticeTime {
    /// `2026-12-09 15:00` (or `2026-12-09T15:00`) in `timeZone`, or ISO 8601 with a zone.
    public static func parse(_ text: String, timeZone: TimeZone) -> Date? {
        if let d = ISO8601DateFormatter().date(from: text) { return d }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = timeZone
        for format in ["yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss"] {
            f.dateFormat = format
            if let d = f.date(from: text.trimmingCharacters(in: .whitespaces)) { return d }
        }
        return nil
    }
}
