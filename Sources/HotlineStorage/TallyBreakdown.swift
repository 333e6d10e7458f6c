import Foundation
import GRDB
import GRDBSQLite
import HotlineCore

/// A month's tallies summed the ways its report shows them: overall, per studio, per member, per
/// area, per topic, and cases per week, topic and area (the volume charts).
public struct TallyBreakdown: Sendable {
    /// A member of a studio; `assignee` nil for cases no one was given.
    public struct Member: Hashable, Sendable {
        public var studio: String
        public var assignee: String?

        public init(studio: String, assignee: String?) {
            (self.studio, self.assignee) = (studio, assignee)
        }
    }

    /// Cases of a week (its Monday), topic and area ("" for none).
    public struct Week: Sendable, Equatable {
        public var week: String, topic: String, area: String
        public var cases: Int
    }

    public var all = TallyCounts()
    public var byStudio: [String: TallyCounts] = [:]
    public var byMember: [Member: TallyCounts] = [:]
    /// By area ("" for cases without one).
    public var byArea: [String: TallyCounts] = [:]
    public var byTopic: [String: TallyCounts] = [:]
    public var weeks: [Week] = []
}

extension AppDatabase {
    /// `month`'s tallies of some studios in one pass over their rows: a district's month is about
    /// 20,000 rows, summed here in a few milliseconds (the rows as tuples and each sum a dictionary
    /// update of string keys took 47 ms; SQLite's GROUP BY sorts, 10–15 ms a breakdown).
    public func tallyBreakdown(month: String, studios: [String]) async throws -> TallyBreakdown {
        try await read { db in
            var weeks = ColumnNames(), members = ColumnNames(), areas = ColumnNames(), topics = ColumnNames()
            var byArea: [TallyCounts] = [], byTopic: [TallyCounts] = [], cells: [Int: Int] = [:]
            var out = TallyBreakdown()
            for studio in studios {
                var studioTotal = TallyCounts(), byMember: [TallyCounts] = []
                var s = BoundStatement(try db.cachedStatement(sql: """
                    SELECT week, assignee_id, area, topic, \(TallyCounts.columns.joined(separator: ", ")) FROM case_tallies
                    WHERE studio_id = ? AND month = ? AND cases <> 0
                    """))
                s.bind(studio); s.bind(month)
                try s.rows(db) { row in
                    let counts = Self.counts(row, from: 4)
                    let (w, m, a, t) = (weeks.id(row, 0), members.id(row, 1), areas.id(row, 2), topics.id(row, 3))
                    studioTotal = studioTotal + counts
                    Self.add(counts, at: m, to: &byMember)
                    Self.add(counts, at: a, to: &byArea)
                    Self.add(counts, at: t, to: &byTopic)
                    // Ids stay far below 2^20: a month has a handful of weeks, a deployment's areas and topics.
                    cells[w << 40 | t << 20 | a, default: 0] += counts.cases
                }
                out.all = out.all + studioTotal
                if studioTotal != TallyCounts() { out.byStudio[studio] = studioTotal }
                for (m, counts) in byMember.enumerated() where counts != TallyCounts() {
                    let id = members.names[m]
                    out.byMember[.init(studio: studio, assignee: id.isEmpty ? nil : id)] = counts
                }
            }
            for (a, counts) in byArea.enumerated() where counts != TallyCounts() { out.byArea[areas.names[a]] = counts }
            for (t, counts) in byTopic.enumerated() where counts != TallyCounts() { out.byTopic[topics.names[t]] = counts }
            out.weeks = cells.map { key, cases in
                TallyBreakdown.Week(week: weeks.names[key >> 40], topic: topics.names[(key >> 20) & 0xFFFFF], area: areas.names[key & 0xFFFFF], cases: cases)
            }
            return out
        }
    }

    private static func add(_ counts: TallyCounts, at index: Int, to sums: inout [TallyCounts]) {
        if index >= sums.count { sums += Array(repeating: TallyCounts(), count: index + 1 - sums.count) }
        sums[index] = sums[index] + counts
    }
}

/// The values of one text column as small numbers. The tallies come in key order, so a row's value
/// is mostly the row before's: that costs a comparison of bytes; a new one a dictionary look-up.
struct ColumnNames {
    private var ids: [String: Int] = [:]
    private(set) var names: [String] = []
    /// Each name's bytes, for the search of a column of few values.
    private var spellings: [[UInt8]] = []
    private var last: [UInt8] = []
    private var lastID = -1

    /// The number of `column`'s value in the current row (NULL counts as "").
    mutating func id(_ row: BoundStatement.Columns, _ column: Int32) -> Int {
        let bytes = sqlite3_column_text(row.handle, column)
        let count = bytes == nil ? 0 : Int(sqlite3_column_bytes(row.handle, column))
        // memcmp, not `elementsEqual`: the generic comparison was a sixth of the whole pass.
        if lastID >= 0, count == last.count, count == 0 || last.withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes!, count) == 0 }) {
            return lastID
        }
        let value = UnsafeBufferPointer(start: bytes, count: count)
        last.removeAll(keepingCapacity: true)
        last.append(contentsOf: value)
        // A column of few values (topics, weeks) is searched by its bytes; a String and a hash
        // each row cost more than comparing with a dozen.
        if names.count <= 32 {
            for (id, known) in spellings.enumerated() where known.count == count {
                if count == 0 || known.withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes!, count) == 0 }) {
                    lastID = id
                    return id
                }
            }
            lastID = add(String(decoding: value, as: UTF8.self))
            return lastID
        }
        let name = String(decoding: value, as: UTF8.self)
        lastID = ids[name] ?? add(name)
        return lastID
    }

    private mutating func add(_ name: String) -> Int {
        if let known = ids[name] { return known }
        ids[name] = names.count
        names.append(name)
        spellings.append(Array(name.utf8))
        return names.count - 1
    }
}
