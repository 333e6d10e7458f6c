import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the end-to-end tests and the benchmark command share to run real Kannel beside hotline:
/// free ports, the documented kannel.conf filled in, hotline's config with a Kannel channel.
public enum KannelSupport {
    /// The Kannel programs (Debian's `kannel` and `kannel-extras`).
    public static let binaries = ["/usr/sbin/bearerbox", "/usr/sbin/smsbox", "/usr/lib/kannel/test/fakesmsc"]

    /// A loopback port nobody listens on right now.
    public static func freePort() throws -> Int {
        // Below Linux's ephemeral range (32768–60999): a port found free there was taken, between
        // the look and the server's bind, by an outgoing connection of a test running beside
        // ("Address already in use"). Here only listeners bind, and each bind is tried.
        for _ in 0..<200 {
            let port = Int.random(in: 20_000..<32_768)
            if canBind(port) { return port }
        }
        throw SupportError("cannot find a free port in 20000–32767")
    }

    /// Whether a listener could bind `port` on loopback now.
    static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = loopback(port: port)
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// Whether something accepts connections on a loopback port.
    public static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = loopback(port: port)
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return addr
    }

    /// `Tests/Fixtures/kannel/kannel.conf` (under `root`) with each `{NAME}` replaced.
    public static func kannelConf(root: URL, values: [String: String]) throws -> String {
        var conf = try String(contentsOf: root.appendingPathComponent("Tests/Fixtures/kannel/kannel.conf"), encoding: .utf8)
        for (k, v) in values { conf = conf.replacingOccurrences(of: "{\(k)}", with: v) }
        return conf
    }

    /// hotline.yaml text with a Kannel channel `kannel` added in front of the others; `extra` lines go into it.
    public static func addKannelChannel(to hotlineYAML: String, sendsmsURL: String, publicURL: String, extra: [String] = []) -> String {
        let lines = [
            "  - id: kannel", "    kind: kannel", "    secret_env: HOTLINE_KANNEL_SECRET", "    sendsms_url: \(sendsmsURL)",
            "    username: hotline", "    password_env: HOTLINE_KANNEL_PASSWORD", "    public_url: \(publicURL)",
        ] + extra.map { "    " + $0 }
        return hotlineYAML.replacingOccurrences(of: "channels:\n", with: "channels:\n" + lines.joined(separator: "\n") + "\n")
    }

    /// Starts `path` with `arguments`, its output discarded.
    public static func startQuietly(_ path: String, _ arguments: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        return p
    }

    /// Stops a process at once (Kannel's boxes and fakesmsc take long or forever over SIGTERM).
    public static func kill9(_ p: Process?) {
        guard let p, p.isRunning else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }
}

public struct SupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
