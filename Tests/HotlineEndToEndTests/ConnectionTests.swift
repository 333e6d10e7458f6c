import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Raw sockets on loopback: clients that never finish a request, and a gateway that never answers.
enum RawSocket {
    static func address(_ port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return addr
    }

    /// A connection to `port` that has sent `bytes` and nothing more.
    static func connect(port: Int, sending bytes: String) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = address(port)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw E2EError("connect failed: \(errno)") }
        _ = bytes.withCString { send(fd, $0, strlen($0), 0) }
        return fd
    }

    /// Whether the peer has closed `fd` (reads until end of file, at most `seconds`).
    static func isClosed(_ fd: Int32, within seconds: Int) -> Bool {
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let end = Date().addingTimeInterval(TimeInterval(seconds))
        while Date() < end {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { return true }
            if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK { return true }
        }
        return false
    }

    /// A listening socket that never accepts: connections complete in the kernel and then hang,
    /// like a gateway that has stopped answering. Returns the descriptor and its port.
    static func blackHole() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = address(0)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(fd, 512)
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (fd, Int(UInt16(bigEndian: bound.sin_port)))
    }
}

@Suite(.serialized) struct ConnectionTests {
    /// Clients that open connections and never finish their request are cut off after the idle timeout.
    @Test func halfSentRequestsAreClosedAfterTheIdleTimeout() async throws {
        let server = try await ServerProcess(database: scratchDatabase(), extraArguments: ["--idle-timeout", "2"])
        let partial = "POST /webhooks/json HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"id\":"
        let fds = try (0..<50).map { _ in try RawSocket.connect(port: server.port, sending: partial) }
        let idle = try RawSocket.connect(port: server.port, sending: "")
        defer { (fds + [idle]).forEach { close($0) } }
        #expect(fds.allSatisfy { RawSocket.isClosed($0, within: 8) })
        #expect(RawSocket.isClosed(idle, within: 3))
        // The server still answers.
        let (status, _) = try await server.post("/webhooks/json", #"{"id":"x1","from":"+8613700000001","to":"10690001","text":"停水了"}"#)
        #expect(status == 200)
        #expect(await server.terminate() == 0)
    }

    /// SIGTERM while the gateway does not answer: the server exits within the shutdown grace and
    /// the outbox keeps every text it could not send.
    @Test func shutdownDoesNotWaitForAGatewayThatNeverAnswers() async throws {
        let hole = try RawSocket.blackHole()
        defer { close(hole.fd) }
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-config-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("config"), to: config)
        let main = config.appendingPathComponent("hotline.yaml")
        let kannel = """
              kind: dryrun
            - id: kannel
              kind: kannel
              sendsms_url: http://127.0.0.1:\(hole.port)/cgi-bin/sendsms
              username: hotline
              password_env: HOTLINE_E2E_KANNEL_PASSWORD
              public_url: http://127.0.0.1:1
              rate_limit: 10

          """
        try (try String(contentsOf: main, encoding: .utf8)).replacingOccurrences(of: "    kind: dryrun\n", with: kannel)
            .write(to: main, atomically: true, encoding: .utf8)
        let studio = config.appendingPathComponent("studios/xujiawan.yaml")
        try (try String(contentsOf: studio, encoding: .utf8)).replacingOccurrences(of: "outbound_channel: dryrun", with: "outbound_channel: kannel")
            .write(to: studio, atomically: true, encoding: .utf8)

        let server = try await ServerProcess(database: scratchDatabase(), configDir: config.path,
                                       environment: ["HOTLINE_E2E_KANNEL_PASSWORD": "pw"])
        for i in 0..<40 {
            let body = #"{"id":"s\#(i)","from":"+86137000002\#(String(format: "%02d", i))","to":"10690001","text":"路灯坏了"}"#
            let (status, answer) = try await server.post("/webhooks/json", body)
            #expect(status == 200, "\(answer)")
        }
        try await Task.sleep(for: .seconds(1))
        let start = Date()
        let status = await server.terminate()
        let took = Date().timeIntervalSince(start)
        #expect(status == 0)
        // Not a speed figure: a liveness bound. Waiting on the gateway took 98 s (40 retried sends);
        // the dispatcher now gets 5 s from the signal, batch in hand included, and the rest of
        // shutdown well under a second here. 20 s leaves a slow CI machine room for both.
        #expect(took < 20, "shutdown took \(took) s")
        let rows = jsonLines(try await runCLI(["outbox", "--json", "--database", server.database]))
        #expect(rows.count == 80)
        #expect(rows.allSatisfy { ($0["status"] as? String) != "sent" }, "\(rows.prefix(3))")
    }
}
