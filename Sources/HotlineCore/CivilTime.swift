import Foundation

/// UTC calendar fields of an instant, computed directly (Howard Hinnant's civil-date algorithm):
/// Foundation's formatters cost tens of microseconds per date, which adds up in reports and pages
/// of thousands of dates.
public struct CivilTime: Sendable, Equatable {
    public var year: Int64, month: Int64, day: Int64
    public var hour: Int64, minute: Int64, second: Int64, millisecond: Int64

    /// The fields of `milliseconds` since 1970-01-01T00:00:00Z.
    public init(milliseconds ms: Int64) {
        let (days, msOfDay) = Self.floorDivide(ms, 86_400_000)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        hour = msOfDay / 3_600_000
        minute = msOfDay / 60_000 % 60
        second = msOfDay / 1_000 % 60
        millisecond = msOfDay % 1_000
    }

    /// `2026-11-21T08:30:00Z` (seconds, truncated), as `Date.formatted(.iso8601)` writes it; nil
    /// outside the years 1600…9999, which are left to Foundation.
    public static func iso8601(_ date: Date) -> String? {
        let t = date.timeIntervalSince1970
        guard t.isFinite, t >= -11_676_096_000, t < 253_402_300_800 else { return nil }
        let c = CivilTime(milliseconds: Int64((t * 1000).rounded(.down)))
        var out: [UInt8] = []
        out.reserveCapacity(20)
        c.append(&out, between: UInt8(ascii: "T"))
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `yyyy-MM-dd<between>HH:mm:ss` appended to `out`.
    public func append(_ out: inout [UInt8], between: UInt8) {
        func digits(_ v: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(v / divisor % 10))
                divisor /= 10
            }
        }
        digits(year, 4); out.append(UInt8(ascii: "-"))
        digits(month, 2); out.append(UInt8(ascii: "-"))
        digits(day, 2); out.append(between)
        digits(hour, 2); out.append(UInt8(ascii: ":"))
        digits(minute, 2); out.append(UInt8(ascii: ":"))
        digits(second, 2)
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }
}
