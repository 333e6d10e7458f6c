import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

/// Transfers to departments: configured per studio, open until the member records the answer.
@Suite struct DepartmentTransferTests {
    @Test func aTransferToADepartmentStaysOpenIsChasedAndClosesWithTheAnswer() async throws {
        let clock = StepClock(thursday)
        let phones = try await MemberCommandReplyTests.openCase(clock: clock)
        try await phones.text(m3, "接 1")
        _ = try await phones.inbox(m3)
        _ = try await phones.inbox(resident)
        try await phones.text(m3, "转 1 水务局")
        var c = try await phones.case(1)
        #expect(c.state == .withDepartment && c.department == "区水务局" && c.outcome == nil)
        #expect(try await phones.inbox(m3).first?.contains("已转区水务局办理,请在") == true)
        let told = try await phones.inbox(resident)
        #expect(told.count == 1 && told[0].contains("已转交区水务局办理,王委员会督办"), "\(told)")
        #expect(!told[0].contains("满意"))
        // 区水务局 has 5 days: the member is reminded to chase it before then.
        clock.advance(5 * 86_400 - 3_600)
        try await phones.hotline.followUp()
        #expect(try await phones.inbox(m3).first?.contains("督办区水务局") == true)
        // The department answers; the member records it and the case closes, the resident is surveyed.
        clock.advance(1_800)
        try await phones.text(m3, "办结 1 已更换水表")
        c = try await phones.case(1)
        #expect(c.state == .closed && c.outcome == .transferred && c.outcomeNote == "已更换水表" && c.department == "区水务局")
        let closed = try await phones.inbox(resident)
        #expect(closed.count == 2 && closed[0].contains("已由区水务局办结:已更换水表") && closed[1].contains("满意请回复1"), "\(closed)")
        #expect(CaseView.departmentHours(c) == 119.5)
    }

    @Test(arguments: [
        ("转 1 城管菊", "没有叫“城管菊”的委员或部门。您是不是要转:区城管局"),
        ("转 1 13800000003", "没有叫“13800000003”的委员或部门"),
        ("转 1 街道办", "没有叫“街道办”的委员或部门"),
    ])
    func unknownTargetsAreRefusedWithTheClosestNames(text: String, reply: String) async throws {
        let phones = try await MemberCommandReplyTests.openCase()
        try await phones.text(m3, text)
        let got = try await phones.inbox(m3)
        #expect(got.count == 1 && got[0].contains(reply), "\(got)")
        #expect(try await phones.inbox(resident).isEmpty)
        #expect(try await phones.case(1).state == .assigned)
    }

    @Test func aMemberOnLeaveOrAtCapacityIsNoTransferTarget() async throws {
        let hotline = try makeHotline { settings in
            let i = settings.deployment.studios.firstIndex { $0.id == "xujiawan" }!
            settings.deployment.studios[i].sla.maxOpenCases = 1
        }
        let phones = Phones(hotline)
        try await phones.text(resident, "小区停水三天了")            // case 1 → M3
        try await phones.text("+8613700000021", "燕村的路坏了,没人修")  // case 2 → M4 (燕村)
        #expect(try await phones.case(2).assigneeId == "M4")
        _ = try await phones.inbox(m3)
        try await phones.text(m3, "转 1 M4")
        #expect(try await phones.inbox(m3).first?.contains("赵委员不能接这个案件(待办已达上限1件)") == true)
        try await phones.text("+8613800000005", "请假")
        try await phones.text(m3, "转 1 刘委员")
        #expect(try await phones.inbox(m3).first?.contains("刘委员不能接这个案件(正在请假)") == true)
        #expect(try await phones.case(1).assigneeId == "M3")
    }

    @Test func reassignmentAfterTwoMissesSkipsMembersOnLeaveAndSaysSo() async throws {
        let clock = StepClock(thursday)
        let phones = try await MemberCommandReplyTests.openCase(clock: clock)
        // M6, the other member linked to 龙湖社区, is away: the reassignment goes past them.
        try await phones.text(m6, "请假")
        for _ in 0..<3 {
            clock.advance(5 * 3_600)
            try await phones.hotline.followUp()
        }
        let c = try await phones.case(1)
        #expect(c.assigneeId != "M6" && c.assigneeId != "M3")
        let events = try await phones.hotline.database.events(caseID: c.id!)
        let reassigned = try #require(events.last { $0.kind == "reassigned" })
        #expect(reassigned.detail?.contains("skipped M6 (正在请假)") == true, "\(reassigned.detail ?? "")")
    }
}
