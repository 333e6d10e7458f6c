import Foundation

/// What an inbound text says, decided before any storage is touched (pure, no I/O).
public enum Interpretation: Sendable, Equatable {
    /// `登记 龙湖社区` / `AREA 龙湖`: the resident registers an area (nil when the name is unknown).
    case registration(name: String, area: String?)
    /// A complaint, a question or something unclassified, possibly naming an area.
    case message(Classification, areaInText: String?)
}

/// What the storage layer needs to know, read inside the intake transaction.
public struct IntakeContext: Sendable {
    public var studio: Studio
    public var sectors: [Sector]
    /// The area the resident registered earlier, if any.
    public var registeredArea: String?
    /// Open cases per roster id, for least-loaded routing.
    public var openCases: [String: Int]
    /// Roster ids not to route to (away, at capacity).
    public var unavailable: Set<String>
    /// The case number the new case would get.
    public var nextCaseNumber: Int
    public var now: Date
    /// The rule table's topics: their names for texts and urgent topics' deadlines.
    public var topics: TopicCatalog
    /// The new case's page token, and the `{link}` value of texts about it ("" without a page).
    public var caseToken: String? = nil
    public var link: String = ""

    public init(studio: Studio, sectors: [Sector], registeredArea: String?, openCases: [String: Int],
                unavailable: Set<String> = [], nextCaseNumber: Int, now: Date, topics: TopicCatalog = .standard) {
        // Members at the studio's maximum of open cases get no new ones.
        let unavailable = unavailable.union(Routing.atCapacity(studio: studio, openCases: openCases))
        self.studio = studio
        self.sectors = sectors
        self.registeredArea = registeredArea
        self.openCases = openCases
        self.unavailable = unavailable
        self.nextCaseNumber = nextCaseNumber
        self.now = now
        self.topics = topics
    }
}

/// A new case to open.
public struct CasePlan: Sendable, Equatable {
    public var number: Int
    public var classification: Classification
    public var area: String?
    public var areaSource: AreaSource?
    public var routing: RoutingDecision?
    /// State, assignee and deadlines the case starts with.
    public var progress: CaseProgress
    /// The resident wrote in Traditional script (texts to them are converted).
    public var traditional: Bool
    public var replies: [OutboundText]
    /// The token of the case's page for the resident (nil: no page).
    public var residentToken: String?
    /// `classification` as stored (``Classification/jsonText``), when it was written before the
    /// transaction (intake's writer bounds its rate: pure work is done before it where it can be).
    public var classificationJSON: String?

    public var state: CaseState { progress.state }

    public init(number: Int, classification: Classification, area: String?, areaSource: AreaSource?,
                routing: RoutingDecision?, state: CaseState, progress: CaseProgress? = nil, traditional: Bool = false,
                replies: [OutboundText]) {
        self.number = number
        self.classification = classification
        self.area = area
        self.areaSource = areaSource
        self.routing = routing
        self.progress = progress ?? CaseProgress(state: state, assignee: routing?.assignee)
        self.traditional = traditional
        self.replies = replies
    }
}

/// What intake will write, in one transaction.
public enum IntakePlan: Sendable, Equatable {
    /// Remember the resident's area (when known) and answer.
    case registration(area: String?, reply: OutboundText)
    case newCase(CasePlan)
}

extension IntakePlan {
    /// The plan with every reply cut to at most `maxParts` SMS parts.
    public func fitting(maxParts: Int) -> IntakePlan {
        switch self {
        case .registration(let area, var reply):
            reply.text = SMSSegments.fit(reply.text, maxParts: maxParts)
            return .registration(area: area, reply: reply)
        case var .newCase(plan):
            plan.replies = plan.replies.map { var r = $0; r.text = SMSSegments.fit(r.text, maxParts: maxParts); return r }
            return .newCase(plan)
        }
    }
}

/// The intake decisions: interpret a text, then plan the case, the routing and the replies.
public enum Intake {
    /// Interprets `text` with the studio's classifier and areas.
    public static func interpret(_ text: String, classifier: Classifier, areas: AreaFinder) -> Interpretation {
        // Normalised once for the registration check, the classifier and the area search.
        let scalars = TextNormalizer.scalars(text)
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        let normal = String(view)
        if let name = registrationName(normalized: normal) {
            return .registration(name: name, area: areas.area(named: name) ?? areas.find(in: name))
        }
        return .message(classifier.classify(normalized: scalars, opening: Classifier.opening(of: text)), areaInText: areas.find(inNormalized: normal))
    }

    /// The area name after a registration keyword (`登记`, `登記`, `area`), or nil if `text` is no registration.
    static func registrationName(_ text: String) -> String? {
        registrationName(normalized: TextNormalizer.normalize(text))
    }

    static func registrationName(normalized normal: String) -> String? {
        for keyword in ["登记", "area"] where normal.hasPrefix(keyword) {
            let rest = normal.dropFirst(keyword.count)
            // `areas of …` is not a registration; 登记 may be followed directly by the name.
            if keyword == "area", let first = rest.first, first != " " { return nil }
            let name = rest.trimmingCharacters(in: .whitespaces)
            return name.isEmpty ? nil : name
        }
        return nil
    }

    /// Plans what to write and send for an interpreted text from `resident`.
    public static func plan(_ interpretation: Interpretation, text: String, resident: String,
                            context: IntakeContext) -> IntakePlan {
        let studio = context.studio
        let traditional = TextNormalizer.looksTraditional(text)
        let templates = studio.replies
        switch interpretation {
        case let .registration(name, area):
            let reply = if let area {
                templates.outbound(to: resident, "register.done", ["studio": studio.name, "area": area], kind: .registration, traditional: traditional)
            } else {
                templates.outbound(to: resident, "register.unknown", [
                    "studio": studio.name, "name": name, "areas": studio.areas.map(\.id).joined(separator: "、"),
                ], kind: .registration, traditional: traditional)
            }
            return .registration(area: area, reply: reply)

        case let .message(classification, areaInText):
            let (area, source): (String?, AreaSource?) =
                if let a = studio.knownArea(of: resident) { (a, .config) }
                else if let a = areaInText { (a, .text) }
                else if let a = context.registeredArea { (a, .registered) }
                else { (nil, nil) }
            let number = context.nextCaseNumber
            var values = [
                "studio": studio.name, "case": String(number), "intent": classification.intent.label,
                "topic": context.topics.name(classification.topic), "area": area ?? "未知社区", "resident": PhoneNumber.mask(resident),
                "text": text, "link": context.link, "token": context.caseToken ?? "",
            ]
            if let answer = classification.answer {
                values["answer"] = ReplyTemplates.fill(answer, studio.answerFacts)
                let reply = templates.outbound(to: resident, "answer", values, kind: .answer, traditional: traditional)
                var plan = CasePlan(number: number, classification: classification, area: area, areaSource: source,
                                    routing: nil, state: .answered, traditional: traditional, replies: [reply])
                plan.residentToken = context.caseToken
                return .newCase(plan)
            }
            let routing = Routing.route(studio: studio, sectors: context.sectors, area: area,
                                       intent: classification.intent, topic: classification.topic,
                                       openCases: context.openCases, unavailable: context.unavailable, now: context.now)
            let assignee = routing.flatMap { studio.person($0.assignee) }
            values["assignee"] = assignee?.name ?? "工作人员"
            var replies = [templates.outbound(to: resident, "ack.\(classification.intent.rawValue)", values, kind: .acknowledgement,
                                              traditional: traditional)]
            if let assignee {
                replies.append(templates.outbound(to: assignee.phone, "member.notice", values, kind: .memberNotice))
            }
            var plan = CasePlan(number: number, classification: classification, area: area, areaSource: source,
                                routing: routing, state: routing == nil ? .received : .assigned,
                                progress: CaseLifecycle.assigned(to: routing?.assignee, at: context.now,
                                                                 deadlines: studio.sla.deadlines(for: classification.topic, catalog: context.topics)),
                                traditional: traditional, replies: replies)
            plan.residentToken = context.caseToken
            return .newCase(plan)
        }
    }
}
