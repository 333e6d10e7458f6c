import Foundation
import HotlineTestSupport
import Testing

/// The dashboard in a real headless Chromium (Debian's `chromium` and `chromium-driver`, through
/// Selenium from PyPI; `./test` installs them and `fonts-noto-cjk`): Tests/browser/dashboard.py
/// texts a fixture month into a real `hotline serve`, logs in, opens every page and checks the
/// counts and rates it shows, reassigns a case through the form, sends a notice, and fails on any
/// console error. Screenshots of each page at phone and desktop widths land in .build/screenshots/.
@Suite(.serialized) struct DashboardBrowserTests {
    @Test func aCoordinatorWorksThroughEveryPage() async throws {
        let database = scratchDatabase()
        try FileManager.default.createDirectory(atPath: (database as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let config = repoRoot.appendingPathComponent("config").path
        // The password on standard input, as an operator would give it.
        let add = Process()
        add.executableURL = try hotlineBinary()
        add.arguments = ["users", "add", "--config", config, "--database", database, "chen", "--name", "陈主任", "--role", "coordinator",
                         "--studio", "xujiawan", "--password-stdin"]
        try #require(try await runToEnd(add, input: Data("correct horse battery\n".utf8)).status == 0)
        let server = try await ServerProcess(database: database)
        let shots = repoRoot.appendingPathComponent(".build/screenshots").path
        let (status, output) = try await OpenAPIContractTests.tool([
            "python3", repoRoot.appendingPathComponent("Tests/browser/dashboard.py").path, "http://127.0.0.1:\(server.port)", "chen",
            "correct horse battery", shots,
        ])
        #expect(status == 0, "the browser run (python3 with selenium, /usr/bin/chromium and /usr/bin/chromedriver: ./test installs them):\n\(output.suffix(4000))")
        for page in ["today", "cases", "case", "members", "notices", "reports"] {
            for width in ["phone", "desktop"] {
                #expect(FileManager.default.fileExists(atPath: "\(shots)/\(page)-\(width).png"), "\(page)-\(width).png")
            }
        }
        #expect(await server.terminate() == 0)
    }
}
