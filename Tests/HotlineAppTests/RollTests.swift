import Foundation
import HotlineCore
import HotlineStorage
import Testing
@testable import HotlineApp

/// Rolls imported from the CSV files Excel writes (fixtures made with iconv, not with our code).
@Suite struct RollTests {
    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: repoRoot.appendingPathComponent("Tests/Fixtures/rolls/\(name)"))
    }

    @Test(arguments: ["longhu-gb18030.csv", "longhu-utf8-bom.csv"])
    func aRollFromExcelInEitherEncoding(file: String) async throws {
        let hotline = try makeHotline()
        let desk = NoticeService(hotline)
        let entries = try await desk.importRoll(studio: "xujiawan", name: "龙湖议事会", csv: try Self.fixture(file), area: "龙湖社区")
        #expect(entries == [
            RollEntry(name: "李书记", phone: "+8613700000101", role: "召集人", area: "龙湖社区"),
            RollEntry(name: "王,监委", phone: "+8613700000102", role: "监督委员会", area: "龙湖社区"),
            RollEntry(name: "张代表", phone: "+8613700000103", role: "居民代表", area: "龙湖社区"),
            RollEntry(name: "赵老师", phone: "+8613700000104", role: "乡贤", area: "龙湖社区"),
        ])
        // The next meeting reuses it, with the roll's roles in the tally.
        let draft = NoticeDraft(kind: .meeting, title: "停车协商", meeting: Meeting(at: thursday.addingTimeInterval(86_400), place: "工作室"),
                                audience: [.roll("龙湖议事会"), .membersOfArea("龙湖社区")])
        let (notice, plan) = try await desk.create(studio: "xujiawan", draft, by: "cli")
        #expect(plan.recipients.count == 6)
        let tally = try await hotline.database.noticeTally(noticeID: notice.id!)
        #expect(tally.rows.map(\.role) == ["召集人", "监督委员会", "居民代表", "乡贤", "委员"])
        // Importing again replaces it.
        try await desk.importRoll(studio: "xujiawan", name: "龙湖议事会", csv: Data("name,phone,role\n孙,13700000109,召集人\n".utf8))
        #expect(try await hotline.database.roll(studio: "xujiawan", name: "龙湖议事会").map(\.name) == ["孙"])
    }

    @Test func everyBadRowIsNamedAndNothingIsKept() async throws {
        let hotline = try makeHotline()
        await #expect(throws: NoticeService.Problem.rows([
            RollRowError(line: 3, problem: "name is empty"),
            RollRowError(line: 4, problem: "phone '1.37E+10' was turned into a number by Excel: format the column as text"),
            RollRowError(line: 5, problem: "phone 'hello' is not a mobile number"),
            RollRowError(line: 6, problem: "area '火星村' is not one of xujiawan's (徐家湾社区、龙湖社区、燕村、谭家庄村); phone 13700000101 is already on row 2"),
        ])) {
            try await NoticeService(hotline).importRoll(studio: "xujiawan", name: "x", csv: try Self.fixture("bad-rows.csv"))
        }
        #expect(try await hotline.database.rolls().isEmpty)
    }

    @Test(arguments: [
        ("", "row 1: the file is empty"),
        ("名字,号码\n张,13700000101\n", "row 1: the header row needs columns name, phone and role (or 姓名, 电话, 角色); missing name, phone, role, found: 名字,号码"),
        ("name,phone,role\n", "row 1: no participants below the header row"),
    ])
    func filesThatAreNoRoll(text: String, error: String) {
        guard case let .failure(e) = RollCSV.parse(Data(text.utf8)) else { Issue.record("accepted"); return }
        #expect(e.description == error)
    }

    /// A roll's name is one line of 1 to 40 characters; nothing is kept otherwise.
    @Test(arguments: ["", " ", "　", "议事会\n第二行", "议\u{1b}[31m会", String(repeating: "名", count: 41), String(repeating: "x", count: 9_000_000)])
    func rollNamesThatAreNoName(name: String) async throws {
        let hotline = try makeHotline()
        await #expect(throws: NoticeService.Problem.self) {
            try await NoticeService(hotline).importRoll(studio: "xujiawan", name: name, csv: Data("name,phone,role\n孙,13700000109,召集人\n".utf8))
        }
        #expect(try await hotline.database.rolls().isEmpty)
    }

    /// Formula cells are refused (no export can carry them to Excel), and a cell's escape sequence
    /// is written out, never sent raw to the operator's terminal.
    @Test(arguments: [
        ("=HYPERLINK(\"http://x\",\"点我\")", "name '=HYPERLINK(\"http://x\",\"点我\")' starts with '=', which a spreadsheet runs as a formula"),
        ("+1+2", "name '+1+2' starts with '+', which a spreadsheet runs as a formula"),
        ("-3", "name '-3' starts with '-', which a spreadsheet runs as a formula"),
        ("@SUM(A1)", "name '@SUM(A1)' starts with '@', which a spreadsheet runs as a formula"),
        ("＝1", "name '＝1' starts with '＝', which a spreadsheet runs as a formula"),
        ("张\u{1b}]0;owned\u{7}", "name '张\\u{1b}]0;owned\\u{7}' has control characters"),
        (String(repeating: "长", count: 41), "name is longer than 40 characters"),
    ])
    func cellsThatMustNotBeKept(name: String, problem: String) {
        let csv = "name,phone,role\n\"\(name.replacingOccurrences(of: "\"", with: "\"\""))\",13700000109,召集人\n"
        guard case let .failure(e) = RollCSV.parse(Data(csv.utf8)) else { Issue.record("accepted \(name)"); return }
        #expect(e.rows == [RollRowError(line: 2, problem: problem)])
    }

    @Test func aBadPhoneCellsEscapeSequenceIsWrittenOut() {
        guard case let .failure(e) = RollCSV.parse(Data("name,phone,role\n张,\u{1b}[2J138,召集人\n".utf8)) else { Issue.record("accepted"); return }
        #expect(e.description == "row 2: phone '\\u{1b}[2J138' is not a mobile number")
        #expect(!e.description.unicodeScalars.contains("\u{1b}"))
    }

    /// Exports neutralise what a spreadsheet would run.
    @Test(arguments: [("=1+1", "'=1+1"), ("+86", "'+86"), ("-", "'-"), ("@x", "'@x"), ("龙湖社区", "龙湖社区"), ("", "")])
    func exportsNeutraliseFormulas(cell: String, written: String) {
        #expect(SpreadsheetCell.neutralised(cell) == written)
    }
}
