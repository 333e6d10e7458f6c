import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotlineApp

/// A hotline never answers a hotline: two studios texting each other, or a number echoing back.
@Suite struct HotlineNumberSenderTests {
    @Test func aTextFromAnyStudiosHotlineNumberIsStoredAndNeverAnswered() async throws {
        let phones = Phones(try makeHotline())
        try await phones.text("10690002", "【新绛县有事好商量平台】已收到您的来信,编号1。", to: "10690001")
        try await phones.text("+8610690001", "【徐家湾委员工作室】已收到", to: "10690002")
        // With the trunk prefix a phone shows before a number dialled within the country.
        try await phones.text("010690002", "【新绛县有事好商量平台】您的诉求已受理", to: "10690001")
        let messages = try await phones.hotline.database.messages()
        #expect(messages.count == 3 && messages.allSatisfy { $0.direction == .inbound })
        #expect(try await phones.hotline.database.cases().isEmpty)
    }
}
