import Testing
@testable import HotlineCore

@Suite struct PhoneBindingTests {
    @Test(arguments: [
        ("绑定 13700000001", PhoneBinding.Request.phone("13700000001")),
        ("綁定：１３７-0000-0001", .phone("13700000001")),
        ("  绑定 137 0000 0001 ", .phone("13700000001")),
        ("BIND +8613700000001", .phone("+8613700000001")),
        ("绑定 +86 137（0000）0001", .phone("+8613700000001")),
        ("绑定 123456", .code("123456")),
        ("bind １２３４５６", .code("123456")),
        ("绑定\u{200B}12\u{200D}3456", .code("123456")),
        ("绑定", .help),
        ("绑定 12", .help),
        ("绑定 +123456", .help),
    ])
    func readsTheCommand(text: String, request: PhoneBinding.Request) {
        #expect(PhoneBinding.request(text) == request)
    }

    /// A complaint that starts with the word, a longer word, numbers in Chinese: no command.
    @Test(arguments: ["绑定银行卡被骗了", "绑定 13700000001 的那个人骗我", "binding 123456", "我要绑定 13700000001", "绑定 一三七零零零零零零零一",
                      "小区路灯坏了", ""])
    func otherTextsAreNoCommand(text: String) {
        #expect(PhoneBinding.request(text) == nil)
    }

    @Test func codesAreSixDigits() {
        var generator = SystemRandomNumberGenerator()
        let codes = (0..<50).map { _ in PhoneBinding.newCode(using: &generator) }
        #expect(codes.allSatisfy { $0.count == 6 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        #expect(Set(codes).count > 40, "random, not one code")
    }
}
