import Foundation
import HotlineCore
import Testing
@testable import HotlineConfig

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let configDir = repoRoot.appendingPathComponent("config").path
let intentsDir = repoRoot.appendingPathComponent("Intents").path

@Suite struct ShippedConfigTests {
    /// Each configuration in config/examples/ loads as `hotline check --config` reads it, and
    /// declares the channel it is an example of.
    @Test(arguments: ["wechat", "tencent", "aliyun"])
    func examplesLoad(name: String) throws {
        let settings = try ConfigLoader.load(directory: configDir + "/examples/\(name)", topics: .standard)
        #expect(settings.channels.contains { $0.kind.rawValue == name })
        #expect(settings.deployment.studios.allSatisfy { studio in settings.channels.first { $0.id == studio.outboundChannel }?.kind.reach == .phones })
    }

    @Test func followThroughSettingsAndAStudioOverride() throws {
        let shipped = try ConfigLoader.load(directory: configDir)
        #expect(shipped.sla == SLASettings())
        let topics = try RuleTableLoader.load(directory: intentsDir).topics
        // Water is urgent by the shipped topic catalog (Intents/topics.yaml), not by hotline.yaml.
        #expect(shipped.deployment.studio(id: "xujiawan")?.sla.deadlines(for: .water, catalog: topics) == CaseDeadlines(acceptHours: 4, replyDays: 1, closeDays: 5))
        #expect(shipped.deployment.studio(id: "xujiawan")?.sla.deadlines(for: .housing, catalog: topics) == CaseDeadlines())
        let studio = try String(contentsOfFile: configDir + "/studios/xujiawan.yaml", encoding: .utf8)
        let dir = try scratchConfig(replacing: "studios/xujiawan.yaml", with: studio + """

            sla:
              accept_hours: 12
              quiet_hours: "22:00-07:00"
              max_open_cases: 5
              topics:
                water: { accept_hours: 2 }
            """)
        let settings = try ConfigLoader.load(directory: dir, topics: .standard)
        let sla = try #require(settings.deployment.studio(id: "xujiawan")?.sla)
        #expect(sla.deadlines.acceptHours == 12 && sla.deadlines.replyDays == 3 && sla.maxOpenCases == 5)
        #expect(sla.quietHours == QuietHours("22:00-07:00"))
        // The studio's own deadlines for a topic win over the catalog's; other urgent topics keep the catalog's.
        #expect(sla.deadlines(for: .water, catalog: .standard) == CaseDeadlines(acceptHours: 2, replyDays: 3, closeDays: 15))
        #expect(sla.deadlines(for: .utilities, catalog: .standard) == .urgent)
        // The other studio keeps the deployment's.
        #expect(settings.deployment.studio(id: "xinjiang")?.sla == SLASettings())
    }

    /// The roster's limits and the opt-out's scope as shipped, and as written.
    @Test func senderLimitsAndOptOutScope() throws {
        let shipped = try ConfigLoader.load(directory: configDir)
        #expect(shipped.senders.rosterMaxTexts == 20 && shipped.senders.rosterMaxForwards == 3 && shipped.senders.rosterMaxForwardsPerDay == 20)
        #expect(shipped.deployment.optOutScope == .deployment)
        let main = try String(contentsOfFile: configDir + "/hotline.yaml", encoding: .utf8)
        let dir = try scratchConfig(replacing: "hotline.yaml", with: main.replacingOccurrences(of: "  roster_max_forwards: 3", with: "  roster_max_forwards: 1")
            .replacingOccurrences(of: "opt_out: deployment", with: "opt_out: studio"))
        let settings = try ConfigLoader.load(directory: dir, topics: .standard)
        #expect(settings.senders.rosterMaxForwards == 1 && settings.deployment.optOutScope == .studio)
        #expect(settings.deployment.optOutAlsoCovers("xujiawan").isEmpty && shipped.deployment.optOutAlsoCovers("xujiawan") == ["xinjiang"])
    }

    /// Backups on a schedule: none as shipped; as written, with the defaults for what is left out.
    @Test func backupSchedule() throws {
        #expect(try ConfigLoader.load(directory: configDir).backup == nil)
        let main = try String(contentsOfFile: configDir + "/hotline.yaml", encoding: .utf8)
        for (written, expected) in [("backup: { dir: /var/backups/hotline, every_hours: 6, keep: 14 }", BackupSettings(directory: "/var/backups/hotline", everyHours: 6, keep: 14)),
                                    ("backup:\n  dir: backups", BackupSettings(directory: "backups", everyHours: 24, keep: 7))] {
            let settings = try ConfigLoader.load(directory: try scratchConfig(replacing: "hotline.yaml", with: main + "\n" + written + "\n"), topics: .standard)
            #expect(settings.backup == expected, "\(written)")
        }
    }

    /// Retention: two years and 180 days unless written; `none` keeps.
    @Test func retentionPolicy() throws {
        #expect(try ConfigLoader.load(directory: configDir).retention == RetentionPolicy(closedCaseDays: 730, unlinkedMessageDays: 180))
        let main = try String(contentsOfFile: configDir + "/hotline.yaml", encoding: .utf8)
        for (written, expected) in [("retention: { closed_case_days: 365, unlinked_message_days: 30 }", RetentionPolicy(closedCaseDays: 365, unlinkedMessageDays: 30)),
                                    ("retention:\n  closed_case_days: none", RetentionPolicy(closedCaseDays: nil, unlinkedMessageDays: 180))] {
            let settings = try ConfigLoader.load(directory: try scratchConfig(replacing: "hotline.yaml", with: main + "\n" + written + "\n"), topics: .standard)
            #expect(settings.retention == expected, "\(written)")
        }
    }

    /// Every built-in text fits the default five SMS parts with typical values.
    @Test func builtInTemplatesFit() {
        for (name, text) in ReplyTemplates.defaults {
            #expect(SMSSegments.parts(of: ReplyTemplates.sample(text, studio: "徐家湾委员工作室")) <= 2, "\(name)")
        }
    }

    /// The default config ships the demo studios of docs/DEMO.md exactly.
    @Test func shipsTheDemoStudios() throws {
        let settings = try ConfigLoader.load(directory: configDir)
        let xujiawan = try #require(settings.deployment.studio(forHotline: "10690001"))
        #expect(xujiawan.id == "xujiawan" && xujiawan.name == "徐家湾委员工作室")
        #expect(xujiawan.timeZone.identifier == "Asia/Shanghai")
        #expect(xujiawan.duty == [.wednesday: ["M1", "M2"]])
        let roster = xujiawan.roster.map { "\($0.id) \($0.name) \($0.phone) \($0.role.rawValue) \($0.sector ?? "-") \($0.areas.joined(separator: ","))" }
        #expect(roster == [
            "M1 张委员 +8613800000001 member medical 徐家湾社区",
            "M2 李委员 +8613800000002 member legal 徐家湾社区",
            "M3 王委员 +8613800000003 member housing 龙湖社区",
            "M4 赵委员 +8613800000004 member agriculture 燕村",
            "M5 刘委员 +8613800000005 member economy 谭家庄村",
            "M6 陈委员 +8613800000006 member education 龙湖社区",
            "L1 周联络员 +8613900000001 liaison - ",
            "L2 吴联络员 +8613900000002 liaison - ",
        ])
        #expect(xujiawan.areas.map(\.id) == ["徐家湾社区", "龙湖社区", "燕村", "谭家庄村"])
        #expect(xujiawan.areas.first { $0.id == "龙湖社区" }?.aliases == ["龙湖", "龍湖", "龙湖小区"])
        #expect(xujiawan.residents == [KnownResident(phone: "+8613700000001", area: "龙湖社区"), KnownResident(phone: "+8613700000002", area: "燕村")])
        let xinjiang = try #require(settings.deployment.studio(forHotline: "10690002"))
        #expect(xinjiang.id == "xinjiang")
        #expect(xinjiang.person("X1")?.areas == ["泉掌镇王守村"])
        #expect(xinjiang.person("XL1")?.phone == "+8613900000011")
        #expect(settings.deployment.sector("legal")?.topics == [.neighbour, .housing])
    }

    /// The shipped rule table loads and every inline example gives its expected result.
    @Test func shippedRuleTableExamplesPass() throws {
        let table = try RuleTableLoader.load(directory: intentsDir)
        #expect(table.rules.count > 10)
        let failures = try table.checkExamples()
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
    }

    /// Every row of the demo's sample messages classifies right with the shipped table.
    @Test(arguments: demoMessages())
    func demoMessageClassifies(row: DemoMessage) throws {
        let classifier = try Classifier(table: RuleTableLoader.load(directory: intentsDir), studio: "xujiawan")
        let result = classifier.classify(row.text)
        #expect(result.intent.rawValue == row.intent, "\(row.text): \(result.matches.map(\.rule))")
        #expect(result.topic.rawValue == row.topic, "\(row.text): \(result.matches.map(\.rule))")
    }
}

extension ShippedConfigTests {
    /// Longer, more formal resident messages (the style of 12345 hotlines and officials' message
    /// boards), written for this project and labelled by hand. A rule edit may trade a row or two,
    /// but not the overall accuracy the studios rely on.
    @Test func residentMessagesClassifyWell() throws {
        let classifier = try Classifier(table: RuleTableLoader.load(directory: intentsDir), studio: "xujiawan")
        let rows = tsvRows(repoRoot.appendingPathComponent("Tests/Fixtures/resident-messages.tsv"))
        #expect(rows.count >= 100)
        var intentRight = 0
        var topicRight = 0
        var misses: [String] = []
        for row in rows {
            let r = classifier.classify(row.text)
            if r.intent.rawValue == row.intent { intentRight += 1 }
            if r.topic.rawValue == row.topic { topicRight += 1 }
            if r.intent.rawValue != row.intent || r.topic.rawValue != row.topic {
                misses.append("\(row.text): expected \(row.intent)/\(row.topic), got \(r.intent.rawValue)/\(r.topic.rawValue)")
            }
        }
        let intentRate = Double(intentRight) / Double(rows.count)
        let topicRate = Double(topicRight) / Double(rows.count)
        #expect(intentRate >= 0.95, "intent \(intentRight)/\(rows.count):\n\(misses.joined(separator: "\n"))")
        #expect(topicRate >= 0.90, "topic \(topicRight)/\(rows.count):\n\(misses.joined(separator: "\n"))")
    }
}

func tsvRows(_ file: URL) -> [DemoMessage] {
    guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").dropFirst().compactMap { line in
        let cols = line.split(separator: "\t").map(String.init)
        return cols.count >= 3 ? DemoMessage(text: cols[0], intent: cols[1], topic: cols[2]) : nil
    }
}

struct DemoMessage: Sendable, CustomStringConvertible {
    var text, intent, topic: String
    var description: String { text }
}

/// Rows of `Tests/Fixtures/demo-messages.tsv` (the demo studios' sample messages, docs/DEMO.md) and, when present
/// beside the repository, of the shared file itself, so an update there is tested too.
func demoMessages() -> [DemoMessage] {
    let files = [repoRoot.appendingPathComponent("Tests/Fixtures/demo-messages.tsv"),
                 repoRoot.deletingLastPathComponent().appendingPathComponent("shared/demo/messages.tsv")]
    var rows: [String: DemoMessage] = [:]
    for file in files {
        for row in tsvRows(file) { rows[row.text] = row }
    }
    return rows.values.sorted { $0.text < $1.text }
}
