import ArgumentParser
import AsyncHTTPClient
import Foundation
import HotlineApp
import HotlineCore
import HotlineStorage
import Hummingbird
import Logging
import NIOCore

/// The admin API on a big database: a year of a busy district (by default 200,000 cases and
/// 1,000,000 messages in a SQLite file), asked over real HTTP for filtered case pages, a case, the
/// overdue list and the monthly report; latency per request and the query plans behind them.
struct AdminBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Milliseconds per admin API request on a database of many cases and messages (seeded once, kept).")

    @Option(help: "Cases to seed (a year of them, 70% in the first studio).")
    var cases = 200_000
    @Option(help: "Messages per case (one inbound, the rest outbound).")
    var messagesPerCase = 5
    @Option(help: "The SQLite file; seeded when it has no cases, reused after (delete it to seed again).")
    var database = "/tmp/hotline-admin-bench.sqlite"
    @Option(help: "Timed requests per query (after three untimed).")
    var requests = 40
    @Option(help: "Studios (beyond the configuration's, copies of xujiawan are added in a temporary configuration); the first gets 70% of the cases, the rest share the others.")
    var studios = 0
    @Option(help: "Rounds of the load phase, each texts alone then beside the readers.")
    var loadRounds = 3

    @Option(help: "Clients loading the pages at once in the load phase (0: no load phase).")
    var clients = 8
    @Option(help: "Seconds of the load phase.")
    var loadSeconds = 20.0
    @Option(help: "Webhook texts per second beside the load.")
    var intakeRate = 500.0
    @Option(help: "Back up the live database into this folder while webhooks arrive, and report the longest intake stall (after the load phase).")
    var backupTo: String?
    @Option(help: "Configuration folder.")
    var config = "config"
    @Option(help: "Rule table folder.")
    var intents = "Intents"

    /// 2026-11-30 12:00 UTC: the seeded year ends here, and the service's clock stands here.
    static let now = ISO8601DateFormatter().date(from: "2026-11-30T12:00:00Z")!

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let hotline = try HotlineSetup.make(HotlinePaths(config: try configuration(), intents: intents, database: database), clock: .fixed(Self.now),
                                            environment: [:], logger: logger)
        if try await hotline.database.tableCounts().cases == 0 {
            let start = Date()
            try await seed(hotline)
            print("seeded in \(String(format: "%.0f", Date().timeIntervalSince(start))) s")
        }
        // What `hotline serve`'s indexer does in the background: the cases' words into the search index, in batches.
        var indexed = 0
        let indexing = Date()
        while true {
            let n = try await hotline.database.indexCaseWords(limit: 500)
            if n == 0 { break }
            indexed += n
        }
        if indexed > 0 {
            let seconds = Date().timeIntervalSince(indexing)
            print("search index: \(indexed) cases in \(String(format: "%.1f", seconds)) s, \(String(format: "%.0f", seconds * 1e6 / Double(indexed))) µs a case (batches of 500)")
        }
        let counts = try await hotline.database.tableCounts()
        let size = (try FileManager.default.attributesOfItem(atPath: database)[.size] as? Int ?? 0) / 1_048_576
        print("database \(database): \(counts.cases) cases, \(counts.messages) messages, \(counts.caseEvents) audit-trail entries, \(size) MiB")
        let staff = StaffAccounts(hotline, cost: 4)
        if try await hotline.database.staffUser(login: "bench-coordinator") == nil {
            _ = try await staff.add(login: "bench-coordinator", name: "bench", role: .coordinator, studios: ["xujiawan"])
            _ = try await staff.add(login: "bench-auditor", name: "bench", role: .auditor, studios: [])
        }
        let coordinator = try await staff.issueToken(login: "bench-coordinator", days: 1).token
        let auditor = try await staff.issueToken(login: "bench-auditor", days: 1).token
        let backupOnly = clients == 0 && backupTo != nil
        if !backupOnly {
            try await explain(hotline.database)
            try await inProcess(hotline)
        }

        let port = try await withCheckedThrowingContinuation { (started: CheckedContinuation<Int, Error>) in
            let app = buildApplication(parts: hotline, senders: nil, port: 0, onServerRunning: { port in started.resume(returning: port) })
            Task { try await app.runService(gracefulShutdownSignals: []) }
        }
        // `--clients 0 --backup-to DIR`: the backup's stall alone.
        if backupOnly, let backupTo { try await backupStall(port: port, to: backupTo); return }
        var water = CaseFilter(studios: ["xujiawan"])
        water.topic = Topic("water")
        // The API's cursor below the 5,000th case (AdminRequest.writeCursor's form: r<ms>_<id>).
        let deep: String
        switch try await hotline.database.cases(water, now: Self.now, cursor: nil, limit: 5_000).nextCursor {
        case let .before(received, id)?: deep = "r\(Int64((received.timeIntervalSince1970 * 1000).rounded()))_\(id)"
        default: deep = ""   // fewer than 5,000: the first page
        }
        let queries: [(String, String, String)] = [
            ("cases: studio + open states, first page of 50", "/api/v1/cases?studio=xujiawan&state=assigned,accepted,replied&limit=50", coordinator),
            ("cases: studio + topic, a page 5,000 cases deep", "/api/v1/cases?studio=xujiawan&topic=water&limit=50&\(deep.isEmpty ? "" : "cursor=" + deep)", coordinator),
            ("cases: member + closed + received in June", "/api/v1/cases?member=M3&state=closed&from=2026-06-01&to=2026-07-01&limit=50", coordinator),
            ("cases: overdue, all studios", "/api/v1/cases?overdue=true&limit=50", auditor),
            ("cases: area + intent", "/api/v1/cases?area=%E7%87%95%E6%9D%91&intent=question&limit=50", coordinator),
            ("cases: text search 停水 (1 case in 10 has it)", "/api/v1/cases?q=%E5%81%9C%E6%B0%B4&limit=50", coordinator),
            ("a state no case is in (reopened)", "/api/v1/cases?studio=xujiawan&state=reopened&limit=50", coordinator),
            ("worst case: text search for words no case has: every case of the studio read", "/api/v1/cases?studio=xujiawan&q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E8%AF%8D&limit=50", coordinator),
            ("one case with messages and audit trail", "/api/v1/cases/xujiawan/\(cases / 3)", coordinator),
            ("monthly report, one studio (JSON)", "/api/v1/reports/month?month=2026-11&studio=xujiawan", coordinator),
            ("monthly report, every studio (JSON)", "/api/v1/reports/month?month=2026-11", auditor),
            ("monthly report, one studio (CSV)", "/api/v1/reports/month?month=2026-11&studio=xujiawan&format=csv", coordinator),
        ]
        print("\nover HTTP on 127.0.0.1, one request at a time, \(requests) timed after 3 untimed; milliseconds")
        print("| request | median | p90 | max | bytes |")
        print("|---|---:|---:|---:|---:|")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        for (name, path, token) in queries {
            var times: [Double] = []
            var bytes = 0
            for i in 0..<(requests + 3) {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                let start = DispatchTime.now().uptimeNanoseconds
                let response = try await client.execute(request, timeout: .seconds(30))
                let body = try await response.body.collect(upTo: 16 << 20)
                let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                guard response.status == .ok else { throw ValidationError("\(path): \(response.status) \(String(buffer: body))") }
                bytes = body.readableBytes
                if i >= 3 { times.append(ms) }
            }
            times.sort()
            let f = { String(format: "%.1f", $0) }
            print("| \(name) | \(f(times[times.count / 2])) | \(f(times[times.count * 9 / 10])) | \(f(times.last!)) | \(bytes) |")
        }
        try await client.shutdown()
        guard clients > 0 else { return }
        let api = { (t: String) in ("Authorization", "Bearer \(t)") }
        let cookie = { (t: String) in ("Cookie", "hl_session=\(t)") }
        var pages = queries.map { (name: $0.0, path: $0.1, header: api($0.2)) }
        pages += [("dashboard: today", "/dashboard", cookie(coordinator)), ("dashboard: the board", "/dashboard/cases", cookie(coordinator)),
                  ("dashboard: overdue by deadline", "/dashboard/cases?overdue=true&sort=deadline", cookie(coordinator)),
                  ("dashboard: a case", "/dashboard/cases/xujiawan/\(cases / 3)", cookie(coordinator)),
                  ("dashboard: members", "/dashboard/members", cookie(coordinator)), ("dashboard: notices", "/dashboard/notices", cookie(coordinator)),
                  ("dashboard: the month's report", "/dashboard/reports?month=2026-11", cookie(coordinator)),
                  ("dashboard: today, every studio (auditor)", "/dashboard", cookie(auditor))]
        try await AdminLoad(port: port, clients: clients, seconds: loadSeconds, intakeRate: intakeRate, rounds: loadRounds, pages: pages).run()
        if let backupTo { try await backupStall(port: port, to: backupTo) }
    }

    func backupStall(port: Int, to folder: String) async throws {
        let file = (folder as NSString).appendingPathComponent(BackupSchedule.name(Date()))
        try await AdminLoad(port: port, clients: 0, seconds: 10, intakeRate: intakeRate, rounds: 0, pages: []).backupStall(database: database, to: file)
        try? FileManager.default.removeItem(atPath: file)
    }

    /// The month report's parts in process (no HTTP, no JSON): where its time goes.
    func inProcess(_ hotline: HotlineParts) async throws {
        func time(_ name: String, _ work: () async throws -> Int) async throws {
            var times: [Double] = []
            var n = 0
            for _ in 0..<15 {
                let start = DispatchTime.now().uptimeNanoseconds
                n = try await work()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            times.sort()
            print("- \(name): \(n) rows, median \(String(format: "%.1f", times[times.count / 2])) ms")
        }
        print("\nin process, median of 15:")
        let spans = try MonthReport.spans("2026-11", studios: ["xujiawan"], deployment: hotline.settings.deployment)
        try await time("month's rate facts, one studio (read)") { try await hotline.database.caseFacts(received: spans).count }
        try await time("overdue list, one studio (read)") { try await hotline.database.overdueList(now: Self.now, studios: ["xujiawan"]).count }
        try await time("MonthReport.make, one studio") { try await MonthReport.make(month: "2026-11", studios: ["xujiawan"], from: Reports(hotline)).lines.count }
        let report = try await MonthReport.make(month: "2026-11", studios: ["xujiawan"], from: Reports(hotline))
        try await time("its JSON") { report.json().utf8.count }
        try await time("its CSV") { report.csv().count }
        let every = hotline.settings.deployment.studios.map(\.id)
        try await time("the month's tallies summed, every studio") { try await hotline.database.tallyBreakdown(month: "2026-11", studios: every).byMember.count }
        try await time("overdue list, every studio (read)") { try await hotline.database.overdueList(now: Self.now, studios: every).count }
        try await time("MonthReport.make, every studio") { try await MonthReport.make(month: "2026-11", studios: nil, from: Reports(hotline)).lines.count }
        let year = (1...11).map { String(format: "2026-%02d", $0) }
        try await time("the 12-month trend's totals, every studio") { try await hotline.database.monthTotals(months: year, studios: every).count }
        var late = CaseFilter(studios: every)
        late.overdue = true
        try await time("cases: overdue, every studio, first page of 50 (read)") { try await hotline.database.cases(late, now: Self.now, cursor: nil, limit: 50).cases.count }
        let all = try await MonthReport.make(month: "2026-11", studios: nil, from: Reports(hotline))
        try await time("its JSON") { all.json().utf8.count }
    }

    /// The plans SQLite chooses for the list and report queries: the SQL storage runs for them.
    func explain(_ database: AppDatabase) async throws {
        func filter(_ change: (inout CaseFilter) -> Void) -> CaseFilter {
            var f = CaseFilter(studios: ["xujiawan"])
            change(&f)
            return f
        }
        let calendar = { var c = Calendar(identifier: .gregorian); c.timeZone = TimeZone(identifier: "UTC")!; return c }()
        let june = calendar.date(from: DateComponents(year: 2026, month: 6, day: 1))!
        let july = calendar.date(from: DateComponents(year: 2026, month: 7, day: 1))!
        let plans: [(String, PlannedQuery)] = [
            ("cases: studio + open states", .caseList(filter { $0.states = [.assigned, .accepted, .replied] }, cursor: nil, limit: 50)),
            ("cases: studio + topic, below a cursor", .caseList(filter { $0.topic = Topic("water") }, cursor: .before(received: Date(timeIntervalSince1970: 1_780_000_000), id: 100_000), limit: 50)),
            ("cases: member + closed + received in June", .caseList(filter {
                $0.member = "M3"; $0.states = [.closed]; $0.receivedFrom = june; $0.receivedBefore = july
            }, cursor: nil, limit: 50)),
            ("cases: overdue, two studios", .caseList(filter { $0.studios = ["xujiawan", "xinjiang"]; $0.overdue = true }, cursor: nil, limit: 50)),
            ("a month's rate facts, one studio", .caseFacts(studio: "xujiawan", from: Self.now.addingTimeInterval(-30 * 86_400), to: Self.now)),
            ("overdue list, one studio", .overdue(studios: ["xujiawan"], limit: 500)),
        ]
        print("\nquery plans:")
        for (name, query) in plans {
            print("- \(name): \(try await database.queryPlan(query, now: Self.now).joined(separator: "; "))")
        }
    }

    /// The configuration folder: `config`, or with `studios` a copy with copies of xujiawan added
    /// (ids s03…, hotline numbers 1069103…, members' numbers of their own) up to that many studios.
    func configuration() throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: config + "/studios").filter { $0.hasSuffix(".yaml") }
        guard studios > names.count else { return config }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-bench-config-\(studios)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.copyItem(atPath: config, toPath: dir.path)
        let template = try String(contentsOfFile: config + "/studios/xujiawan.yaml", encoding: .utf8)
        for n in (names.count + 1)...studios {
            let id = String(format: "s%02d", n)
            let copy = template.replacingOccurrences(of: "id: xujiawan", with: "id: \(id)")
                .replacingOccurrences(of: "10690001", with: String(format: "106910%02d", n))
                .replacingOccurrences(of: "+8613800000", with: String(format: "+86138%03d00", n))
                .replacingOccurrences(of: "+8613900000", with: String(format: "+86139%03d00", n))
            try copy.write(to: dir.appendingPathComponent("studios/\(id).yaml"), atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    /// A year of cases to `now`, with their messages and audit trails, imported through storage's
    /// door in batches.
    func seed(_ hotline: HotlineParts) async throws {
        let deployment = hotline.settings.deployment
        // The first studio (by the demo's ids, xujiawan) gets 70% of the cases.
        let studios = deployment.studios.sorted { ($0.id == "xujiawan" ? 0 : 1, $0.id) < ($1.id == "xujiawan" ? 0 : 1, $1.id) }
        let total = cases
        let perCase = messagesPerCase
        let texts = ["小区停水三天了,一直没人管", "燕村的路坑坑洼洼,下雨天根本走不了", "楼上装修天天噪音到晚上十一点", "物业乱收费,停车费一年涨了两次",
                     "医保异地就医怎么报销?", "公司拖欠工资三个月了", "孩子上小学需要准备哪些材料", "污水直接排到河里", "暖气不热", "路灯坏了好几天"]
        var rng = Workload.Random(state: 2026)
        var numbers: [String: Int] = [:]
        let year: TimeInterval = 365 * 86_400
        let topics = TopicCatalog.standard.ids
        var batch: [CaseHistory] = []
        for i in 0..<total {
            let studio = rng.below(10) < 7 || studios.count == 1 ? studios[0] : studios[studios.count == 2 ? 1 : 1 + rng.below(studios.count - 1)]
            let members = studio.roster.filter { $0.role == .member }
            let member = members[rng.below(members.count)]
            let area = studio.areas[rng.below(studio.areas.count)].id
            let created = Self.now.addingTimeInterval(-year + year * Double(i) / Double(total))
            let age = Self.now.timeIntervalSince(created)
            let number = (numbers[studio.id] ?? 0) + 1
            numbers[studio.id] = number
            let topic = topics[rng.below(topics.count)]
            let intent = rng.below(5) == 0 ? Intent.question : .complaint
            let phone = "+86137" + String(format: "%08d", rng.below(100_000_000))
            // Recent cases are still open; older ones closed (1 in 12 unresolved), most answered the survey.
            let open = age < 10 * 86_400 && rng.below(3) > 0
            let accepted: Date? = open && rng.below(3) == 0 ? nil : created.addingTimeInterval(Double(600 + rng.below(6 * 3600)))
            let state: CaseState = open ? (accepted == nil ? .assigned : .accepted) : (rng.below(4) == 0 ? .closed : .surveyed)
            let closed: Date? = open ? nil : created.addingTimeInterval(Double(86_400 + rng.below(5 * 86_400)))
            let outcome: CaseOutcome? = open ? nil : (rng.below(12) == 0 ? .unresolved : (rng.below(20) == 0 ? .proposal : .resolved))
            let satisfaction: Satisfaction? = state == .surveyed ? [.satisfied, .satisfied, .basicallySatisfied, .unsatisfied][rng.below(4)] : nil
            let text = texts[rng.below(texts.count)] + "(\(area))"
            let progress = CaseProgress(state: state, assignee: member.id, outcome: outcome, outcomeNote: outcome.map { _ in "已处理" },
                                        acceptedAt: accepted, firstReplyAt: accepted, closedAt: closed, acceptDue: created.addingTimeInterval(4 * 3600),
                                        replyDue: accepted.map { $0.addingTimeInterval(2 * 86_400) }, closeDue: created.addingTimeInterval(7 * 86_400),
                                        satisfaction: satisfaction, surveyState: state == .surveyed ? .answered : nil)
            // The case page shows each case's classification: a stored one as intake writes it.
            let record = CaseRecord(studioId: studio.id, number: number, residentPhone: phone, intent: intent, topic: topic, area: area,
                                    areaSource: .text, routingReason: .linkedArea, routingExplanation: "seeded",
                                    classification: Classification(intent: intent, topic: topic, score: 1, matches: []).jsonText,
                                    text: text, createdAt: created, updatedAt: closed ?? accepted ?? created, progress: progress)
            let hotlineNumber = studio.hotlineNumbers.first ?? "10690001"
            var messages = [MessageRecord(studioId: studio.id, direction: .inbound, channel: "json", from: phone, to: hotlineNumber,
                                          text: text, status: .received, createdAt: created)]
            for k in 1..<max(1, perCase) {
                messages.append(MessageRecord(studioId: studio.id, direction: .outbound, channel: "json", from: hotlineNumber,
                                              to: k % 2 == 0 ? member.phone : phone, text: "【徐家湾委员工作室】您的诉求已收到,编号\(number)",
                                              status: .delivered, kind: k % 2 == 0 ? .memberNotice : .caseUpdate,
                                              createdAt: created.addingTimeInterval(Double(k))))
            }
            var events = [CaseEventRecord(at: created, actor: "resident", kind: .opened, detail: "\(intent.rawValue)/\(topic.rawValue)"),
                          CaseEventRecord(at: created, actor: "system", kind: .assigned, detail: "\(member.id): linked-area")]
            if let closed { events.append(CaseEventRecord(at: closed, actor: member.id, kind: .closed, detail: "\(outcome!.rawValue): 已处理")) }
            batch.append(CaseHistory(record: record, messages: messages, events: events))
            if batch.count == 5_000 {
                try await hotline.database.importHistory(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try await hotline.database.importHistory(batch)
        try await hotline.database.refreshStatistics()
    }
}
