import Foundation
import Testing
import HotlineTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `hotline` executable built beside the test bundle (`swift build --build-tests` builds both).
func hotlineBinary() throws -> URL {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hotline"),
        repoRoot.appendingPathComponent(".build/debug/hotline"),
    ]
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw E2EError("hotline executable not found in \(candidates.map(\.path)); run `swift build --build-tests` first")
    }
    return found
}

struct E2EError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A real `hotline serve` process on a free loopback port.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let database: String
    private(set) var port = 0
    private let output = Pipe()
    /// The server's standard error (its log).
    let logFile: URL

    /// The secrets this server was given (values of 6 characters or more): never to be logged.
    private let secrets: [String]

    /// Starts the server on `database` and waits for its "listening on" line.
    init(database: String, intents: String = repoRoot.appendingPathComponent("Intents").path,
         configDir: String = repoRoot.appendingPathComponent("config").path, port: Int = 0,
         environment: [String: String] = [:], extraArguments: [String] = [], fileSizeLimitKB: Int? = nil) async throws {
        self.database = database
        secrets = environment.filter { $0.value.count >= 6 && ["SECRET", "TOKEN", "PASSWORD", "KEY"].contains(where: $0.key.uppercased().contains) }.map(\.value)
        logFile = URL(fileURLWithPath: database + ".log")
        try FileManager.default.createDirectory(at: logFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        // A restarted server on the same database appends to the same log.
        if !FileManager.default.fileExists(atPath: logFile.path) { FileManager.default.createFile(atPath: logFile.path, contents: nil) }
        let arguments = ["serve", "--config", configDir, "--intents", intents, "--database", database, "--port", String(port)] + extraArguments
        if let kb = fileSizeLimitKB {
            // No file may grow past `kb` (a full disk's stand-in on the real file system): writes
            // beyond it fail with EFBIG rather than the signal that would kill the process.
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", "trap '' XFSZ; ulimit -S -f \(kb); exec \"$0\" \"$@\"", try hotlineBinary().path] + arguments
        } else {
            process.executableURL = try hotlineBinary()
            process.arguments = arguments
        }
        let log = try FileHandle(forWritingTo: logFile)
        log.seekToEndOfFile()
        process.standardError = log
        var env = ProcessInfo.processInfo.environment
        env["LOG_LEVEL"] = "info"
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardOutput = output
        try process.run()
        // Read on a thread of its own: a test process has as many cooperative threads as cores, and
        // one blocked on a child's pipe (or its exit) stalls every other test meanwhile.
        let handle = output.fileHandleForReading
        let found: (port: Int?, seen: String) = await onOwnThread {
            var seen = ""
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                let data = handle.availableData
                if data.isEmpty { break }
                seen += String(decoding: data, as: UTF8.self)
                if let range = seen.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                    return (Int(seen[range].split(separator: ":").last!)!, seen)
                }
            }
            return (nil, seen)
        }
        if let port = found.port {
            self.port = port
            return
        }
        process.terminate()
        throw E2EError("server did not start: \(found.seen)")
    }

    /// SIGKILL: no chance to flush or clean up.
    func kill9() async {
        kill(process.processIdentifier, SIGKILL)
        await exit()
        scanLog()
    }

    /// SIGTERM and wait; returns the exit status.
    func terminate() async -> Int32 {
        process.terminate()
        await exit()
        scanLog()
        return process.terminationStatus
    }

    /// Waits for the process to end, on a thread of its own.
    private func exit() async {
        let process = UncheckedBox(process)
        await onOwnThread { process.value.waitUntilExit() }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            scanLog()
        }
    }

    /// Every line this server logged, read for what a log must never hold: a phone number or any
    /// run of seven digits (the log masks them), an API token or session (`hl_…`), a password or
    /// a provider's secret it was given. Each server the suite starts is read when it stops.
    func scanLog() {
        let found = LogScan.leaks(in: log, secrets: secrets)
        #expect(found.isEmpty, "\(logFile.path) holds what a log must not: \(found.prefix(5))")
    }

    /// What the server has logged so far.
    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// GETs `path`; returns status and body.
    func get(_ path: String) async throws -> (Int, String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    /// POSTs `body` to `path`; returns status and body.
    func post(_ path: String, _ body: String, headers: [String: String] = [:]) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }
}

/// What a log line must never hold.
enum LogScan {
    static let patterns = [
        #"[0-9０-９]{7,}"#,                          // a phone number, or any long number the masking missed
        #"hl_[A-Za-z0-9_\-]{16,}"#,                  // an API token or a session
        #"(?i)password[\"']?\s*[:=]\s*[\"']?[^\s\"'*]{4,}"#,  // a password written out
    ].map { try! NSRegularExpression(pattern: $0) }

    /// The offending lines (each cut to 200 characters).
    static func leaks(in log: String, secrets: [String]) -> [String] {
        log.split(separator: "\n").map(String.init).filter { line in
            let range = NSRange(line.startIndex..., in: line)
            return patterns.contains { $0.firstMatch(in: line, range: range) != nil } || secrets.contains { line.contains($0) }
        }.map { String($0.prefix(200)) }
    }
}

/// Adds the coordinator `chen` of xujiawan to a new database at `database` (through the CLI, as an
/// operator would) and returns an API token for them.
func coordinatorToken(database: String) async throws -> String {
    try FileManager.default.createDirectory(atPath: (database as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let config = repoRoot.appendingPathComponent("config").path
    _ = try await runCLI(["users", "add", "--config", config, "--database", database, "chen", "--name", "陈", "--role", "coordinator", "--studio", "xujiawan"])
    return try #require(try await runCLI(["users", "token", "--config", config, "--database", database, "chen"])
        .split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("hl_") }.map(String.init))
}

/// Runs a `hotline` CLI command to its end: exit status, standard output, standard error.
func runHotline(_ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = try hotlineBinary()
    process.arguments = arguments
    return try await runToEnd(process)
}

/// Runs a `hotline` CLI command and returns its standard output (throws on a non-zero exit).
func runCLI(_ arguments: [String]) async throws -> String {
    let run = try await runHotline(arguments)
    guard run.status == 0 else { throw E2EError("hotline \(arguments) exited \(run.status): \(run.err)") }
    return run.out
}

/// JSON lines as dictionaries.
func jsonLines(_ text: String) -> [[String: Any]] {
    text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
}

func scratchDatabase() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("hotline-e2e-\(UUID().uuidString)/hotline.sqlite").path
}

/// Every text the server sent to a resident (anyone not on a roster), checked for phone numbers:
/// no member's, liaison's or other resident's mobile number may ever be in one, in any spelling
/// (full-width or other Unicode digits, Chinese numerals, separators or zero-width characters
/// between the digits). Returns the offending texts.
func phoneNumbersSentToResidents(database: String, config: URL = repoRoot.appendingPathComponent("config")) async throws -> [String] {
    let rosterPhones = try FileManager.default.contentsOfDirectory(atPath: config.appendingPathComponent("studios").path)
        .flatMap { file -> [String] in
            let yaml = try String(contentsOf: config.appendingPathComponent("studios/\(file)"), encoding: .utf8)
            return yaml.matches(of: /phone: "(\+\d+)"/).map { String($0.output.1) }
        }
    let messages = jsonLines(try await runCLI(["messages", "--json", "--database", database]))
    var offending: [String] = []
    for m in messages where m["direction"] as? String == "out" {
        let to = m["to"] as? String ?? ""
        guard !rosterPhones.contains(to) else { continue }
        let text = m["text"] as? String ?? ""
        // Any run of 11 digits that is a mobile number other than the recipient's own.
        for match in digitSkeleton(text).matches(of: /1[3-9]\d{9}/) where !to.hasSuffix(String(match.output)) {
            offending.append(text)
        }
        if rosterPhones.contains(where: { digitSkeleton(text).contains($0.dropFirst(3)) }) { offending.append(text) }
    }
    return offending
}

/// `text` as a reader of digits sees it: every way of writing a digit (NFKC folds full-width,
/// mathematical and circled digits; Chinese numerals as read out) becomes an ASCII digit,
/// what shows nothing or separates digits (spaces, dashes, dots, slashes, brackets, zero-width
/// characters) is dropped, and anything else breaks the run with `|`. Written apart from the
/// service's own masking, so that it judges it.
func digitSkeleton(_ text: String) -> String {
    let numerals: [Character: Character] = ["零": "0", "〇": "0", "一": "1", "幺": "1", "壹": "1", "二": "2", "两": "2", "贰": "2", "三": "3",
                                            "叁": "3", "四": "4", "肆": "4", "五": "5", "伍": "5", "六": "6", "陆": "6", "七": "7", "柒": "7",
                                            "八": "8", "捌": "8", "九": "9", "玖": "9"]
    var out = ""
    for scalar in text.unicodeScalars {
        let folded = String(scalar).precomposedStringWithCompatibilityMapping
        if folded.count == 1, let c = folded.first, c.isASCII, c.isNumber {
            out.append(c)
        } else if let c = numerals[Character(scalar)] {
            out.append(c)
        } else if scalar.properties.isWhitespace || "-‐‑‒–—―－.．。·・/／\\|｜_()（）[]:：,，".unicodeScalars.contains(scalar)
                    || [.format, .nonspacingMark, .enclosingMark].contains(scalar.properties.generalCategory) {
            continue
        } else {
            out.append("|")
        }
    }
    return out
}

extension ServerProcess {
    /// Stops the server (SIGTERM; its exit status) after checking every text it sent a resident
    /// for a phone number in any spelling (``phoneNumbersSentToResidents(database:config:)``).
    func finish(config: URL = repoRoot.appendingPathComponent("config")) async -> Int32 {
        do {
            let revealing = try await phoneNumbersSentToResidents(database: database, config: config)
            #expect(revealing.isEmpty, "texts to residents with a phone number: \(revealing)")
        } catch {
            Issue.record("the texts to residents could not be read: \(error)")
        }
        return await terminate()
    }
}

/// The shipped config with `channels` (YAML: `channels:` and the entries to put first) in front of
/// its own channels, in a folder of its own.
func configWithChannels(_ channels: String) throws -> URL {
    let config = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-config-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("config"), to: config)
    let main = config.appendingPathComponent("hotline.yaml")
    try (try String(contentsOf: main, encoding: .utf8)).replacingOccurrences(of: "channels:\n", with: channels)
        .write(to: main, atomically: true, encoding: .utf8)
    return config
}
