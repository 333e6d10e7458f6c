import GRDB

/// The benchmarks' own connection to the database file they measure: the year of cases, the
/// residents of an area, the counts and query plans they print are written and read here, in bulk
/// SQL, not through the service's storage door (which has no door for fixtures, and should not).
enum Fixture {
    static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        // The service holds the same file open; its writes wait for ours, and ours for its.
        configuration.busyMode = .timeout(30)
        return try DatabaseQueue(path: path, configuration: configuration)
    }
}
