import Foundation
import HotlineCore
import Testing

@Suite struct MemberCommandTests {
    static let c12 = CaseReference(number: 12)

    @Test(arguments: [
        ("接 12", MemberCommand.accept(c12)),
        ("接12", .accept(c12)),
        ("接 #12", .accept(c12)),
        ("  接   ＃１２ ", .accept(c12)),
        ("受理 12", .accept(c12)),
        ("ACCEPT 12", .accept(c12)),
        ("accept#12", .accept(c12)),
        ("接 xujiawan-12", .accept(CaseReference(studio: "xujiawan", number: 12))),
        ("无法解决 12 资金不足", .unresolved(c12, note: "资金不足")),
        ("無法解決12:資金不足", .unresolved(c12, note: "資金不足")),
        ("UNRESOLVED 12 no budget", .unresolved(c12, note: "no budget")),
        ("回复 12 明天上午来修", .reply(c12, text: "明天上午来修")),
        ("回复12明天上午来修", .reply(c12, text: "明天上午来修")),
        ("回覆 12 明天上午來修", .reply(c12, text: "明天上午來修")),
        ("回復12:明天上午來修,請留意", .reply(c12, text: "明天上午來修,請留意")),
        ("REPLY 12 We will fix it tomorrow", .reply(c12, text: "We will fix it tomorrow")),
        ("办结 12 已修好", .done(c12, outcome: "已修好")),
        ("辦結12 已修好", .done(c12, outcome: "已修好")),
        ("DONE 12 fixed", .done(c12, outcome: "fixed")),
        ("转 12 M3", .transfer(c12, to: "M3")),
        ("轉 12 给 王委员", .transfer(c12, to: "王委员")),
        ("TRANSFER 12 to 区住建局", .transfer(c12, to: "区住建局")),
        ("提案 12", .proposal(c12, note: "")),
        ("提案 12 建议增设红绿灯", .proposal(c12, note: "建议增设红绿灯")),
        ("社情 12", .socialReport(c12, note: "")),
        ("待办", .list),
        ("待辦", .list),
        ("LIST", .list),
        ("查 12", .show(c12)),
        ("SHOW #12", .show(c12)),
        ("请假", .away(until: nil)),
        ("請假 到 11-30", .away(until: DateComponents(month: 11, day: 30))),
        ("AWAY until 2026-12-01", .away(until: DateComponents(year: 2026, month: 12, day: 1))),
        ("请假到11月30日", .away(until: DateComponents(month: 11, day: 30))),
        ("销假", .back),
        ("BACK", .back),
        ("帮助", .help),
        ("help", .help),
        ("步骤 12 劝 双方同意各退一步", .step(c12, .persuade, note: "双方同意各退一步")),
        ("步驟12聽", .step(c12, .listen, note: "")),
        ("STEP 12 reconcile", .step(c12, .reconcile, note: "")),
    ])
    func parses(text: String, command: MemberCommand) {
        #expect(MemberCommandParser.parse(text) == .success(command))
    }

    @Test(arguments: [
        ("你好", CommandProblem.unknownCommand),
        ("listen 12", .unknownCommand),
        ("接", .missingCase(usage: "接 编号")),
        ("接 abc", .missingCase(usage: "接 编号")),
        ("回复 12", .missingText(usage: "回复 编号 内容")),
        ("回复 明天来", .missingCase(usage: "回复 编号 内容")),
        ("办结 12", .missingText(usage: "办结 编号 结果")),
        ("转 12", .missingText(usage: "转 编号 委员或部门")),
        ("转 12 给", .missingText(usage: "转 编号 委员或部门")),
        ("步骤 12 打", .badStep(usage: "步骤 编号 听/辨/劝/借/让/和 [备注]")),
        ("请假 到 下周", .badDate(usage: "请假 [到 月-日]")),
        ("请假 到 13-40", .badDate(usage: "请假 [到 月-日]")),
    ])
    func refuses(text: String, problem: CommandProblem) {
        #expect(MemberCommandParser.parse(text) == .failure(problem))
    }

    @Test(arguments: [
        ("查询 12", 12), ("查詢#12", 12), ("STATUS 7", 7), ("status7", 7), ("查询", nil), ("小区停水", nil),
        // Decided on the first character that is not a separator: these still count.
        ("  查询 12", 12), ("#查询12", 12), ("：查询 3", 3), ("　查询　１２", 12), ("ＳＴＡＴＵＳ 5", 5),
        ("查水表 12", nil), ("status report", nil), ("12 查询", nil), ("", nil), ("   ", nil),
    ] as [(String, Int?)])
    func residentStatusQuery(text: String, number: Int?) {
        #expect(ResidentCommand.statusQuery(text) == number)
    }

    @Test func helpFitsOneSMS() {
        #expect(SMSSegments.parts(of: "命令:" + MemberCommandParser.summary) == 1)
    }
}
