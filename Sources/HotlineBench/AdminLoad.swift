import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif
import HotlineStorage
import Synchronization

/// Coordinators' pages under load, and intake beside them: `clients` loops each asking the pages in
/// turn for `seconds` (latency per page), and a webhook sender at a fixed rate, first alone and then
/// beside the readers (latency from each text's scheduled time, so a stall counts in full); the
/// process's resident memory before, at its peak and after a minute idle.
struct AdminLoad {
    let port: Int, clients: Int, seconds: Double, intakeRate: Double, rounds: Int
    let pages: [(name: String, path: String, header: (String, String))]

    func run() async throws {
        // Readers and the gateway each with connections of their own (a gateway keeps its own;
        // one client's pool of 8 per host was all held by pages waiting their turn, and the
        // texts queued behind them in the client, not in the service).
        // The readers stand for coordinators' browsers on other machines: their HTTP work (parsing
        // pages up to 120 KB) runs on threads of their own below the service's priority, so that on
        // this one machine it does not take intake's CPU as no real browser could.
        let readerThreads = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        for loop in readerThreads.makeIterator() {
            try await loop.submit {
                #if os(Linux)
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 15)
                #endif
            }.get()
        }
        let client = HTTPClient(eventLoopGroupProvider: .shared(readerThreads))
        var gatewayConfiguration = HTTPClient.Configuration()
        gatewayConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        let gateway = HTTPClient(eventLoopGroupProvider: .singleton, configuration: gatewayConfiguration)
        let idle = Self.memory()
        print("\nunder load: \(clients) clients asking the pages in turn for \(Int(seconds)) s, \(rounds) times; webhooks at \(Int(intakeRate))/s, alone and beside them in each round")
        let single = try await onePageAtATime(client)
        // Rounds of texts alone then beside the readers, alternated: a run's p99 alone moves with
        // the machine (3.5 to 8.8 ms in five runs), so one pair's ratio says little.
        var latencies: [String: [Double]] = [:]
        var pairs: [(alone: [Double], beside: [Double])] = []
        for round in 0..<rounds {
            let alone = try await intake(gateway, tag: "alone\(round)")
            async let beside = intake(gateway, tag: "beside\(round)")
            latencies.merge(try await readers(client)) { $0 + $1 }
            pairs.append((alone, try await beside))
        }
        print("| page | alone ms (median of 5) | requests | p50 ms | p99 ms | max ms |")
        print("|---|---:|---:|---:|---:|---:|")
        for page in pages {
            let times = (latencies[page.name] ?? []).sorted()
            guard !times.isEmpty else { continue }
            print("| \(page.name) | \(Self.f(single[page.name] ?? 0)) | \(times.count) | \(Self.f(Self.at(times, 0.5))) | \(Self.f(Self.at(times, 0.99))) | \(Self.f(times.last!)) |")
        }
        print("\nwebhook intake at \(Int(intakeRate))/s (ms from each text's scheduled time to its 2xx), rounds alternated:")
        print("| round | texts | alone p50 | alone p99 | alone max | beside \(clients) readers p50 | p99 | max | p99 beside / alone |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        var ratios: [Double] = []
        for (i, pair) in pairs.enumerated() {
            let (a, b) = (pair.alone.sorted(), pair.beside.sorted())
            let ratio = Self.at(b, 0.99) / max(Self.at(a, 0.99), 0.001)
            ratios.append(ratio)
            print("| \(i + 1) | \(a.count) | \(Self.f(Self.at(a, 0.5))) | \(Self.f(Self.at(a, 0.99))) | \(Self.f(a.last ?? 0)) | "
                  + "\(Self.f(Self.at(b, 0.5))) | \(Self.f(Self.at(b, 0.99))) | \(Self.f(b.last ?? 0)) | \(String(format: "%.2f", ratio))× |")
        }
        let all = (pairs.flatMap(\.alone).sorted(), pairs.flatMap(\.beside).sorted())
        print("intake p99 beside the readers: \(String(format: "%.2f", Self.at(all.1, 0.99) / max(Self.at(all.0, 0.99), 0.001)))× alone over all rounds "
              + "(\(Self.f(Self.at(all.1, 0.99))) against \(Self.f(Self.at(all.0, 0.99))) ms); by round \(ratios.map { String(format: "%.2f", $0) }.joined(separator: ", "))")
        try await client.shutdown()
        try await gateway.shutdown()
        try await readerThreads.shutdownGracefully()
        let peak = Self.memory()
        try await Task.sleep(for: .seconds(60))
        let after = Self.memory()
        print("\nresident memory (MiB): before the load \(idle.rss), peak \(peak.peak), after 60 s idle \(after.rss) (" +
              String(format: "%.0f%%", 100 * Double(after.rss) / Double(max(idle.rss, 1))) + " of before)")
    }

    /// Each page alone, one request at a time (one untimed, five timed): the median, ms.
    func onePageAtATime(_ client: HTTPClient) async throws -> [String: Double] {
        var out: [String: Double] = [:]
        for page in pages {
            var times: [Double] = []
            for i in 0..<6 {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(page.path)")
                request.headers.add(name: page.header.0, value: page.header.1)
                let start = DispatchTime.now().uptimeNanoseconds
                let response = try await client.execute(request, timeout: .seconds(60))
                _ = try await response.body.collect(upTo: 16 << 20)
                guard response.status == .ok else { throw BenchError("\(page.path) answered \(response.status)") }
                if i > 0 { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6) }
            }
            out[page.name] = Self.at(times.sorted(), 0.5)
        }
        return out
    }

    /// Each client asks every page in turn until the time is up; latencies by page.
    func readers(_ client: HTTPClient) async throws -> [String: [Double]] {
        let end = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        return try await withThrowingTaskGroup(of: [String: [Double]].self) { group in
            for c in 0..<clients {
                group.addTask {
                    var out: [String: [Double]] = [:]
                    var i = c
                    while DispatchTime.now().uptimeNanoseconds < end {
                        let page = pages[i % pages.count]
                        i += 1
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(page.path)")
                        request.headers.add(name: page.header.0, value: page.header.1)
                        let start = DispatchTime.now().uptimeNanoseconds
                        let response = try await client.execute(request, timeout: .seconds(60))
                        _ = try await response.body.collect(upTo: 16 << 20)
                        // 503: the read gate's answer to too many at once; counted as such, not as a page.
                        if response.status == .ok { out[page.name, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6) }
                    }
                    return out
                }
            }
            var all: [String: [Double]] = [:]
            for try await part in group { all.merge(part) { $0 + $1 } }
            return all
        }
    }

    /// Texts from new residents at `intakeRate` for `seconds`, each sent at its scheduled time; ms
    /// from that time to the answer.
    func intake(_ client: HTTPClient, tag: String) async throws -> [Double] {
        let count = Int(seconds * intakeRate)
        return try await intake(client, tag: tag) { i in i < count }
    }

    /// Texts at `intakeRate` while `more(i)` says so for the next one (`i` from 0).
    func intake(_ client: HTTPClient, tag: String, while more: (Int) -> Bool) async throws -> [Double] {
        try await timedIntake(client, tag: tag, while: more).map(\.ms)
    }

    /// As ``intake(_:tag:while:)``, each latency with its text's scheduled time (s from the first).
    func timedIntake(_ client: HTTPClient, tag: String, while more: (Int) -> Bool) async throws -> [(at: Double, ms: Double)] {
        let start = DispatchTime.now().uptimeNanoseconds
        let run = UUID().uuidString.prefix(8)
        return try await withThrowingTaskGroup(of: (at: Double, ms: Double).self) { group in
            var i = -1
            while more(i + 1) {
                i += 1
                let due = start + UInt64(Double(i) / intakeRate * 1e9)
                let now = DispatchTime.now().uptimeNanoseconds
                if due > now { try await Task.sleep(for: .nanoseconds(Int(due - now))) }
                group.addTask { [i] in
                    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/json")
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    let from = "+86139" + String(format: "%08d", (i * 48_271 + tag.count * 7_919) % 100_000_000)
                    request.body = .bytes(ByteBuffer(string: #"{"id":"load-\#(run)-\#(i)","from":"\#(from)","to":"10690001","text":"小区停水三天了,一直没人管"}"#))
                    let response = try await client.execute(request, timeout: .seconds(60))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    guard response.status == .ok else { throw BenchError("webhook answered \(response.status)") }
                    return (at: Double(due - start) / 1e9, ms: Double(DispatchTime.now().uptimeNanoseconds - due) / 1e6)
                }
            }
            var out: [(at: Double, ms: Double)] = []
            for try await t in group { out.append(t) }
            return out
        }
    }

    /// Intake during a backup of the live database (`hotline backup`'s copy, on a thread of its
    /// own as the CLI's process would be): 10 s of texts alone, then texts for as long as the backup
    /// takes, then 10 s more; the longest a text waited is the backup's stall.
    func backupStall(database: String, to file: String) async throws {
        var gatewayConfiguration = HTTPClient.Configuration()
        gatewayConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        // A stall is measured, not ended by the client's patience.
        gatewayConfiguration.timeout.connect = .seconds(120)
        let gateway = HTTPClient(eventLoopGroupProvider: .singleton, configuration: gatewayConfiguration)
        // Every second on standard error: the kernel's dirty and writeback pages and the log's size.
        let monitor = Task.detached {
            let start = Date()
            while !Task.isCancelled {
                let info = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
                func mb(_ key: String) -> Int {
                    (Int(info.split(separator: "\n").first { $0.hasPrefix(key) }?.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
                }
                let wal = (try? FileManager.default.attributesOfItem(atPath: database + "-wal")[.size] as? Int) ?? 0
                FileHandle.standardError.write(Data("t=\(Int(Date().timeIntervalSince(start))) dirty=\(mb("Dirty:"))MB writeback=\(mb("Writeback:"))MB wal=\(wal / 1_048_576)MB\n".utf8))
                try? await Task.sleep(for: .seconds(1))
            }
        }
        defer { monitor.cancel() }
        // A first 5 s not counted: the writer's cache warms to the texts' pages.
        _ = try await intake(gateway, tag: "warm-up") { i in Double(i) < 5 * intakeRate }
        FileHandle.standardError.write(Data("backup stall: warmed up\n".utf8))
        let before = try await intake(gateway, tag: "before-backup").sorted()
        FileHandle.standardError.write(Data("backup stall: backup starts\n".utf8))
        let finished = Atomic<Bool>(false)
        let started = DispatchTime.now().uptimeNanoseconds
        let copied = Atomic<Int>(0)
        let copy = Task.detached {
            defer { finished.store(true, ordering: .releasing) }
            return try DatabaseCopy.backup(databaseAt: database, to: file) { copied.store(Int(DispatchTime.now().uptimeNanoseconds), ordering: .releasing) }
        }
        let timed = try await timedIntake(gateway, tag: "during-backup") { _ in !finished.load(ordering: .acquiring) }
        let during = timed.map(\.ms).sorted()
        let check = try await copy.value
        // The slowest text of each 2 s of the backup (and when the copy itself ended).
        var slowest: [Int: Double] = [:]
        for t in timed { slowest[Int(t.at / 2), default: 0] = max(slowest[Int(t.at / 2), default: 0], t.ms) }
        let copiedAt = Double(copied.load(ordering: .acquiring) - Int(started)) / 1e9
        FileHandle.standardError.write(Data(("during the backup, slowest text per 2 s (copy done at \(Self.f(copiedAt)) s): "
            + slowest.keys.sorted().map { "\($0 * 2)s:\(Int(slowest[$0]!))" }.joined(separator: " ") + "\n").utf8))
        FileHandle.standardError.write(Data("backup stall: backup done\n".utf8))
        let after = try await intake(gateway, tag: "after-backup").sorted()
        let took = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? 0) / 1_048_576
        print("\nbackup of the live database (\(check.cases) cases, \(check.messages) messages, \(size) MiB) while webhooks arrive at \(Int(intakeRate))/s: \(Self.f(took)) s with its integrity check")
        print("| webhooks | texts | p50 ms | p99 ms | max ms (longest stall) |")
        print("|---|---:|---:|---:|---:|")
        for (name, t) in [("10 s before the backup", before), ("during the backup", during), ("10 s after it", after)] {
            print("| \(name) | \(t.count) | \(Self.f(Self.at(t, 0.5))) | \(Self.f(Self.at(t, 0.99))) | \(Self.f(t.last ?? 0)) |")
        }
        try await gateway.shutdown()
    }

    static func f(_ x: Double) -> String { String(format: "%.1f", x) }

    static func at(_ sorted: [Double], _ q: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))]
    }

    /// VmRSS and VmHWM of a process (this one by default), in MiB.
    static func memory(of pid: String = "self") -> (rss: Int, peak: Int) {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        func kB(_ key: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
        }
        return (kB("VmRSS:"), kB("VmHWM:"))
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
