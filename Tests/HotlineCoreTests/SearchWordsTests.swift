import Testing
@testable import HotlineCore

@Suite struct SearchWordsTests {
    @Test(arguments: [
        ("小区停水三天了", ["小区", "区停", "停水", "水三", "三天", "天了"]),
        ("龍湖社區", ["龙湖", "湖社", "社区"]),                       // Traditional, found as Simplified
        ("ＷｉＦｉ坏了 3号楼", ["wifi", "坏了", "3", "号楼"]),          // full-width, case
        ("水", ["水"]),
        ("电话13912345678!!", ["电话", "13912345678"]),
        ("", []),
    ])
    func wordsOfAText(text: String, words: [String]) {
        #expect(SearchWords.of(text) == words)
    }

    @Test(arguments: [
        ("停水", "\"停水\""),
        ("停水 路灯", "\"停水\" AND \"路灯\""),
        ("WiFi", "\"wifi\"*"),
        ("停水了", "\"停水\" AND \"水了\""),
    ])
    func queries(typed: String, query: String) {
        #expect(SearchWords.query(typed) == query)
    }

    /// What the index cannot find whole goes to a scan.
    @Test(arguments: ["水", "1391234", "停水 1号", "  ", "?!"])
    func noQuery(typed: String) {
        #expect(SearchWords.query(typed) == nil)
    }
}
