import HotlineCore
import Testing

@Suite struct LogTextTests {
    @Test(arguments: [
        ("inbound stored", "inbound stored"),
        ("1\n2026-12-01 error hotline: FORGED", "1\\n2026-12-01 error hotline: FORGED"),
        ("a\u{0}b\rc\td\u{7F}", "a\\u{0}b\\rc\\td\\u{7f}"),
        ("field 'from' is not a phone number: '+8613700000001x'", "field 'from' is not a phone number: '+86137****0001x'"),
        ("to 13800000003 and 138 0000 0003", "to 138****0003 and +86138****0003"),
        ("message 123456 of case 12", "message 123456 of case 12"),
        ("１３８０００００００３", "１３８****０００３"),
    ])
    func clean(raw: String, logged: String) {
        #expect(LogText.clean(raw) == logged)
    }
}
