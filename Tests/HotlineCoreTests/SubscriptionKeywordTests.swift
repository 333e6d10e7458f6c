import HotlineCore
import Testing

@Suite struct SubscriptionKeywordTests {
    @Test(arguments: [
        ("退订", SubscriptionKeyword.optOut), ("退訂", .optOut), ("TD", .optOut), ("td", .optOut), ("Ｔ", .optOut), ("t。", .optOut),
        ("STOP", .optOut), ("Stop!", .optOut), ("unsubscribe", .optOut), ("取消订阅", .optOut), (" 退 订 ", .optOut),
        ("订阅", .optIn), ("START", .optIn), ("unstop", .optIn), ("恢復訂閱", .optIn),
        // Spread out, full width, zero-width characters between: the longest keyword still counts
        // (the check stops only once the text is longer than every keyword).
        ("u n s u b s c r i b e", .optOut), ("ＵＮＳＵＢＳＣＲＩＢＥ", .optOut), ("退\u{200B}订", .optOut), ("\u{FEFF}STOP\u{200D}", .optOut),
        // Up to 24 characters in all, whatever surrounds the word.
        (String(repeating: " ", count: 11) + "退订" + String(repeating: " ", count: 11), .optOut),
    ])
    func keywords(text: String, keyword: SubscriptionKeyword) {
        #expect(SubscriptionKeyword(text: text) == keyword)
    }

    @Test(arguments: ["我不想退订", "停水了 STOP", "yes", "1", "参加", "退订了吗?怎么还收到", "", "tt", "stop it", "unsubscribeX", "u n s u b s c r i b e d", String(repeating: "退订", count: 20),
                       String(repeating: " ", count: 12) + "退订" + String(repeating: " ", count: 11)])
    func noKeyword(text: String) {
        #expect(SubscriptionKeyword(text: text) == nil)
    }
}
