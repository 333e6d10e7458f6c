import Foundation
import HotlineChannels
import HotlineCore
import HotlineStorage
import Hummingbird

/// The dashboard's pages: today, the cases board, a case, members, notices, reports.
extension Dashboard {
    func registerPages(on router: Router<HotlineRequestContext>) {
        router.get("/dashboard") { request, _ in await page(request) { p in try await today(p) } }
        router.get("/dashboard/cases") { request, _ in await page(request) { p in try await board(request, p) } }
        router.get("/dashboard/cases/:studio/:number") { request, context in await page(request) { p in try await casePage(p, context) } }
        router.get("/dashboard/members") { request, _ in await page(request) { p in try await membersPage(p) } }
        router.get("/dashboard/notices") { request, _ in await page(request) { p in try await noticesPage(p, preview: nil) } }
        router.get("/dashboard/notices/:studio/:number") { request, context in await page(request) { p in try await noticePage(p, context) } }
        router.get("/dashboard/reports") { request, _ in await page(request) { p in try await reportsPage(request, p) } }
        router.get("/dashboard/reports.csv") { request, _ in
            await page(request) { p in
                try access.notMember(p.user, "reports")
                let (month, studios) = try reportScope(request, p.user)
                var headers = HTTPFields()
                headers[.contentType] = "text/csv; charset=utf-8"
                headers[.contentDisposition] = "attachment; filename=\"hotline-\(month).csv\""
                return Response(status: .ok, headers: headers,
                                body: .init(byteBuffer: ByteBuffer(bytes: try await MonthReport.make(month: month, studios: studios, from: reports).csv())))
            }
        }
    }

    /// The month asked for (default: this month in the first studio's calendar) and the account's studios (nil: all, for auditors).
    func reportScope(_ request: Request, _ user: StaffUser) throws -> (String, [String]?) {
        try AdminRequest.reportScope(request, user, access: access, defaultMonth: thisMonth())
    }

    /// A topic's name from the rule table's catalog, in the page's language.
    func topicName(_ t: Topic, _ lang: String) -> String {
        let topics = rules.topics
        return lang == "en" ? topics.englishName(t) : topics.name(t)
    }

    var zone: TimeZone { deployment.studios.first?.timeZone ?? TimeZone(identifier: "UTC")! }

    func thisMonth(offset: Int = 0) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let d = calendar.date(byAdding: .month, value: offset, to: clock.now())!
        let c = calendar.dateComponents([.year, .month], from: d)
        return String(format: "%04d-%02d", c.year!, c.month!)
    }

    /// `11-26 10:00` in the studios' zone.
    func short(_ date: Date?) -> String {
        guard let date else { return "" }
        // Civil-time arithmetic at the zone's offset then: a DateFormatter made for each row
        // (ICU's formatter opened every time) was a sixth of the board's time.
        let local = date.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: date))
        let c = CivilTime(milliseconds: Int64((local * 1000).rounded(.down)))
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute))"
    }

    /// A case as a row of a list, from the one view of a case the API answers with (``CaseView``).
    func row(_ c: CaseRecord, _ p: Page) -> CaseRow {
        let v = casebook.view(c, for: p.user)
        return CaseRow(
            ref: v.ref, href: "/dashboard/cases/\(c.studioId)/\(c.number)", state: DashboardText.state(c.state, p.lang),
            topic: topicName(c.topic, p.lang), intent: DashboardText.intent(c.intent, p.lang), area: v.area ?? "-", member: v.memberName ?? "-",
            received: short(v.receivedAt), deadline: v.nextDeadline.map { short($0.due) } ?? "", overdue: v.overdue, text: String(c.text.prefix(60)))
    }

    // MARK: today

    func today(_ p: Page) async throws -> Response {
        let studios = try access.studios(p.user, asked: nil)
        let now = clock.now()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let member = p.user.role == .member ? (p.user.rosterId ?? "-") : nil
        // Each studio's own day (its time zone) and reminder window (its sla.remind_before_hours).
        func remindUntil(_ studio: String) -> Date {
            now.addingTimeInterval((deployment.studio(id: studio)?.sla.remindBeforeHours ?? 4) * 3600)
        }
        var counts = TodayCounts()
        for id in studios {
            var local = Calendar(identifier: .gregorian)
            local.timeZone = deployment.studio(id: id)?.timeZone ?? zone
            let c = try await database.todayCounts(studios: [id], member: member, dayStart: local.startOfDay(for: now), now: now,
                                                           riskUntil: remindUntil(id))
            counts.receivedToday += c.receivedToday
            counts.unassigned += c.unassigned
            counts.awaitingAcceptance += c.awaitingAcceptance
            counts.overdue += c.overdue
            counts.atRisk += c.atRisk
            counts.failedOutbound += c.failedOutbound
        }
        var overdue = CaseFilter(studios: studios)
        overdue.member = member
        overdue.overdue = true
        overdue.sort = .deadline
        var risk = overdue
        risk.overdue = false
        let late = try await database.cases(overdue, now: now, cursor: nil, limit: 10).cases
        let soon = try await database.cases(risk, now: now, cursor: nil, limit: 10).cases
            .filter { ($0.progress.currentDeadline?.due ?? .distantFuture) < remindUntil($0.studioId) }
        let t = p.t
        let tiles: [TodayModel.Tile] = [
            .init(label: t.receivedToday, count: counts.receivedToday, href: "/dashboard/cases?from=\(Listings.isoString(calendar.startOfDay(for: now)))", id: "received-today"),
            .init(label: t.unassigned, count: counts.unassigned, href: "/dashboard/cases?state=received", id: "unassigned"),
            .init(label: t.awaiting, count: counts.awaitingAcceptance, href: "/dashboard/cases?state=assigned", id: "awaiting"),
            .init(label: t.overdue, count: counts.overdue, href: "/dashboard/cases?overdue=true&sort=deadline", id: "overdue", alert: counts.overdue > 0),
            .init(label: t.atRisk, count: counts.atRisk, href: "/dashboard/cases?overdue=false&sort=deadline&state=received,assigned,accepted,replied,reopened,with-department", id: "at-risk"),
            .init(label: t.failedOutbound, count: counts.failedOutbound, href: "#failed-list", id: "failed", alert: counts.failedOutbound > 0),
        ]
        // Failed texts with the case they belong to and a resend button (not for members or auditors).
        var failed: [TodayModel.FailedText] = []
        if member == nil {
            let entries = try await database.outbox(status: .failed, studios: studios, limit: 20)
            let numbers = try await database.caseNumbers(ids: entries.compactMap(\.message.caseId))
            for e in entries {
                let ref = e.message.caseId.flatMap { numbers[$0] }
                var item = TodayModel.FailedText(to: access.showsPhones(p.user) ? e.message.toNumber : PhoneNumber.mask(e.message.toNumber),
                                                 text: String(e.message.text.prefix(60)), error: e.outbox.lastError ?? "", at: short(e.outbox.updatedAt))
                if let ref { item.ref = "\(ref.studio)-\(ref.number)"; item.href = "/dashboard/cases/\(ref.studio)/\(ref.number)" }
                if p.user.role != .auditor {
                    item.resend = "/dashboard/outbox/\(e.outbox.id ?? 0)/resend" + (ref.map { "?back=\($0.studio)/\($0.number)" } ?? "")
                }
                failed.append(item)
            }
        }
        return render(p, TodayModel(t: t, csrf: p.csrf, tiles: tiles, overdue: late.map { row($0, p) }, atRisk: soon.map { row($0, p) }, failed: failed),
                      title: t.today)
    }

    // MARK: cases

    func board(_ request: Request, _ p: Page) async throws -> Response {
        let (filter, cursor, limit) = try AdminRequest.caseQuery(request, p.user, access: access, topics: rules.topics)
        let page = try await database.cases(filter, now: clock.now(), cursor: cursor, limit: limit)
        var next: String?
        if let c = page.nextCursor {
            var items = request.uri.queryParameters.filter { $0.key != "cursor" }.map { "\($0.key)=\(FormFields.encode(String($0.value)))" }
            items.append("cursor=\(AdminRequest.writeCursor(c))")
            next = "/dashboard/cases?" + items.joined(separator: "&")
        }
        let q = request.uri.queryParameters
        func value(_ k: String) -> String { q[Substring(k)].map(String.init) ?? "" }
        let studioOptions = deployment.studios.filter { p.user.serves($0.id) }
        let members = studioOptions.flatMap { s in s.roster.map { Choice(id: $0.id, name: "\($0.name) (\(s.id)/\($0.id))", selected: value("member") == $0.id) } }
        var sortFlip = request.uri.queryParameters.filter { $0.key != "sort" && $0.key != "cursor" }.map { "\($0.key)=\(FormFields.encode(String($0.value)))" }
        sortFlip.append("sort=\(filter.sort == .deadline ? "received" : "deadline")")
        return render(p, BoardModel(
            t: p.t, csrf: p.csrf, cases: page.cases.map { row($0, p) }, next: next,
            studios: studioOptions.map { Choice(id: $0.id, name: $0.name, selected: value("studio") == $0.id) },
            states: CaseState.allCases.map { Choice(id: $0.rawValue, name: DashboardText.state($0, p.lang), selected: value("state") == $0.rawValue) },
            topics: rules.topics.ids.map { Choice(id: $0.rawValue, name: topicName($0, p.lang), selected: value("topic") == $0.rawValue) },
            intents: Intent.allCases.map { Choice(id: $0.rawValue, name: DashboardText.intent($0, p.lang), selected: value("intent") == $0.rawValue) },
            members: members, area: value("area"), from: value("from"), to: value("to"), q: value("q"),
            overdueChecked: value("overdue") == "true", sortHref: "/dashboard/cases?" + sortFlip.joined(separator: "&"),
            sortLabel: filter.sort == .deadline ? p.t.sortReceived : p.t.sortDeadline), title: p.t.cases)
    }

    func casePage(_ p: Page, _ context: HotlineRequestContext) async throws -> Response {
        let (c, messages, events) = try await casebook.detail(p.user, studio: context.parameters.get("studio") ?? "", number: try AdminRequest.number(context))
        let studio = deployment.studio(id: c.studioId)
        let shows = access.showsPhones(p.user)
        let failed = Dictionary(try await database.failedOutbox(caseID: c.id!).map { ($0.message, $0.outbox) }) { a, _ in a }
        let chat: [CaseModel.Bubble] = messages.compactMap { m in
            let toResident = m.direction == .outbound && m.toNumber == c.residentPhone
            let who: String
            let side: String
            if m.direction == .inbound, m.fromNumber == c.residentPhone {
                who = p.t.resident
                side = "resident"
            } else if m.direction == .inbound {
                // A member's or liaison's command about the case.
                who = (studio?.person(phone: m.fromNumber)?.name ?? (shows ? m.fromNumber : PhoneNumber.mask(m.fromNumber))) + " →"
                side = "staff"
            } else if toResident && m.kind == .memberReply {
                who = c.assigneeId.flatMap { studio?.person($0)?.name } ?? p.t.member
                side = "member"
            } else if toResident {
                who = p.t.studioVoice
                side = "studio"
            } else {
                // To a member or liaison: shown small, with whom it went to.
                who = "→ " + (studio?.person(phone: m.toNumber)?.name ?? (shows ? m.toNumber : PhoneNumber.mask(m.toNumber)))
                side = "staff"
            }
            var bubble = CaseModel.Bubble(who: who, side: side, text: m.text, at: short(m.createdAt), status: DashboardText.messageStatus(m.status.rawValue, p.lang))
            if let outbox = failed[m.id ?? -1], p.user.role != .auditor { bubble.resend = "/dashboard/outbox/\(outbox)/resend?back=\(c.studioId)/\(c.number)" }
            return bubble
        }
        // The rule's file and line, without the server's folders.
        let matches = casebook.classification(c).matches.map { m in
            CaseModel.Match(rule: m.rule, words: m.words.joined(separator: "、"), location: m.location.split(separator: "/").last.map(String.init) ?? "")
        }
        let done = Set(events.filter { $0.eventKind == .mediation }.compactMap { $0.detail?.first.map(String.init) })
        let mediation = c.topic == .neighbour ? MediationStep.allCases.map { CaseModel.Step(step: $0.rawValue, done: done.contains($0.rawValue)) } : []
        let writable = p.user.role != .auditor && c.state.isOpen
        let targets = (studio?.roster.filter { $0.id != c.assigneeId }.map { Choice(id: $0.id, name: "\($0.name) (\($0.id))") } ?? [])
            + (studio?.departments.map { Choice(id: $0.name, name: $0.name) } ?? [])
        let deadline: String = c.progress.currentDeadline.map { "\(p.t.deadline($0.kind)) \(short($0.due))" } ?? ""
        let routing = DashboardText.routing(c, studio, deployment, topic: topicName(c.topic, p.lang), p.lang)
        let view = casebook.view(c, for: p.user)
        return render(p, CaseModel(
            t: p.t, csrf: p.csrf, ref: "\(c.studioId)-\(c.number)", base: "/dashboard/cases/\(c.studioId)/\(c.number)", version: c.version,
            state: DashboardText.state(c.state, p.lang), topic: topicName(c.topic, p.lang), intent: DashboardText.intent(c.intent, p.lang),
            area: view.area ?? "-", member: view.memberName ?? "-", resident: view.resident, received: short(view.receivedAt),
            deadline: deadline, routing: routing,
            outcome: c.outcome.map { DashboardText.outcome($0, p.lang) + (c.outcomeNote.map { ":\($0)" } ?? "") },
            matches: matches, chat: chat, mediation: mediation, isNeighbour: c.topic == .neighbour,
            events: events.map {
                CaseModel.Event(at: short($0.at), actor: DashboardText.actor($0.actor, studio, p.lang), kind: DashboardText.eventKind($0.kind, p.lang),
                                detail: p.lang == "en" ? $0.detail ?? "" : AuditTrailText.detail($0.eventKind, $0.detail ?? "", studio: studio, topics: rules.topics))
            },
            writable: writable, canNote: p.user.role != .auditor, targets: targets,
            outcomes: CaseOutcome.allCases.filter { $0 != .transferred }.map { Choice(id: $0.rawValue, name: DashboardText.outcome($0, p.lang)) }),
            title: "\(p.t.case) \(c.studioId)-\(c.number)")
    }

    // MARK: members

    func membersPage(_ p: Page) async throws -> Response {
        let studios = try access.studios(p.user, asked: nil)
        let month = thisMonth()
        // The month's counts per member, summed in SQL (not the whole report: 40 studios' tallies).
        let totals = try await database.tallyBreakdown(month: month, studios: studios).byMember
        func pct(_ r: Rate?) -> String { r?.value.map { String(format: "%.1f%%", $0 * 100) } ?? "–" }
        let rows = try await casebook.members(p.user, studios: studios).map { m in
            let rates = totals[.init(studio: m.studio, assignee: m.id)]?.rates
            return MembersModel.Row(
                name: m.name, id: m.id, studio: m.studio, studioName: deployment.studio(id: m.studio)?.name ?? m.studio,
                role: DashboardText.role(m.role, p.lang), sector: DashboardText.sector(m.sector, deployment, p.lang),
                areas: m.areas.joined(separator: "、"), open: m.openCases, overdue: m.overdueCases,
                leave: m.onLeave ? (m.leaveUntil.map { short($0) } ?? p.t.onLeave) : "",
                queue: "/dashboard/cases?studio=\(m.studio)&member=\(m.id)&state=assigned,accepted,replied,reopened,with-department&sort=deadline",
                response: pct(rates?.response), resolution: pct(rates?.resolution), satisfaction: pct(rates?.satisfaction))
        }
        return render(p, MembersModel(t: p.t, csrf: p.csrf, members: rows, month: month), title: p.t.members)
    }

    // MARK: notices

    func noticesPage(_ p: Page, preview: NoticesModel.Preview?) async throws -> Response {
        try access.notMember(p.user, "notices")
        var list: [NoticesModel.Row] = []
        for id in try access.studios(p.user, asked: nil) {
            for n in try await database.notices(studio: id, limit: 100) {
                let t = try await database.noticeTally(noticeID: n.id!)
                list.append(.init(ref: "\(n.studioId)-\(n.number)", href: "/dashboard/notices/\(n.studioId)/\(n.number)", title: n.title,
                                  kind: p.t.noticeKind(n.kind), state: DashboardText.noticeState(n.state, p.lang), sendAt: short(n.sendAt),
                                  coming: t.coming, declined: t.declined, noAnswer: t.noAnswer))
            }
        }
        let ids = try access.studios(p.user, asked: nil)
        let served = ids.compactMap(deployment.studio(id:))
        let several = served.count > 1
        // With several studios, each choice says whose it is; the studio picked must have it.
        let areas = served.flatMap { studio in studio.areas.map { Choice(id: $0.id, name: several ? "\($0.id)(\(studio.name))" : $0.id) } }
        let rolls = try await database.rolls().filter { ids.contains($0.studio) }
            .map { Choice(id: $0.name, name: "\($0.name)(\($0.count))" + (several ? " \(deployment.studio(id: $0.studio)?.name ?? $0.studio)" : "")) }
        return render(p, NoticesModel(t: p.t, csrf: p.csrf, notices: list, canCreate: p.user.role != .auditor,
                                      studios: served.map { Choice(id: $0.id, name: $0.name) }, areas: areas,
                                      sectors: deployment.sectors.map { Choice(id: $0.id, name: p.lang == "en" ? $0.id : $0.name) },
                                      rolls: rolls, preview: preview),
                      title: p.t.notices)
    }

    func noticePage(_ p: Page, _ context: HotlineRequestContext) async throws -> Response {
        try access.notMember(p.user, "notices")
        let studio = try access.studio(p.user, context.parameters.get("studio") ?? "")
        let number = try AdminRequest.number(context)
        guard let n = try await database.notice(studio: studio.id, number: number) else {
            throw APIError(.notFound, "no notice \(number) in studio '\(studio.id)'")
        }
        let tally = try await database.noticeTally(noticeID: n.id!)
        let shows = access.showsPhones(p.user)
        let people = try await database.noticeRecipients(noticeID: n.id!).map { r, status in
            NoticeModel.Person(name: r.name ?? "", phone: shows ? r.phone : PhoneNumber.mask(r.phone), role: DashboardText.role(r.role, p.lang), area: r.area ?? "",
                               status: DashboardText.messageStatus(r.skipReason?.rawValue ?? status ?? "", p.lang),
                               answer: r.rsvp.map { $0 == .coming ? p.t.coming : p.t.declined } ?? p.t.noAnswer, note: r.rsvpNote ?? "")
        }
        return render(p, NoticeModel(
            t: p.t, csrf: p.csrf, ref: "\(n.studioId)-\(n.number)", title: n.title, text: n.text, state: DashboardText.noticeState(n.state, p.lang),
            sendAt: short(n.sendAt), meetingAt: short(n.meetingAt), place: n.place ?? "", audience: n.audience.split(separator: "\n").joined(separator: "; "),
            seats: tally.rows.map { .init(role: $0.role, coming: $0.coming, declined: $0.declined, noAnswer: $0.noAnswer) },
            coming: tally.coming, declined: tally.declined, noAnswer: tally.noAnswer, people: people,
            cancellable: n.state == .sent && p.user.role != .auditor, cancelHref: "/dashboard/notices/\(n.studioId)/\(n.number)/cancel"),
            title: "\(p.t.notices) \(n.studioId)-\(n.number)")
    }

    // MARK: reports

    func reportsPage(_ request: Request, _ p: Page) async throws -> Response {
        try access.notMember(p.user, "reports")
        let (month, studios) = try reportScope(request, p.user)
        // The page shows no overdue list (the board does): not read.
        let report = try await MonthReport.make(month: month, studios: studios, from: reports, withOverdue: false)
        // The three rates over the twelve months to the one shown.
        let (year, number) = MonthReport.parse(month)!
        var labels: [String] = []
        var series = [SVGChart.Series(name: p.t.responseRate, values: []), SVGChart.Series(name: p.t.resolutionRate, values: []),
                      SVGChart.Series(name: p.t.satisfactionRate, values: [])]
        let months = (0..<12).reversed().map { back in
            let total = year * 12 + (number - 1) - back
            return String(format: "%04d-%02d", total / 12, total % 12 + 1)
        }
        // The earlier months' totals in one read of the tallies (a month's whole report each took 4 ms on a big district).
        let totals = try await database.monthTotals(months: Array(months.dropLast()), studios: studios ?? deployment.studios.map(\.id))
        for m in months {
            let r = m == month ? report.overall : (totals[m] ?? TallyCounts()).rates
            labels.append(String(m.suffix(5)))
            series[0].values.append(r.response.value.map { $0 * 100 })
            series[1].values.append(r.resolution.value.map { $0 * 100 })
            series[2].values.append(r.satisfaction.value.map { $0 * 100 })
        }
        func bars(_ dimension: String, _ title: String) -> String {
            let lines = report.lines.filter { $0.dimension == dimension }
            guard !lines.isEmpty else { return "" }
            let keys = lines.map { dimension == "topic" ? (topicName(Topic($0.key), p.lang)) : $0.key }
            return SVGChart.bars(title: "\(title) \(month)", labels: keys, series: [
                .init(name: p.t.responseRate, values: lines.map { $0.rates.response.value.map { $0 * 100 } }),
                .init(name: p.t.resolutionRate, values: lines.map { $0.rates.resolution.value.map { $0 * 100 } }),
                .init(name: p.t.satisfactionRate, values: lines.map { $0.rates.satisfaction.value.map { $0 * 100 } }),
            ], maxValue: 100)
        }
        // Cases per week of the month by topic and by area (weeks start on Monday, each studio's calendar), from the tallies.
        let counts = report.weeks
        let weekStarts = Array(Set(counts.map(\.week))).sorted()
        let weeks = weekStarts.map { String($0.suffix(5)) }
        func volume(_ key: (MonthReport.WeekCount) -> String) -> [ReportsModel.Volume] {
            var cells: [String: [String: Int]] = [:]
            for c in counts { cells[key(c), default: [:]][c.week, default: 0] += c.cases }
            return cells.keys.sorted().map { k in .init(key: k, counts: weekStarts.map { w in .init(n: cells[k]?[w] ?? 0) }) }
        }
        var perWeek: [String: Int] = [:]
        for c in counts { perWeek[c.week, default: 0] += c.cases }
        let weekly = SVGChart.bars(title: "\(p.t.volumeByWeek) \(month)", labels: weeks,
                                   series: [.init(name: p.t.cases_count, values: weekStarts.map { Double(perWeek[$0] ?? 0) })], unit: "")
        // A big studio's month has thousands of escalations: the page lists the first hundred.
        // The account's studios only (one of two studios' coordinator saw every studio's digest).
        let digest = try await MonthDigest.make(month: month, studios: studios, from: reports, escalationLimit: 100)
        func pct(_ r: Rate) -> String { r.value.map { String(format: "%.1f%%", $0 * 100) } ?? "–" }
        let o = report.overall
        func change(_ c: Int) -> String { (c >= 0 ? "+" : "") + String(c) }
        return render(p, ReportsModel(
            t: p.t, csrf: p.csrf, month: month, cases: o.cases,
            response: pct(o.response), responseCounts: "\(o.response.numerator)/\(o.response.denominator)",
            resolution: pct(o.resolution), resolutionCounts: "\(o.resolution.numerator)/\(o.resolution.denominator)",
            satisfaction: pct(o.satisfaction), satisfactionCounts: "\(o.satisfaction.numerator)/\(o.satisfaction.denominator)",
            trend: SVGChart.line(title: "\(p.t.ratesByMonth) \(labels.first ?? "")–\(labels.last ?? "")", labels: labels, series: series),
            byMember: bars("member", p.t.byMember), byArea: bars("area", p.t.byArea), byTopic: bars("topic", p.t.byTopic),
            weekly: weekly, weeks: weeks.map { .init(week: $0) }, volumeTopic: volume { topicName($0.topic, p.lang) },
            volumeArea: volume { $0.area ?? "-" },
            digestTopics: digest.topics.map { .init(key: $0.key, cases: $0.cases, change: change($0.change)) },
            digestAreas: digest.areas.map { .init(key: $0.key, cases: $0.cases, change: change($0.change)) },
            examples: digest.examples.map { .init(topic: $0.topic, ref: $0.ref, text: $0.text) },
            escalations: digest.escalations.map { .init(ref: $0.ref, outcome: DashboardText.outcome($0.outcome, p.lang), note: $0.note) },
            escalationsMore: digest.escalationsInAll > digest.escalations.count
                ? [.init(text: String(format: p.t.firstShown, digest.escalations.count, digest.escalationsInAll))] : [],
            csv: "/dashboard/reports.csv?month=\(month)", previous: "/dashboard/reports?month=\(labels.count > 1 ? monthBefore(month) : month)"),
            title: p.t.reports)
    }

    func monthBefore(_ month: String) -> String {
        let (y, m) = MonthReport.parse(month)!
        return m == 1 ? String(format: "%04d-12", y - 1) : String(format: "%04d-%02d", y, m - 1)
    }
}
