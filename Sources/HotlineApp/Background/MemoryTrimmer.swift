import Foundation
import HotlineStorage
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Hands back memory that a burst of work (pages, reports, a flood of texts) left behind: every
/// `interval`, the database's idle readers give up their page caches and glibc's allocator
/// returns its arenas' free pages to the system (`malloc_trim`). Without it the process kept its
/// peak size while idle: glibc gives an arena's memory back only from its top, and each thread
/// that allocated has an arena of its own.
///
/// It trims only after coordinators' pages have been quiet for `interval` (`ReadGate`): a trim
/// hands back hundreds of MB page by page holding each arena's lock, and during a burst of pages
/// that stalled intake for up to 300 ms (two of three rounds of the admin benchmark's load); after
/// a burst there is much to hand back and nothing waits on it.
public struct MemoryTrimmer: Service {
    let database: AppDatabase, interval: Duration, gate: ReadGate?, logger: Logger

    public init(_ parts: HotlineParts, interval: Duration = .seconds(30), gate: ReadGate? = nil) {
        (database, self.interval, self.gate, logger) = (parts.database, interval, gate, parts.logger)
    }

    public func run() async throws {
        var last = ContinuousClock.now
        await Periodic.run(every: .seconds(5), waitFirst: true) {
            // Every `interval` while pages are quiet (texts alone leave little to hand back).
            guard ContinuousClock.now - last >= interval, await gate?.isQuiet(for: interval) ?? true else { return }
            let start = ContinuousClock.now
            Self.trim(database)
            last = .now
            let took = last - start
            if took > .milliseconds(20) { logger.info("memory trimmed", metadata: ["ms": "\(took.components.seconds * 1000 + took.components.attoseconds / 1_000_000_000_000_000)"]) }
        }
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
