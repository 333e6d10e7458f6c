import HotlineCore
import Testing

@Suite struct SubscriptionKeywordTests {
    @Test(arguments: [
        ("退订", SubscriptionKeyword.optOut), ("退訂", .optOut), ("TD", .optOut), ("td", .optOut), ("Ｔ", .optOut), ("t。", .optOut),
        ("STOP", .optOut), ("Stop!", .optOut), ("unsubscribe", .optOut), ("取消订阅", .optOut), (" 退 订 ", .optOut),
        ("订阅", .optIn), ("START", .optIn), ("unstop", .optIn), ("恢復訂閱", .optIn),
    ])
    func keywords(text: String, keyword: SubscriptionKeyword) {
        #expect(SubscriptionKeyword(text: text) == keyword)
    }

    @Test(arguments: ["我不想退订", "停水了 STOP", "yes", "1", "参加", "退订了吗?怎么还收到", "", "tt", "stop it", String(repeating: "退订", count: 20)])
    func noKeyword(text: String) {
        #expect(SubscriptionKeyword(text: text) == nil)
    }
}
