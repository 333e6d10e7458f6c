import Foundation

/// The decisions of backups on a schedule, over their file names: a backup is named by its UTC
/// time (`hotline-20261203-215900.sqlite`), so that names sort by age and survive a restart.
public enum BackupSchedule {
    /// The name of a backup made at `now`.
    public static func name(_ now: Date) -> String { "hotline-\(stamp(now)).sqlite" }

    /// `now` in UTC as `yyyyMMdd-HHmmss`.
    public static func stamp(_ now: Date) -> String {
        let d = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: now)
        func two(_ n: Int?) -> String { let n = n ?? 0; return n < 10 ? "0\(n)" : "\(n)" }
        return "\(d.year ?? 0)\(two(d.month))\(two(d.day))-\(two(d.hour))\(two(d.minute))\(two(d.second))"
    }

    /// The time a backup's name records; nil for any other file (a `.partial`, the operator's own).
    public static func time(ofName name: String) -> Date? {
        let digits = Array(name.utf8)
        guard name.hasPrefix("hotline-"), name.hasSuffix(".sqlite"), digits.count == "hotline-yyyyMMdd-HHmmss.sqlite".utf8.count else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var n = 0
            for b in digits[from..<(from + count)] {
                guard b >= 48, b <= 57 else { return nil }
                n = n * 10 + Int(b - 48)
            }
            return n
        }
        guard digits[16] == UInt8(ascii: "-"), let y = number(8, 4), let mo = number(12, 2), let d = number(14, 2),
              let h = number(17, 2), let mi = number(19, 2), let s = number(21, 2) else { return nil }
        var c = DateComponents(timeZone: TimeZone(identifier: "UTC"), year: y, month: mo, day: d, hour: h, minute: mi, second: s)
        c.calendar = Calendar(identifier: .gregorian)
        guard c.isValidDate, let date = c.date else { return nil }
        return date
    }

    /// The newest backup among `names`, by the time its name records.
    public static func newest(_ names: [String]) -> Date? {
        names.compactMap(time(ofName:)).max()
    }

    /// Whether a backup is due at `now`, the newest good one made at `newest`.
    public static func isDue(newest: Date?, now: Date, everyHours: Double) -> Bool {
        guard let newest else { return true }
        return now.timeIntervalSince(newest) >= everyHours * 3_600
    }

    /// The backups to remove once the newest has passed its check: the oldest beyond `keep`.
    /// Files that are not backups by name are never chosen.
    public static func toRemove(_ names: [String], keep: Int) -> [String] {
        let backups = names.filter { time(ofName: $0) != nil }.sorted()
        return Array(backups.dropLast(max(keep, 1)))
    }
}
