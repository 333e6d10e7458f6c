import Foundation
import HotlineStorage
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Hands back memory that a burst of work (pages, reports, a flood of texts) left behind: every
/// `interval`, the database's idle readers give up their page caches and glibc's allocator
/// returns its arenas' free pages to the system (`malloc_trim`). Without it the process kept its
/// peak size while idle: glibc gives an arena's memory back only from its top, and each thread
/// that allocated has an arena of its own.
public struct MemoryTrimmer: Service {
    let database: AppDatabase, interval: Duration

    public init(_ parts: HotlineParts, interval: Duration = .seconds(30)) {
        (database, self.interval) = (parts.database, interval)
    }

    public func run() async throws {
        await Periodic.run(every: interval, waitFirst: true) { Self.trim(database) }
    }

    /// One trim, now.
    public static func trim(_ database: AppDatabase) {
        database.releaseMemory()
        _ = mallocTrim?(0)
    }

    /// glibc's `malloc_trim` (Swift's Glibc module does not bring in `<malloc.h>`), nil elsewhere.
    static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil, "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()
}
