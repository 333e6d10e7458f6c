import Testing
@testable import HotlineCore

@Suite struct TextNormalizerTests {
    @Test(arguments: [
        ("小區停水", "小区停水"),                      // Traditional → Simplified
        ("ＡＢＣ１２３", "abc123"),                   // full-width → half-width, case folded
        ("WATER", "water"),
        ("停水,三天!!", "停水 三天"),                  // punctuation is a separator
        ("  路灯   坏了  ", "路灯 坏了"),                // whitespace collapsed and trimmed
        ("停水😡😡了", "停水 了"),                      // emoji removed
        ("哪天?", "哪天?"),                           // a question mark is kept (full-width → ASCII)
        ("維修基金怎麼申請", "维修基金怎么申请"),
        ("龍湖社區", "龙湖社区"),
        ("", ""),
    ])
    func normalises(input: String, expected: String) {
        #expect(TextNormalizer.normalize(input) == expected)
    }

    @Test(arguments: [("小區停水兩天了", true), ("小区停水两天了", false), ("hello", false)])
    func detectsTraditionalScript(text: String, traditional: Bool) {
        #expect(TextNormalizer.looksTraditional(text) == traditional)
    }
}

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("13800000001", "+8613800000001"),
        ("+8613800000001", "+8613800000001"),
        ("8613800000001", "+8613800000001"),
        ("008613800000001", "+8613800000001"),
        ("+86 138-0000-0001", "+8613800000001"),
        ("１３８００００００01", "+8613800000001"),
        ("10690001", "10690001"),                     // a short code stays as it is
    ])
    func normalises(raw: String, expected: String) {
        #expect(PhoneNumber.normalize(raw) == expected)
    }

    @Test(arguments: [
        ("+8613700000001", "+86137****0001"), ("10690001", "****0001"), ("12345", "1***5"), ("+12025550123", "+12****0123"),
        ("", "**"), ("12", "**"), ("123", "1*3"), ("１３８００００００１２", "１３８****００１２"), ("+86１３７0000000１", "+86１３７****000１"),
    ])
    func masks(phone: String, masked: String) {
        #expect(PhoneNumber.mask(phone) == masked)
    }

    /// One key for one number, however it is written: with the country code, or with the trunk prefix.
    @Test(arguments: [("10690002", "10690002"), ("8610690002", "10690002"), ("+8610690002", "10690002"), ("010690002", "10690002"),
                      ("010-12345678", "1012345678"), ("+86 10 1234 5678", "1012345678"), ("0", "0"), ("12345", "12345")])
    func nationalKeys(raw: String, key: String) {
        #expect(PhoneNumber.nationalKey(raw) == key)
    }

    /// A member's number in any spelling is masked in a text to a resident; the resident's own and
    /// landlines stay.
    @Test(arguments: [
        ("联系13800000003", "联系+86138****0003"),
        ("联系１３８０００００００６", "联系+86138****0006"),
        ("回复 1 １３８００００００００６", "回复 1 +86138****0000６"),  // twelve digits: the first eleven are a mobile
        ("联系138００００0003", "联系+86138****0003"),
        ("+８６１３８０００００００３", "+86138****0003"),
        ("+86 138-0000-0003", "+86138****0003"),
        ("138.0000.0003", "+86138****0003"),
        ("138/0000/0003", "+86138****0003"),
        ("138  0000 0003", "+86138****0003"),
        ("138 — 0000 — 0003", "+86138****0003"),
        ("(138)0000-0003", "(+86138****0003"),
        ("电话:一三八零零零零零零零三", "电话:+86138****0003"),
        ("幺三八 零零零零 零零零三", "+86138****0003"),
        ("1\u{200B}3\u{200B}8\u{200B}0\u{200B}0\u{200B}0\u{200B}0\u{200B}0\u{200B}0\u{200B}0\u{200B}3", "+86138****0003"),
        ("1\u{2060}38\u{FEFF}0000\u{200D}0003", "+86138****0003"),
        ("𝟏𝟑𝟖𝟎𝟎𝟎𝟎𝟎𝟎𝟎𝟑", "+86138****0003"),
        ("008613800000003", "+86138****0003"),
        ("编号12 13800000003", "编号12 +86138****0003"),
        ("13800000003 13800000004", "+86138****0003 +86138****0004"),
        ("您的号码13700000001已登记", "您的号码13700000001已登记"),   // the recipient's own
        ("请拨010-12345678或12345", "请拨010-12345678或12345"),       // a landline and a short number
        ("2026年12月3日15:00开会", "2026年12月3日15:00开会"),
        ("已收到,编号1。", "已收到,编号1。"),
    ])
    func masksMobilesInAnySpelling(text: String, masked: String) {
        #expect(PhoneNumber.maskMobiles(in: text, keep: "+8613700000001") == masked)
    }
}

@Suite struct AhoCorasickTests {
    @Test func findsOverlappingAndNestedPatterns() {
        let patterns = ["停水", "水", "停水三天", "三天了", "没人管"].map { Array($0.unicodeScalars) }
        let automaton = AhoCorasick(patterns: patterns)
        var found = Set<Int>()
        automaton.scan(Array("小区停水三天了一直没人管".unicodeScalars)) { found.insert($0) }
        #expect(found == [0, 1, 2, 3, 4])
        var none = Set<Int>()
        automaton.scan(Array("路灯坏了".unicodeScalars)) { none.insert($0) }
        #expect(none.isEmpty)
    }

    /// Against a plain substring search, on random patterns and texts over a small alphabet that
    /// mixes CJK, ASCII and scalars beyond U+FFFF (which the root's bitmap does not cover).
    @Test(arguments: 1...40)
    func agreesWithASubstringSearch(seed: UInt64) {
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        let alphabet = Array("水停路灯a b😀🏠".unicodeScalars)
        func word(_ length: Int) -> [Unicode.Scalar] { (0..<length).map { _ in alphabet[next(alphabet.count)] } }
        let patterns = (0..<(1 + next(8))).map { _ in word(1 + next(3)) }
        let text = word(next(40))
        var found: [Int: Set<Int>] = [:]
        AhoCorasick(patterns: patterns).scan(text) { keyword, end in found[keyword, default: []].insert(end) }
        for (k, p) in patterns.enumerated() {
            let ends = Set(text.indices.filter { $0 + p.count <= text.count && Array(text[$0..<($0 + p.count)]) == p }.map { $0 + p.count })
            #expect((found[k] ?? []) == ends, "pattern \(k) \(String(String.UnicodeScalarView(p))) in \(String(String.UnicodeScalarView(text)))")
        }
    }
}

@Suite struct RetryPolicyTests {
    @Test(arguments: [(1, 0.5, 2.0), (2, 0.5, 4.0), (3, 0.5, 8.0), (1, 0.0, 1.6), (1, 1.0, 2.4), (7, 0.5, 128.0)])
    func backsOffExponentiallyWithJitter(attempt: Int, random: Double, expected: Double) {
        let policy = RetryPolicy(maxAttempts: 8, initialDelay: 2, maxDelay: 600, jitter: 0.2)
        let delay = policy.delay(afterAttempt: attempt, random: random)
        #expect(delay != nil && abs(delay! - expected) < 1e-9)
    }

    @Test func capsAndStops() {
        let policy = RetryPolicy(maxAttempts: 20, initialDelay: 2, maxDelay: 60, jitter: 0)
        #expect(policy.delay(afterAttempt: 10, random: 0.5) == 60)
        #expect(policy.delay(afterAttempt: 20, random: 0.5) == nil)
    }
}

@Suite struct ReplyTemplatesTests {
    @Test func fillsPlaceholdersAndAppliesOverrides() {
        let templates = ReplyTemplates(overrides: ["ack.complaint": "收到{case},{assignee}办理"])
        #expect(templates.render("ack.complaint", ["case": "7", "assignee": "王委员"]) == "收到7,王委员办理")
        #expect(templates.render("register.done", ["studio": "S", "area": "燕村"]).contains("燕村"))
        #expect(ReplyTemplates.placeholders(in: "a{x}b{yy}") == ["x", "yy"])
    }

    @Test(arguments: [
        ("【{studio}】编号{case}", "【徐家湾】编号12"),
        ("{case}{case}", "1212"),
        ("无占位", "无占位"),
        ("", ""),
        ("{unknown}与{case}", "{unknown}与12"),
        ("未闭合{case", "未闭合{case"),
        ("}{case}{", "}12{"),
        ("{}", "{}"),
        ("e\u{301}{case}👍🏽{名字}", "e\u{301}12👍🏽王委员"),
    ])
    func fillReplacesKnownPlaceholdersOnly(template: String, expected: String) {
        #expect(ReplyTemplates.fill(template, ["studio": "徐家湾", "case": "12", "名字": "王委员"]) == expected)
    }
}
