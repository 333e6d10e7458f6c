import HotlineChannels
import Testing

/// The sender and hotline number check every channel makes before a number is normalised.
@Suite struct InboundChecksTests {
    @Test(arguments: [
        ("13700000001", "+8613700000001"),
        ("+86 137-0000-0001", "+8613700000001"),
        ("(0086) 137 0000 0001", "+8613700000001"),
        ("＋８６１３７" + "００００" + "０００１", "+8613700000001"),          // full-width plus and digits
        ("（010）6900 0001", "01069000001"),                    // full-width brackets
        ("106", "106"),                                       // three digits: a short code
        ("1234567890123456", "1234567890123456"),             // sixteen digits
        (String(repeating: " ", count: 29) + "13700000001", "+8613700000001"),  // 40 characters
    ])
    func aNumberWrittenWithDigitsAndSeparatorsIsTaken(raw: String, normalized: String) throws {
        #expect(try InboundChecks.phone(raw, field: "from", defaultCountryCode: "86") == normalized)
    }

    @Test(arguments: [
        "alice", "137000000O1",                               // a letter O among the digits
        "137\u{200B}00000001",                                // a zero-width space
        "137.0000.0001", "137/0000/0001",                     // separators a number is not written with
        "12",                                                 // two digits
        "12345678901234567",                                  // seventeen digits
        String(repeating: " ", count: 30) + "13700000001",    // 41 characters
        "١٣٧٠٠٠٠٠٠٠١",                                        // Arabic-Indic digits
    ])
    func anythingElseIsRefusedNamingTheField(raw: String) {
        let error = #expect(throws: WebhookError.self) { try InboundChecks.phone(raw, field: "from", defaultCountryCode: "86") }
        #expect(error?.description.hasPrefix("field 'from' is not a phone number: '") == true, "\(String(describing: error))")
    }

    @Test(arguments: [nil, "", "   ", "\t"])
    func aMissingNumberIsNamedMissing(raw: String?) {
        #expect(throws: WebhookError.malformed("field 'from' is missing")) {
            try InboundChecks.phone(raw, field: "from", defaultCountryCode: "86")
        }
    }
}
