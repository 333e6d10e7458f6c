#ifndef CSQLITESETUP_H
#define CSQLITESETUP_H

/// SQLite's process-wide settings, made as the process loads (a constructor in CSQLiteSetup.c), so
/// before any connection: `sqlite3_config` takes them only before SQLite initialises, and Swift
/// cannot call it (it is variadic).
///
/// Made: no memory statistics (`SQLITE_CONFIG_MEMSTATUS` 0). With them, every allocation and free
/// SQLite makes takes one process-wide mutex and counts bytes (the writer's CPU a message about 7%
/// lower without, BENCHMARKS.md); the hotline reads none of those figures
/// (`sqlite3_memory_used`, `sqlite3_soft_heap_limit64`).
///
/// Returns what `sqlite3_config` answered: SQLITE_OK (0) when the settings hold.
int hotline_sqlite_setup_result(void);

#endif
