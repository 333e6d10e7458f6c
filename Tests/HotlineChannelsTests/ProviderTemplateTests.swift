import Foundation
import HotlineChannels
import HotlineCore
import Testing

/// How a text becomes a provider's approved template: the mapping's form, the values a template may
/// use, the fallback, and parameters cut to the provider's length.
@Suite struct ProviderTemplateTests {
    @Test(arguments: [
        ("1234567: case, assignee", ProviderTemplate(id: "1234567", params: ["case", "assignee"])),
        ("SMS_154950909:case", ProviderTemplate(id: "SMS_154950909", params: ["case"])),
        ("7654321", ProviderTemplate(id: "7654321", params: [])),
        ("12 34: case", nil), (": case", nil), ("1234: case,,", nil), ("", nil),
    ] as [(String, ProviderTemplate?)])
    func mappingForm(text: String, template: ProviderTemplate?) {
        #expect(ProviderTemplates.parse(text) == template)
    }

    @Test func allowedValuesAreTheReplyTemplatesPlaceholders() {
        #expect(ProviderTemplates.allowedValues("ack.question") == ["studio", "case", "assignee", "token"], "never the link: an address cut is none")
        #expect(ProviderTemplates.allowedValues("fallback") == ["studio", "case", "token"])
        #expect(ProviderTemplates.allowedValues("ack.complain") == nil)
        #expect(ProviderTemplates.required == ["ack.complaint", "ack.question", "ack.unclassified", "fallback"])
    }

    @Test(arguments: [
        ("徐家湾委员工作室", 12, "徐家湾委员工作室"),
        ("欧阳诸葛委员会副主任委员长", 12, "欧阳诸葛委员会副主任委…"),
        ("+86137****0001", 12, "****0001"),
        ("+86137****0001", 6, "+8613…"),
        ("两行\n文字", 12, "两行 文字"),
    ])
    func parametersFitTheProvidersLength(value: String, max: Int, fitted: String) {
        #expect(ProviderTemplates.fit(value, maxLength: max) == fitted)
        #expect(fitted.count <= max)
    }

    @Test func aTextWithoutItsOwnTemplateGoesAsTheFallback() {
        let templates = ["ack.question": ProviderTemplate(id: "2", params: ["case", "assignee"]), "fallback": ProviderTemplate(id: "9", params: ["studio", "case"])]
        func text(_ template: String?, _ values: [String: String]) -> OutgoingText {
            OutgoingText(messageID: 1, from: "1", to: "2", text: "…", template: template, values: values)
        }
        #expect(ProviderTemplates.send(text("ack.question", ["case": "3"]), templates: templates, maxLength: 12)! == ("2", ["3", "-"]))
        #expect(ProviderTemplates.send(text("member.help", ["studio": "工作室", "case": ""]), templates: templates, maxLength: 12)! == ("9", ["工作室", "-"]))
        #expect(ProviderTemplates.send(text(nil, [:]), templates: ["ack.question": templates["ack.question"]!], maxLength: 12) == nil)
        // A member's reply in their own words goes as a fallback that points to the case page: its
        // token whole, however short the provider's parameters.
        let pointing = ["fallback": ProviderTemplate(id: "9", params: ["studio", "case", "token"])]
        let reply = text("resident.reply", ["studio": "徐家湾委员工作室", "case": "12", "token": "AbCdEfGhIjKlMnOpQrStUv", "text": "已联系自来水公司"])
        #expect(ProviderTemplates.send(reply, templates: pointing, maxLength: 6)! == ("9", ["徐家湾委员…", "12", "AbCdEfGhIjKlMnOpQrStUv"]))
    }
}
