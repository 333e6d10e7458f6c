import ArgumentParser
import Foundation
import HotlineApp
import HotlineStorage
import Hummingbird
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the service: webhooks, health check, outbox dispatcher.")

    @OptionGroup var files: FileOptions
    @OptionGroup var db: DatabaseOption
    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one; the chosen port is printed).")
    var port = 8080
    @Option(help: "Seconds between passes of the deadline service (reminders, escalation, survey); 0 turns it off.")
    var followUpSeconds = 60
    @Option(help: "HTTP event-loop threads (default: one per CPU core; 1 suits a 2-core machine shared with Kannel).")
    var eventLoops: Int?
    @Option(help: "Seconds a connection may send nothing (or half a request) before it is closed.")
    var idleTimeout = 30
    @Option(help: "Requests in flight (webhooks, the residents' pages) beyond which more are answered 503 with Retry-After at once.")
    var maxInFlight = 1_024
    @Option(help: "Log lines as text, or as json (one object per line: ts, level, label, source, message and the metadata).")
    var logFormat: LogFormat = .text

    func validate() throws {
        if let eventLoops, eventLoops < 1 { throw ValidationError("--event-loops must be at least 1 (given \(eventLoops))") }
        if maxInFlight < 1 { throw ValidationError("--max-in-flight must be at least 1 (given \(maxInFlight))") }
        if idleTimeout < 1 { throw ValidationError("--idle-timeout must be at least 1 second (given \(idleTimeout))") }
    }

    func run() async throws {
        if let eventLoops { useEventLoopThreads(eventLoops) }
        CLI.bootstrapLogging(.info, format: logFormat)
        let logger = Logger(label: "hotline")
        // One service per database file: a second serve (or a restore under way) is refused.
        let lock: ServeLock
        do { lock = try ServeLock(database: db.database) } catch { throw CLI.fail("\(error)") }
        let hotline = try CLI.parts(CLI.paths(files, db), logger: logger)
        do { try HotlineSetup.checkExposure(hotline, host: host) } catch { throw CLI.fail("\(error)") }
        if !hotline.database.commitsBeforeTheDisk {
            // As durable, only slower: each pass of intake then waits for the disk in its commit.
            logger.warning("database: cannot open its write-ahead log to sync it; intake's commits wait for the disk one pass at a time")
        }
        let senders = SenderDirectory.configured(hotline)
        let host = self.host
        let followUp: Duration? = followUpSeconds > 0 ? .seconds(followUpSeconds) : nil
        let telemetry = Telemetry.bootstrap()
        let app = buildApplication(parts: hotline, senders: senders, intents: files.intents, followUpEvery: followUp,
                                   host: host, port: port, idleTimeoutSeconds: Int64(idleTimeout), telemetry: telemetry,
                                   maxInFlight: maxInFlight) { port in
            // Scripts and tests read this line to find the port.
            CLI.printLine("listening on http://\(host):\(port)")
        }
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        lock.release()
    }
}

extension LogFormat: ExpressibleByArgument {}
