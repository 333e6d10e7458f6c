#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GRDB

/// Threads whose reads run on themselves rather than on GRDB's reader queues: the threads
/// coordinators' pages run on (`PageThreads`), which run at a lower scheduling priority than intake's
/// so that a report's SQL yields the CPU to residents' texts as its Swift does. A read started on
/// another thread is unchanged (GRDB's queues; the caller's thread is free while it runs).
public enum InlineReads {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Marks the calling thread: its reads through ``AppDatabase`` run on it, blocking it.
    public static func markCurrentThread() {
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
    }

    /// Whether the calling thread is marked.
    static var onThisThread: Bool { pthread_getspecific(key) != nil }
}

extension AppDatabase {
    /// Every query's read: on a marked thread at once, in its snapshot; elsewhere through GRDB's
    /// reader queues.
    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        if InlineReads.onThisThread { return try readHere(body) }
        return try await reader.read(body)
    }

    // Not async, so that GRDB's blocking `read` is the one chosen (it runs the block on the calling
    // thread when the reader's queue is free: libdispatch's synchronous fast path).
    private func readHere<T>(_ body: (Database) throws -> T) throws -> T {
        try reader.read(body)
    }
}
