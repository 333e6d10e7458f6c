import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
@testable import HotlineApp

/// Coordinators' pages take turns: never more than `concurrent` at once, the rest in order, and
/// beyond `waiting` more a refusal at once rather than a hang.
@Suite struct ReadGateTests {
    final class Counts: Sendable {
        let peak = Mutex((now: 0, most: 0))
        let refused = Mutex(0)
    }

    @Test func turnsAreBoundedAndTheOverflowRefused() async throws {
        let gate = ReadGate(concurrent: 2, waiting: 3)
        let counts = Counts()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    guard await gate.enter() else { counts.refused.withLock { $0 += 1 }; return }
                    counts.peak.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                    try? await Task.sleep(for: .milliseconds(50))
                    counts.peak.withLock { $0.now -= 1 }
                    await gate.leave()
                }
            }
        }
        #expect(counts.peak.withLock { $0.most } == 2)
        // Twelve at once: two run, three wait, seven are refused (their gateways or browsers try again).
        #expect(counts.refused.withLock { $0 } == 7)
        let load = await gate.load
        #expect(load.running == 0 && load.waiting == 0)
    }

    /// The memory trimmer's signal: quiet when nothing runs and the last request left long enough ago.
    @Test func quietAfterTheLastRequestLeaves() async throws {
        let gate = ReadGate(concurrent: 2, waiting: 3)
        #expect(await gate.isQuiet(for: .seconds(30)), "no request yet")
        #expect(await gate.enter())
        #expect(await gate.isQuiet(for: .zero) == false, "one runs")
        await gate.leave()
        #expect(await gate.isQuiet(for: .seconds(30)) == false, "one just left")
        try await Task.sleep(for: .milliseconds(30))
        #expect(await gate.isQuiet(for: .milliseconds(20)))
    }

    /// The pages' threads: one a core, each below intake's priority (Linux keeps a nice value per thread).
    @Test func pageThreadsRunBelowIntakesPriority() async throws {
        let threads = PageThreads.shared
        #expect(threads.count == ProcessInfo.processInfo.activeProcessorCount)
        let seen = await withTaskExecutorPreference(threads) { () async -> (nice: Int32, name: String) in
            #if os(Linux)
            let nice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            return (nice, name.trimmingCharacters(in: .whitespacesAndNewlines))
            #else
            return (10, "hotline-pages")
            #endif
        }
        #expect(seen.nice == 10 && seen.name == "hotline-pages", "\(seen)")
    }

    @Test func atLeastOneTurn() async {
        let gate = ReadGate(concurrent: 0, waiting: -1)
        #expect(gate.concurrent == 1 && gate.waiting == 0)
        #expect(await gate.enter())
        #expect(await gate.enter() == false)
        await gate.leave()
        #expect(await gate.enter())
    }
}
