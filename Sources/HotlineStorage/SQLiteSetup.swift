import CSQLiteSetup
import GRDBSQLite

/// SQLite's process-wide settings, made as the process loads, before any connection
/// (CSQLiteSetup): no memory statistics, so that SQLite's allocations take no process-wide lock.
enum SQLiteSetup {
    /// Whether SQLite took the settings.
    static var applied: Bool { hotline_sqlite_setup_result() == SQLITE_OK }

    /// The bytes SQLite counts as allocated: 0 while memory statistics are off.
    static var memoryCounted: Int64 { sqlite3_memory_used() }
}
