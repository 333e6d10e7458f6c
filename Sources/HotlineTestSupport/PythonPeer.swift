import Foundation

/// The providers' own Python libraries as judges (wechatpy, Tencent Cloud's and Aliyun's SDKs,
/// twilio), run by the tests: a script to its end, or a stand-in of a provider's API that prints
/// its port and serves until stopped. `./test` installs the packages in `.build/test-python`.
public enum PythonPeer {
    /// Runs `python3 arguments…` to its end; what it printed, or an error with what it said.
    public static func run(_ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let run = try await runToEnd(process)
        guard run.status == 0 else {
            throw SupportError("python3 \(arguments.first ?? "") (./test installs its packages): \(run.err.suffix(1000))")
        }
        return run.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The last line `run` printed, as JSON.
    public static func json(_ arguments: [String]) async throws -> Any {
        let printed = try await run(arguments)
        return try JSONSerialization.jsonObject(with: Data((printed.split(separator: "\n").last ?? "").utf8))
    }

    /// A stand-in of a provider's API: `python3 script arguments…`, which prints its port first and
    /// appends each request it takes to a log (JSON lines) named by the caller.
    public final class StandIn: @unchecked Sendable {
        let process = Process()
        public let port: Int
        public let log: URL

        /// Starts `script` with `arguments` followed by the log's path.
        public init(_ script: String, _ arguments: [String]) async throws {
            log = FileManager.default.temporaryDirectory.appendingPathComponent("standin-\(UUID().uuidString).jsonl")
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script] + arguments + [log.path]
            let out = Pipe()
            (process.standardOutput, process.standardError) = (out, FileHandle.nullDevice)
            try process.run()
            let printed = await onOwnThread { out.fileHandleForReading.availableData }
            guard let port = Int(String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                process.terminate()
                throw SupportError("\(script) did not start (python3 with the provider's package: ./test installs it)")
            }
            self.port = port
        }

        // SIGKILL: a child started from one of Swift's cooperative threads inherits their mask, which
        // blocks SIGTERM — `terminate()` left every stand-in of a full run alive.
        deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        /// The requests it has taken so far, in order.
        public var calls: [[String: Any]] {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }

        /// Waits (at most 15 s) until it has taken `count` requests.
        public func waitFor(_ count: Int) async throws -> [[String: Any]] {
            let deadline = Date().addingTimeInterval(15)
            while calls.count < count {
                guard Date() < deadline else { throw SupportError("waited 15 s for \(count) requests; took \(calls.count): \(calls)") }
                try await Task.sleep(for: .milliseconds(100))
            }
            return calls
        }
    }
}
