import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

/// Commands act in the case's own studio, whichever hotline number they were texted to.
@Suite struct CrossStudioCommandTests {
    @Test func aCommandToTheOtherStudiosNumberSpeaksForTheCasesStudio() async throws {
        let hotline = try makeHotline { settings in
            let i = settings.deployment.studios.firstIndex { $0.id == "xinjiang" }!
            let j = settings.deployment.studios[i].roster.firstIndex { $0.id == "X1" }!
            settings.deployment.studios[i].roster[j].phone = m3
        }
        let phones = Phones(hotline)
        let villager = "+8613700000055"
        try await phones.text(villager, "王守村吃水难,井里抽不出水", to: "10690002")
        _ = try await phones.inbox(villager)
        try await phones.text(m3, "接 xinjiang-1", to: "10690001")
        try await phones.text(m3, "回复 xinjiang-1 明天派人去修", to: "10690001")
        let told = try await phones.inbox(villager)
        #expect(told.count == 2, "\(told)")
        #expect(told.allSatisfy { $0.hasPrefix("【新绛县有事好商量平台】") && !$0.contains("徐家湾") })
        #expect(told[0].contains("已由孙委员受理"))
        let out = try await hotline.database.messages().filter { $0.direction == .outbound }
        #expect(out.filter { $0.toNumber == villager || $0.toNumber == m3 }.allSatisfy { $0.fromNumber == "10690002" || $0.caseId == nil })
        #expect(out.filter { $0.toNumber == villager }.allSatisfy { $0.fromNumber == "10690002" })
    }
}
