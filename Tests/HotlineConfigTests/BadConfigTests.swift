import Foundation
import HotlineCore
import Testing
@testable import HotlineConfig

/// Writes a config folder from the shipped one with one file replaced, and returns its path.
func scratchConfig(replacing file: String, with text: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-config-\(UUID().uuidString)")
    try FileManager.default.copyItem(atPath: configDir, toPath: dir.path)
    try text.write(to: dir.appendingPathComponent(file), atomically: true, encoding: .utf8)
    return dir.path
}

func scratchIntents(_ files: [String: String]) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-intents-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
    return dir.path
}

@Suite struct BadConfigTests {
    static let studio = """
        id: xujiawan
        name: 徐家湾委员工作室
        hotline_numbers: ["10690001"]
        time_zone: Asia/Shanghai
        outbound_channel: dryrun
        areas:
          - { name: 龙湖社区 }
        roster:
          - { id: M3, name: 王委员, phone: "+8613800000003", role: member, sector: housing, areas: [龙湖社区] }
          - { id: L1, name: 周联络员, phone: "+8613900000001", role: liaison, areas: all }

        """

    struct Row: Sendable, CustomStringConvertible {
        var name: String
        var file: String
        var text: String
        var line: Int
        var message: String
        /// Where the error is reported, when not in the file written.
        var reportedIn: String? = nil
        var description: String { name }
    }

    static let rows: [Row] = [
        Row(name: "YAML syntax", file: "studios/xujiawan.yaml", text: studio + "duty: [wednesday: M1\n", line: 12, message: "YAML syntax"),
        Row(name: "unknown key", file: "studios/xujiawan.yaml", text: studio + "dutty: {}\n", line: 11, message: "unknown key 'dutty'"),
        Row(name: "bad time zone", file: "studios/xujiawan.yaml",
            text: studio.replacingOccurrences(of: "Asia/Shanghai", with: "Mars/Base"), line: 4, message: "unknown time zone 'Mars/Base'"),
        Row(name: "member of an unknown area", file: "studios/xujiawan.yaml",
            text: studio.replacingOccurrences(of: "areas: [龙湖社区]", with: "areas: [火星]"), line: 9, message: "area '火星' is not one of this studio's areas"),
        Row(name: "unknown role", file: "studios/xujiawan.yaml",
            text: studio.replacingOccurrences(of: "role: liaison", with: "role: boss"), line: 10, message: "unknown role 'boss'"),
        Row(name: "duty of someone not on the roster", file: "studios/xujiawan.yaml",
            text: studio + "duty:\n  wednesday: [M9]\n", line: 12, message: "'M9' is not on the roster"),
        Row(name: "unknown sector", file: "studios/xujiawan.yaml",
            text: studio.replacingOccurrences(of: "sector: housing", with: "sector: cooking"), line: 9, message: "sector 'cooking' is not defined"),
        Row(name: "template placeholder", file: "studios/xujiawan.yaml",
            text: studio + "templates:\n  ack.complaint: 收到{cse}\n", line: 12, message: "unknown placeholder {cse}"),
        Row(name: "template longer than the channel's parts", file: "studios/xujiawan.yaml",
            text: studio + "templates:\n  resident.reply: \"\(String(repeating: "请您耐心等待我们的答复", count: 40)){text}\"\n", line: 12,
            message: "template resident.reply: with typical values it takes"),
        Row(name: "studio quiet hours", file: "studios/xujiawan.yaml",
            text: studio + "sla:\n  quiet_hours: \"late-early\"\n", line: 12, message: "sla.quiet_hours: 'late-early' is not like 21:30-08:00"),
        Row(name: "deadline of an unknown topic", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\nsla:\n  topics:\n    weather: { accept_hours: 1 }\n", line: 5,
            message: "sla.topics: unknown topic 'weather'"),
        Row(name: "duplicate hotline number", file: "studios/xinjiang.yaml",
            text: studio.replacingOccurrences(of: "id: xujiawan", with: "id: other"), line: 4, message: "hotline number 10690001 is also", reportedIn: "studios/xujiawan.yaml"),
        Row(name: "unknown channel kind", file: "hotline.yaml",
            text: "channels:\n  - id: dryrun\n    kind: carrier-pigeon\n", line: 3, message: "unknown kind 'carrier-pigeon'"),
        Row(name: "unknown opt-out scope", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\nopt_out: everywhere\n", line: 3, message: "opt_out 'everywhere' must be deployment or studio"),
        Row(name: "roster limit out of range", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\nsenders:\n  roster_max_forwards: -1\n", line: 4, message: "senders.roster_max_forwards"),
        Row(name: "a day's roster limit not a number", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\nsenders:\n  roster_max_forwards: 3\n  roster_max_forwards_per_day: lots\n", line: 5,
            message: "senders.roster_max_forwards_per_day"),
        Row(name: "backup without a folder", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\nbackup:\n  every_hours: 6\n", line: 4, message: "backup needs 'dir'"),
        Row(name: "backups too often", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\nbackup:\n  dir: backups\n  every_hours: 0.01\n", line: 5, message: "backup.every_hours"),
        Row(name: "backup keeps none", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\nbackup: { dir: backups, keep: 0 }\n", line: 3, message: "backup.keep"),
        Row(name: "backup key misspelt", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\nbackup: { dir: backups, every_hour: 6 }\n", line: 3, message: "unknown key 'every_hour'"),
        Row(name: "retention too short", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\nretention:\n  closed_case_days: 3\n", line: 4, message: "retention.closed_case_days"),
        Row(name: "retention key misspelt", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\nretention: { closed_cases_days: 400 }\n", line: 3, message: "unknown key 'closed_cases_days'"),
        Row(name: "secret written in place of a variable name", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\n  - { id: json, kind: json, secret_env: \"s3cr3t!\" }\n", line: 3, message: "names an environment variable"),
        // Each kind declares its own keys (HotlineChannel.options): the loader checks them, line by line.
        Row(name: "a kind's required key missing", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\n  - id: box\n    kind: kannel\n    username: u\n    password_env: P\n    public_url: http://h\n",
            line: 3, message: "channel box: a kannel channel needs 'sendsms_url'"),
        Row(name: "another kind's key", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\n  - id: box\n    kind: kannel\n    sendsms_url: http://k\n    username: u\n"
                + "    password_env: P\n    public_url: http://h\n    account_sid: AC1\n", line: 9, message: "kannel channel: unknown key 'account_sid'"),
        Row(name: "a URL that is none", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\n  - id: t\n    kind: twilio\n    account_sid: AC1\n    auth_token_env: T\n"
                + "    public_url: https://h\n    from: \"+1500\"\n    api_base_url: ftp://x\n", line: 9, message: "channel t: api_base_url must be an http(s) URL"),
        Row(name: "a secret in a *_env key", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\n  - id: box\n    kind: kannel\n    sendsms_url: http://k\n    username: u\n"
                + "    password_env: \"hunter2!\"\n    public_url: http://h\n", line: 7, message: "password_env names an environment variable"),
        Row(name: "a signing key the kind needs", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\n  - { id: phone, kind: android, api_url: \"http://p\", username: u, password_env: P, number: \"1069\" }\n",
            line: 3, message: "channel phone: an android channel needs 'secret_env' (the app's webhook signing key)"),
        Row(name: "an outbound channel that cannot text phones", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: wechat, secret_env: T, app_id: wx1, app_secret_env: S, number: \"10690001\" }\n",
            line: 2, message: "outbound_channel 'dryrun' is a wechat channel, which answers only those who wrote to it", reportedIn: "studios/xinjiang.yaml"),
        // A template channel maps the texts to its provider's approved templates.
        Row(name: "a template channel without templates", file: "hotline.yaml", text: tencent(nil), line: 3,
            message: "channel t: a tencent channel sends only its provider's approved templates and needs 'templates'"),
        Row(name: "an acknowledgement without a template", file: "hotline.yaml",
            text: tencent("      ack.complaint: \"1101: case, assignee\"\n      ack.unclassified: \"1103: case\"\n      fallback: \"1109: studio\"\n"),
            line: 12, message: "channel t: templates: no template for 'ack.question'"),
        Row(name: "a template for no text", file: "hotline.yaml", text: tencent("      ack.complain: \"1101: case\"\n"), line: 12,
            message: "channel t: templates: unknown template 'ack.complain'"),
        Row(name: "a parameter the text does not have", file: "hotline.yaml", text: tencent("      ack.question: \"1102: cse\"\n"), line: 12,
            message: "channel t: template ack.question (1102): unknown value 'cse' (allowed: assignee, case, studio, token)"),
        Row(name: "a template that is no id and values", file: "hotline.yaml", text: tencent("      ack.question: \"1102 case\"\n"), line: 12,
            message: "channel t: template ack.question: '1102 case' is not 'template id: value, value'"),
        Row(name: "a WeChat template field filled with a value the text does not have", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\n  - id: wx\n    kind: wechat\n    secret_env: T\n    app_id: wx1\n"
                + "    app_secret_env: S\n    number: \"10690001\"\n    templates:\n      resident.reply: \"TPL: thing2=txt\"\n", line: 10,
            message: "channel wx: template resident.reply (TPL): unknown value 'thing2=txt'"),
        Row(name: "a WeChat notice API that is neither", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\n  - id: wx\n    kind: wechat\n    secret_env: T\n    app_id: wx1\n"
                + "    app_secret_env: S\n    number: \"10690001\"\n    notice_api: subscription\n", line: 9,
            message: "channel wx: notice_api is 'subscription'; it must be template or subscribe"),
        Row(name: "a channel id that is a route of its kind", file: "hotline.yaml",
            text: "channels:\n  - { id: dryrun, kind: dryrun }\n  - id: dlr\n    kind: kannel\n    sendsms_url: http://k\n    username: u\n"
                + "    password_env: P\n    public_url: http://h\n", line: 3, message: "channel id 'dlr' must be"),
    ]

    /// A Tencent Cloud SMS channel with `templates` as given (nil: none), lines 3 to 10 before them.
    static func tencent(_ templates: String?) -> String {
        "channels:\n  - { id: dryrun, kind: dryrun }\n  - id: t\n    kind: tencent\n    secret_env: CB\n    sdk_app_id: \"1400000001\"\n"
            + "    sign_name: 徐家湾委员工作室\n    secret_id_env: TID\n    secret_key_env: TKEY\n    number: \"10690001\"\n"
            + (templates.map { "    templates:\n" + $0 } ?? "")
    }

    @Test(arguments: rows)
    func namesFileAndLine(row: Row) throws {
        let dir = try scratchConfig(replacing: row.file, with: row.text)
        let errors = try #require(throws: ConfigErrors.self) { try ConfigLoader.load(directory: dir, topics: .standard) }.errors
        let hit = errors.first { $0.message.contains(row.message) }
        #expect(hit != nil, "got: \(errors)")
        #expect(hit?.line == row.line, "got: \(errors)")
        #expect(hit?.file.hasSuffix(row.reportedIn ?? row.file) == true, "got: \(errors)")
    }
}

@Suite struct BadRuleTableTests {
    struct Row: Sendable, CustomStringConvertible {
        var name: String
        var text: String
        var line: Int
        var message: String
        var description: String { name }
    }

    static let rows: [Row] = [
        Row(name: "unknown topic", text: "rules:\n  - id: a\n    topic: weather\n    any: [雨]\n", line: 3, message: "unknown topic 'weather'"),
        Row(name: "bad regex", text: "rules:\n  - id: a\n    topic: water\n    regex: [\"(\"]\n", line: 2, message: "bad regex"),
        Row(name: "duplicate id", text: "rules:\n  - { id: a, topic: water, any: [水] }\n  - { id: a, topic: roads, any: [路] }\n", line: 3,
            message: "duplicate rule id 'a'"),
        Row(name: "empty keyword list", text: "rules:\n  - id: a\n    topic: water\n    any: []\n", line: 4, message: "'any' is an empty list"),
        Row(name: "no keywords at all", text: "rules:\n  - id: a\n    topic: water\n", line: 2, message: "needs keywords"),
        Row(name: "neither intent nor topic", text: "rules:\n  - id: a\n    any: [水]\n", line: 2, message: "sets neither an intent nor a topic"),
        Row(name: "unknown rule key", text: "rules:\n  - id: a\n    topic: water\n    anny: [水]\n", line: 4, message: "unknown key 'anny'"),
        // The topic catalog.
        Row(name: "topic id of the wrong form", text: "topics:\n  - { id: other, name: 其他 }\n  - { id: Agri-Culture, name: 农业 }\n", line: 3,
            message: "topic id 'Agri-Culture' must be lower-case"),
        Row(name: "topic declared twice", text: "topics:\n  - { id: other, name: 其他 }\n  - { id: other, name: 别的 }\n", line: 3,
            message: "topic 'other' is declared twice"),
        Row(name: "catalog without other", text: "topics:\n  - { id: farming, name: 农业 }\n", line: 2, message: "must include 'other'"),
        Row(name: "topic without a name", text: "topics:\n  - { id: other }\n", line: 2, message: "topic other: 'name'"),
        Row(name: "topic name over two lines", text: "topics:\n  - { id: other, name: \"其\\n他\" }\n", line: 2, message: "1 to 20 characters on one line"),
        Row(name: "topic deadlines out of range", text: "topics:\n  - { id: other, name: 其他, deadlines: { accept_hours: 0 } }\n", line: 2,
            message: "accept_hours"),
        Row(name: "topics in a studio's file", text: "studio: xujiawan\ntopics:\n  - { id: other, name: 其他 }\n", line: 3,
            message: "topics are shared by every studio"),
        Row(name: "rule names a topic its catalog lacks",
            text: "topics:\n  - { id: other, name: 其他 }\nrules:\n  - id: a\n    topic: water\n    any: [水]\n", line: 5,
            message: "unknown topic 'water' in rule a"),
        Row(name: "example names a topic the catalog lacks",
            text: "rules:\n  - id: a\n    topic: water\n    any: [水]\n    examples:\n      - { text: 没水, expect: complaint/forestry }\n", line: 6,
            message: "unknown topic 'forestry' in an example of rule a"),
    ]

    /// A Tencent Cloud SMS channel with `templates` as given (nil: none), lines 3 to 10 before them.
    static func tencent(_ templates: String?) -> String {
        "channels:\n  - { id: dryrun, kind: dryrun }\n  - id: t\n    kind: tencent\n    secret_env: CB\n    sdk_app_id: \"1400000001\"\n"
            + "    sign_name: 徐家湾委员工作室\n    secret_id_env: TID\n    secret_key_env: TKEY\n    number: \"10690001\"\n"
            + (templates.map { "    templates:\n" + $0 } ?? "")
    }

    @Test(arguments: rows)
    func namesFileAndLine(row: Row) throws {
        let dir = try scratchIntents(["rules.yaml": row.text])
        let errors = try #require(throws: ConfigErrors.self) { try RuleTableLoader.load(directory: dir) }.errors
        let hit = errors.first { $0.message.contains(row.message) }
        #expect(hit != nil, "got: \(errors)")
        #expect(hit?.line == row.line, "got: \(errors)")
        #expect(hit?.file.hasSuffix("rules.yaml") == true)
    }

    @Test func failingExampleNamesFileLineTextExpectedAndActual() throws {
        let dir = try scratchIntents(["rules.yaml": """
            rules:
              - id: water
                topic: water
                any: [停水]
                examples:
                  - { text: 停水了, expect: complaint/water }
                  - { text: 路坏了, expect: complaint/roads }
            """])
        let failures = try RuleTableLoader.load(directory: dir).checkExamples()
        #expect(failures.count == 1)
        let message = failures.first?.description ?? ""
        #expect(message.hasSuffix("rules.yaml:7: example of rule water: \"路坏了\" expected complaint/roads, got unclassified/other"), "\(message)")
    }
}
