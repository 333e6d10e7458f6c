import Testing

/// The scan every server's log gets when it stops: it finds what it must, and passes masked lines.
@Suite struct LogScanTests {
    @Test(arguments: [
        ("inbound stored from=+8613700000001", true), ("inbound stored from=+86137****0001", false),
        ("from=１３７００００００01", true), ("token hl_AbCdEfGh0123456789xyz issued", true), ("cookie hl_session=<masked>", false),
        (#"{"password":"hunter22"}"#, true), ("password: ****", false), ("webhook refused: secret s3cr3t-value", true),
        ("case 1234 of 2026-12-03T21:39:00Z", false),
    ])
    func findsLeaksAndPassesMaskedLines(_ line: String, _ leaks: Bool) {
        #expect(LogScan.leaks(in: "ok\n" + line + "\n", secrets: ["s3cr3t-value"]).isEmpty == !leaks, "\(line)")
    }
}
