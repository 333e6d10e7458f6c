import Foundation
import HotlineTestSupport
import Testing

/// The resident's page of their case in a real headless Chromium at 360 px
/// (Tests/browser/resident_page.py): the resident opens the link from their acknowledgement, sees
/// the member's reply after the member sends it, and answers the survey there.
@Suite(.serialized) struct ResidentPageBrowserTests {
    @Test func aResidentFollowsTheirCaseOnAPhone() async throws {
        let config = try configWithChannels("case_page:\n  public_url: http://127.0.0.1:1\nchannels:\n")
        let server = try await ServerProcess(database: scratchDatabase(), configDir: config.path)
        func text(_ id: String, _ from: String, _ body: String) async throws {
            let (status, answer) = try await server.post("/webhooks/json", #"{"id":"\#(id)","from":"\#(from)","to":"10690001","text":"\#(body)"}"#)
            #expect(status == 200, "\(answer)")
        }
        try await text("r1", "+8613700000001", "小区停水三天了")
        let ack = try #require(jsonLines(try await runCLI(["messages", "--json", "--database", server.database]))
            .first { $0["direction"] as? String == "out" && $0["to"] as? String == "+8613700000001" }?["text"] as? String)
        let path = try #require(ack.firstMatch(of: /\/c\/[A-Za-z0-9_-]{22}/)).0
        let link = "http://127.0.0.1:\(server.port)\(path)"

        let shots = repoRoot.appendingPathComponent(".build/screenshots").path
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        browser.arguments = ["python3", repoRoot.appendingPathComponent("Tests/browser/resident_page.py").path, "http://127.0.0.1:\(server.port)", link, shots]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        (browser.standardInput, browser.standardOutput, browser.standardError) = (input, output, errors)
        try browser.run()
        let lines = LineReader(output.fileHandleForReading)
        func step() async throws -> [String: Any] {
            guard let line = await onOwnThread({ lines.next() }), let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                let said = String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
                throw E2EError("the browser stopped (python3 with selenium, /usr/bin/chromium, /usr/bin/chromedriver: ./test installs them): \(said.suffix(6000))")
            }
            return object
        }
        func fits(_ s: [String: Any]) -> Bool { (s["scroll_width"] as? Int ?? 9999) <= (s["inner_width"] as? Int ?? 0) }

        let received = try await step()
        #expect(received["step"] as? String == "received" && fits(received), "360 px: \(received)")
        let page = received["status_text"] as? String ?? ""
        #expect(page.contains("小区停水三天了") && page.contains("王委员") && received["survey"] as? Bool == false, "\(page)")

        try await text("m1", "+8613800000003", "接1")
        try await text("m2", "+8613800000003", "回复1 已联系自来水公司,今晚恢复供水")
        try await text("m3", "+8613800000003", "办结1 已恢复供水")
        input.fileHandleForWriting.write(Data("go\n".utf8))
        let closed = try await step()
        #expect((closed["status_text"] as? String ?? "").contains("今晚恢复供水") && closed["survey"] as? Bool == true && fits(closed), "\(closed)")
        let answered = try await step()
        #expect((answered["status_text"] as? String ?? "").contains("感谢您的评价:满意") && fits(answered), "\(answered)")
        let forged = try await step()
        #expect((forged["status_text"] as? String ?? "").contains("链接无效或已过期") && !(forged["status_text"] as? String ?? "").contains("停水"))
        for s in [received, closed, answered] { #expect((s["console_errors"] as? [String] ?? []).isEmpty, "\(s)") }
        let ended = UncheckedBox(browser)
        await onOwnThread { ended.value.waitUntilExit() }
        #expect(browser.terminationStatus == 0)
        let satisfied = jsonLines(try await runCLI(["case", "xujiawan-1", "--json", "--database", server.database])).first?["satisfaction"] as? String
        #expect(satisfied == "satisfied")
        #expect(await server.terminate() == 0)
    }
}

/// Lines from a pipe as they come.
final class LineReader: @unchecked Sendable {
    let handle: FileHandle
    var buffer = Data()
    init(_ handle: FileHandle) { self.handle = handle }

    func next() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let data = handle.availableData
            if data.isEmpty { return nil }
            buffer.append(data)
        }
    }
}
