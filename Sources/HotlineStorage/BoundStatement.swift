import Foundation
import GRDB
import GRDBSQLite

/// Runs a statement GRDB compiled and cached, binding its parameters and reading its rows through
/// SQLite's C API.
///
/// Intake runs a dozen INSERTs per message. Through `execute(arguments:)` each builds a
/// `StatementArguments` (an array of existential values converted to `DatabaseValue`), validates
/// it and binds it: measured, about a fifth of the writer's time in service. Binding in place
/// costs none of that; reading a scalar without GRDB's `Row` and cursor saves the like. Used only on
/// the intake path, a notice's fan-out and the record of a text sent, inside a transaction GRDB opened; `GroupCommitTests.handWrittenInsertsReadBackAsTheRecords`
/// checks every column it writes, the intake and routing tests what it reads.
struct BoundStatement {
    private let handle: SQLiteStatement
    private let statement: Statement
    private var index: Int32 = 0

    init(_ statement: Statement) {
        self.statement = statement
        self.handle = statement.sqliteStatement
        sqlite3_reset(handle)
    }

    // SQLite copies the text before the call returns (the string's buffer is temporary).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func bind(_ value: String?) {
        index += 1
        guard var value else { sqlite3_bind_null(handle, index); return }
        // From the string's own UTF-8 with its length: passing the String as a `char *` made a C
        // string copy of every value first.
        value.withUTF8 { utf8 in
            guard let base = utf8.baseAddress, !utf8.isEmpty else { sqlite3_bind_text(handle, index, "", 0, Self.transient); return }
            base.withMemoryRebound(to: CChar.self, capacity: utf8.count) { sqlite3_bind_text(handle, index, $0, Int32(utf8.count), Self.transient) }
        }
    }

    mutating func bind(_ value: Int64?) {
        index += 1
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    mutating func bind(_ value: Int?) { bind(value.map(Int64.init)) }

    mutating func bind(_ value: Bool) { bind(Int64(value ? 1 : 0)) }

    mutating func bind(_ value: DatabaseValue) {
        switch value.storage {
        case .null: index += 1; sqlite3_bind_null(handle, index)
        case let .int64(v): bind(v)
        case let .double(v): index += 1; sqlite3_bind_double(handle, index, v)
        case let .string(v): bind(v)
        case let .blob(v):
            index += 1
            _ = v.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), Self.transient) }
        }
    }

    /// Steps the statement to its end; throws SQLite's error (a constraint, a full disk …).
    func run(_ db: Database) throws {
        try rows(db) { _ in }
    }

    /// Calls `row` for each row the statement yields (read its columns there), then resets it.
    func rows(_ db: Database, _ row: (Columns) throws -> Void) throws {
        try rowsWhile(db, { try row($0); return true })
    }

    /// Calls `row` for each row the statement yields until it answers false (no step further), then resets it.
    func rowsWhile(_ db: Database, _ row: (Columns) throws -> Bool) throws {
        precondition(index == sqlite3_bind_parameter_count(handle), "\(index) values bound for \(sqlite3_bind_parameter_count(handle)) parameters")
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                                    sql: statement.sql)
            }
            guard try row(Columns(handle: handle)) else { return }
        }
    }

    /// What `read` makes of the first row, or nil when there is none.
    func firstRow<T>(_ db: Database, _ read: (Columns) -> T?) throws -> T? {
        var first: T??
        try rows(db) { row in if first == nil { first = read(row) } }
        return first ?? nil
    }

    /// The current row's columns, by index from 0.
    struct Columns {
        let handle: SQLiteStatement

        func int64(_ column: Int32) -> Int64? {
            sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
        }

        func text(_ column: Int32) -> String? {
            guard let bytes = sqlite3_column_text(handle, column) else { return nil }
            return String(cString: bytes)
        }

        /// A date in the stored form (`StoredDate`), read from the column's bytes without a String;
        /// any other form is left to GRDB.
        func date(_ column: Int32) -> Date? {
            guard let bytes = sqlite3_column_text(handle, column) else { return nil }
            let count = Int(sqlite3_column_bytes(handle, column))
            return StoredDate.parse(UnsafeBufferPointer(start: bytes, count: count))
                ?? Date.fromDatabaseValue(String(cString: bytes).databaseValue)
        }
    }
}
