#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import HotlineStorage

/// The threads coordinators' pages, lists and reports run on (their Swift and their SQL): a task
/// executor of its own, so that a heavy report never holds the two threads Swift's shared pool has
/// on two cores, which intake's requests need; and at a lower scheduling priority (`nice` 10 on
/// Linux, a thread's own there), so that when texts arrive the kernel gives intake the CPU first and
/// pages take what is left. With the ``ReadGate`` letting as many pages run as there are threads,
/// pages use every core while the hotline is quiet.
public final class PageThreads: TaskExecutor, @unchecked Sendable {
    /// One per core; started on first use and kept for the process's life.
    public static let shared = PageThreads(count: ProcessInfo.processInfo.activeProcessorCount)

    public let count: Int
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0

    init(count: Int, niceness: Int32 = 10) {
        self.count = max(1, count)
        for _ in 0..<self.count {
            let thread = Thread { [unowned self] in
                #if os(Linux)
                // Linux keeps a nice value per thread; `who` 0 is the calling thread. The name shows
                // in top and perf (Foundation names only a thread that names itself; the Glibc module lacks
                // pthread_setname_np).
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
                if let comm = fopen("/proc/thread-self/comm", "w") { fputs("hotline-pages", comm); fclose(comm) }
                #endif
                InlineReads.markCurrentThread()
                self.work()
            }
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        let executor = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head == jobs.count || head >= 1024 {
                // Drop the run part of the queue: at once when empty, else now and then.
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: executor)
        }
    }
}
