import Foundation
import HotlineChannels
import HotlineCore

/// Loads `config/`: `hotline.yaml` (service settings, sectors, channels) and `studios/*.yaml` (one studio each).
public enum ConfigLoader {
    /// Loads and validates the configuration directory; throws every problem found, each with file and line.
    /// Topics (of sectors and `sla.topics`) are checked against `topics`, the rule table's catalog, when given;
    /// otherwise only their form is.
    public static func load(directory: String, topics: TopicCatalog? = nil) throws(ConfigErrors) -> HotlineSettings {
        var errors: [ConfigError] = []
        let mainFile = (directory as NSString).appendingPathComponent("hotline.yaml")
        var sectors: [Sector] = []
        var channels: [ChannelSettings] = []
        var retry = RetryPolicy()
        var sla = SLASettings()
        var countryCode = "86"
        var maxLength = 1000
        var senders = SenderLimits()
        var optOut = OptOutScope.deployment
        var defaultStudio: (String, YAMLValue)?
        var casePage: CasePage?
        var backup: BackupSettings?
        var retention = RetentionPolicy()

        do throws(ConfigError) {
            guard let root = try read(mainFile) else { throw ConfigError(file: mainFile, line: 1, message: "file is empty") }
            let keys = try root.mapping(allowed: ["country_code", "default_studio", "max_inbound_length", "sectors", "channels", "outbox", "sla", "senders",
                                                  "opt_out", "case_page", "backup", "retention"], what: "hotline.yaml")
            if let v = keys["retention"] {
                let r = try v.mapping(allowed: ["closed_case_days", "unlinked_message_days"], what: "retention")
                // `none` keeps them (a deployment that must, and says so).
                func days(_ key: String, _ least: Int) throws(ConfigError) -> Int?? {
                    guard let x = r[key] else { return .none }
                    if (try? x.string("retention.\(key)")) == "none" { return .some(nil) }
                    return .some(try x.int("retention.\(key)", in: least...36_500))
                }
                if let d = try days("closed_case_days", 30) { retention.closedCaseDays = d }
                if let d = try days("unlinked_message_days", 7) { retention.unlinkedMessageDays = d }
            }
            if let v = keys["backup"] {
                let b = try v.mapping(allowed: ["dir", "every_hours", "keep"], what: "backup")
                guard let dir = b["dir"] else { throw v.error("backup needs 'dir' (the folder the backups go to)") }
                let folder = try dir.string("backup.dir")
                if folder.trimmingCharacters(in: .whitespaces).isEmpty { throw dir.error("backup.dir must name a folder") }
                backup = BackupSettings(directory: folder,
                                        everyHours: try b["every_hours"]?.double("backup.every_hours", in: 0.25...8_760) ?? 24,
                                        keep: try b["keep"]?.int("backup.keep", in: 1...1_000) ?? 7)
            }
            if let v = keys["case_page"] {
                let page = try v.mapping(allowed: ["public_url", "keep_days"], what: "case_page")
                guard let url = page["public_url"] else { throw v.error("case_page needs 'public_url' (how residents reach this service)") }
                let address = try url.string("case_page.public_url")
                guard let parsed = URL(string: address), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil, parsed.query == nil else {
                    throw url.error("case_page.public_url must be an http(s) address such as https://hotline.example.org")
                }
                casePage = CasePage(publicURL: address, keepDays: try page["keep_days"]?.int("case_page.keep_days", in: 1...3_650) ?? 30)
            }
            if let v = keys["opt_out"] {
                let written = try v.string("opt_out")
                guard let scope = OptOutScope(rawValue: written) else {
                    throw v.error("opt_out '\(written)' must be \(OptOutScope.allCases.map(\.rawValue).joined(separator: " or "))")
                }
                optOut = scope
            }
            if let v = keys["country_code"] { countryCode = try v.string("country_code") }
            if let v = keys["default_studio"] { defaultStudio = (try v.string("default_studio"), v) }
            if let v = keys["max_inbound_length"] { maxLength = try v.int("max_inbound_length", in: 10...100_000) }
            if let v = keys["sectors"] {
                for (id, value) in try v.pairs(what: "sectors") {
                    do throws(ConfigError) { sectors.append(try sector(id: id, value, topics: topics)) } catch { errors.append(error) }
                }
            }
            if let v = keys["channels"] {
                for item in try v.list("channels") {
                    do throws(ConfigError) {
                        let c = try channel(item)
                        if channels.contains(where: { $0.id == c.id }) { throw item.error("channel id '\(c.id)' is used twice") }
                        channels.append(c)
                    } catch { errors.append(error) }
                }
            }
            if let v = keys["outbox"] {
                let o = try v.mapping(allowed: ["max_attempts", "initial_delay_seconds", "max_delay_seconds", "jitter"], what: "outbox")
                if let x = o["max_attempts"] { retry.maxAttempts = try x.int("outbox.max_attempts", in: 1...100) }
                if let x = o["initial_delay_seconds"] { retry.initialDelay = try x.double("outbox.initial_delay_seconds", in: 0...86_400) }
                if let x = o["max_delay_seconds"] { retry.maxDelay = try x.double("outbox.max_delay_seconds", in: 0...604_800) }
                if let x = o["jitter"] { retry.jitter = try x.double("outbox.jitter", in: 0...1) }
            }
            if let v = keys["sla"] {
                sla = try slaSettings(v, over: sla, topics: topics)
            }
            if let v = keys["senders"] {
                let o = try v.mapping(allowed: ["max_texts", "window_minutes", "min_reply_seconds", "machine_replies", "mute_hours",
                                                "roster_max_texts", "roster_max_forwards", "roster_max_forwards_per_day"], what: "senders")
                if let x = o["max_texts"] { senders.maxTexts = try x.int("senders.max_texts", in: 1...10_000) }
                if let x = o["window_minutes"] { senders.window = try x.double("senders.window_minutes", in: 1...10_080) * 60 }
                if let x = o["min_reply_seconds"] { senders.minReplySeconds = try x.double("senders.min_reply_seconds", in: 0...60) }
                if let x = o["machine_replies"] { senders.machineReplies = try x.int("senders.machine_replies", in: 2...100) }
                if let x = o["mute_hours"] { senders.muteHours = try x.double("senders.mute_hours", in: 0.1...720) }
                if let x = o["roster_max_texts"] { senders.rosterMaxTexts = try x.int("senders.roster_max_texts", in: 1...10_000) }
                if let x = o["roster_max_forwards"] { senders.rosterMaxForwards = try x.int("senders.roster_max_forwards", in: 0...1_000) }
                if let x = o["roster_max_forwards_per_day"] {
                    senders.rosterMaxForwardsPerDay = try x.int("senders.roster_max_forwards_per_day", in: 0...100_000)
                }
            }
        } catch {
            errors.append(error)
        }

        var studios: [(Studio, YAMLValue)] = []
        let studioDir = (directory as NSString).appendingPathComponent("studios")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: studioDir)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        if files.isEmpty {
            errors.append(ConfigError(file: studioDir, line: 1, message: "no studio files (studios/*.yaml)"))
        }
        for name in files {
            let file = (studioDir as NSString).appendingPathComponent(name)
            do throws(ConfigError) {
                guard let root = try read(file) else { throw ConfigError(file: file, line: 1, message: "file is empty") }
                let loaded = try StudioLoader(file: file, countryCode: countryCode, sectors: Set(sectors.map(\.id)), sla: sla, topics: topics,
                                              maxParts: Dictionary(channels.map { ($0.id, $0.maxParts) }) { a, _ in a },
                                              errors: { errors.append($0) }).studio(root)
                studios.append((loaded, root))
            } catch {
                errors.append(error)
            }
        }

        // Cross-file checks.
        var seenIDs: [String: String] = [:]
        var seenNumbers: [String: String] = [:]
        for (studio, root) in studios {
            if let other = seenIDs[studio.id] { errors.append(root.error("studio id '\(studio.id)' is also used in \(other)")) }
            seenIDs[studio.id] = root.file
            let numbersNode = (try? root.mapping(what: "studio"))?["hotline_numbers"] ?? root
            for number in studio.hotlineNumbers {
                if let other = seenNumbers[number] { errors.append(numbersNode.error("hotline number \(number) is also studio \(other)'s")) }
                seenNumbers[number] = studio.id
            }
            guard let outbound = channels.first(where: { $0.id == studio.outboundChannel }) else {
                errors.append(root.error("outbound_channel '\(studio.outboundChannel)' is not a channel in hotline.yaml"))
                continue
            }
            switch outbound.kind.reach {
            case .phones: break
            case .nobody: errors.append(root.error("outbound_channel '\(outbound.id)' is a \(outbound.kind.rawValue) channel, which cannot send"))
            case .ownContacts:
                errors.append(root.error("outbound_channel '\(outbound.id)' is a \(outbound.kind.rawValue) channel, which answers only those who wrote to it, "
                                         + "and cannot text members' phones: name an SMS channel"))
            }
        }
        if let (id, node) = defaultStudio, !studios.contains(where: { $0.0.id == id }) {
            errors.append(node.error("default_studio '\(id)' is not a studio in studios/"))
        }
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        var deployment = Deployment(studios: studios.map(\.0), sectors: sectors, defaultCountryCode: countryCode, defaultStudio: defaultStudio?.0)
        deployment.casePage = casePage
        deployment.optOutScope = optOut
        return HotlineSettings(
            deployment: deployment,
            channels: channels, retry: retry, sla: sla, maxInboundLength: maxLength, senders: senders, backup: backup, retention: retention)
    }

    /// `sla:` settings applied over `base` (the deployment's, for a studio's own `sla:`).
    static func slaSettings(_ node: YAMLValue, over base: SLASettings, topics catalog: TopicCatalog?) throws(ConfigError) -> SLASettings {
        var sla = base
        let s = try node.mapping(allowed: ["accept_hours", "reply_days", "close_days", "topics", "remind_before_hours",
                                           "survey_hours", "quiet_hours", "max_open_cases", "meeting_reminder_hours"], what: "sla")
        sla.deadlines = try deadlines(s, over: sla.deadlines, what: "sla")
        if let x = s["topics"] {
            for (name, value) in try x.pairs(what: "sla.topics") {
                let topic = try self.topic(name, at: value, in: catalog, what: "sla.topics")
                let keys = try value.mapping(allowed: ["accept_hours", "reply_days", "close_days"], what: "sla.topics.\(name)")
                sla.topics[topic] = try deadlines(keys, over: sla.deadlines, what: "sla.topics.\(name)")
            }
        }
        if let x = s["remind_before_hours"] { sla.remindBeforeHours = try x.double("sla.remind_before_hours", in: 0...1_000) }
        if let x = s["survey_hours"] { sla.surveyHours = try x.double("sla.survey_hours", in: 0.01...10_000) }
        if let x = s["meeting_reminder_hours"] {
            sla.meetingReminderHours = try x.string("sla.meeting_reminder_hours") == "none" ? nil : try x.double("sla.meeting_reminder_hours", in: 0.25...720)
        }
        if let x = s["max_open_cases"] { sla.maxOpenCases = try x.int("sla.max_open_cases", in: 1...100_000) }
        if let x = s["quiet_hours"] {
            let text = try x.string("sla.quiet_hours")
            if text == "none" { sla.quietHours = nil } else {
                guard let quiet = QuietHours(text) else { throw x.error("sla.quiet_hours: '\(text)' is not like 21:30-08:00 (or none)") }
                sla.quietHours = quiet
            }
        }
        return sla
    }

    static func deadlines(_ s: [String: YAMLValue], over base: CaseDeadlines, what: String) throws(ConfigError) -> CaseDeadlines {
        var d = base
        if let x = s["accept_hours"] { d.acceptHours = try x.double("\(what).accept_hours", in: 0.01...10_000) }
        if let x = s["reply_days"] { d.replyDays = try x.double("\(what).reply_days", in: 0.001...1_000) }
        if let x = s["close_days"] { d.closeDays = try x.double("\(what).close_days", in: 0.001...1_000) }
        return d
    }

    static func read(_ file: String) throws(ConfigError) -> YAMLValue? {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(file: file, line: 1, message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: file, line: 1, message: "file is not UTF-8")
        }
        return try YAMLValue.parse(text, file: file)
    }

    static func sector(id: String, _ value: YAMLValue, topics catalog: TopicCatalog?) throws(ConfigError) -> Sector {
        let keys = try value.mapping(allowed: ["name", "topics"], what: "sector \(id)")
        var topics: [Topic] = []
        for item in try keys["topics"]?.list("topics") ?? [] {
            topics.append(try topic(try item.string("topic"), at: item, in: catalog, what: "sector \(id)"))
        }
        return Sector(id: id, name: try keys["name"]?.string("sector name") ?? id, topics: topics)
    }

    /// A topic named in the configuration: one of `catalog`'s when there is one, else of a topic id's form.
    static func topic(_ name: String, at node: YAMLValue, in catalog: TopicCatalog?, what: String) throws(ConfigError) -> Topic {
        let topic = Topic(name)
        if let catalog {
            guard catalog.contains(topic) else { throw node.error("\(what): unknown topic '\(name)' (the rule table's topics: \(catalog.idList))") }
        } else if !Topic.isValidID(name) {
            throw node.error("\(what): '\(name)' is not a topic id (lower-case letters, digits and _)")
        }
        return topic
    }

    /// The keys every channel may have; its kind declares the rest (``HotlineChannel/options``).
    static let commonChannelKeys = ["id", "kind", "secret_env", "require_secret", "rate_limit", "allow", "max_parts"]

    static func channel(_ value: YAMLValue) throws(ConfigError) -> ChannelSettings {
        let given = try value.mapping(what: "channel")
        guard let idValue = given["id"] else { throw value.error("channel: 'id' is missing") }
        guard let kindValue = given["kind"] else { throw value.error("channel: 'kind' is missing") }
        let kindName = try kindValue.string("kind")
        guard let spec = ChannelRegistry.spec(named: kindName) else {
            throw kindValue.error("channel: unknown kind '\(kindName)' (known: \(ChannelRegistry.kindNames.joined(separator: ", ")))")
        }
        let kind = spec.kind
        let keys = try value.mapping(allowed: Set(commonChannelKeys + spec.options.map(\.name) + (spec.templates == .none ? [] : ["templates"])),
                                     what: "\(kind) channel")
        var secretEnv: String?
        if let v = keys["secret_env"] { secretEnv = try environmentName(v, "secret_env") }
        let id = try idValue.string("id")
        let reserved = spec.routeNames
        guard id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }), !reserved.contains(id) else {
            throw idValue.error("channel id '\(id)' must be ASCII letters, digits, - or _ (it is a URL path: /webhooks/<kind>/<id>)"
                                + (reserved.isEmpty ? "" : ", and not \(reserved.sorted().joined(separator: " or "))"))
        }
        if case let .required(what) = spec.webhookSecret, secretEnv == nil {
            throw value.error("channel \(id): \(article(kind)) \(kind) channel needs 'secret_env' (\(what))")
        }
        var options: [String: String] = [:]
        for option in spec.options {
            guard let v = keys[option.name] else {
                if option.required { throw value.error("channel \(id): \(article(kind)) \(kind) channel needs '\(option.name)'") }
                continue
            }
            switch option.form {
            case .text: options[option.name] = try v.string(option.name)
            case .environment: options[option.name] = try environmentName(v, option.name)
            case let .choice(words):
                let word = try v.string(option.name)
                guard words.contains(word) else { throw v.error("channel \(id): \(option.name) is '\(word)'; it must be \(words.joined(separator: " or "))") }
                options[option.name] = word
            case .url:
                let url = try v.string(option.name)
                guard URL(string: url)?.scheme?.hasPrefix("http") == true else { throw v.error("channel \(id): \(option.name) must be an http(s) URL") }
                options[option.name] = url
            }
        }
        var templates: [String: ProviderTemplate] = [:]
        if spec.templates == .optional, let node = keys["templates"] {
            templates = try providerTemplates(node, channel: id, required: [])
        } else if spec.templates == .required {
            guard let node = keys["templates"] else {
                throw value.error("channel \(id): \(article(kind)) \(kind) channel sends only its provider's approved templates and needs 'templates' "
                                  + "(name: \"template id: value, value\" for \(ProviderTemplates.required.joined(separator: ", ")))")
            }
            templates = try providerTemplates(node, channel: id, required: ProviderTemplates.required)
        }
        return ChannelSettings(
            id: id, kind: kind, secretEnv: secretEnv,
            requireSecret: try keys["require_secret"]?.bool("require_secret") ?? false,
            rateLimit: try keys["rate_limit"]?.double("rate_limit", in: 0.01...100_000),
            options: options, allow: try keys["allow"]?.strings("allow") ?? [],
            maxParts: try keys["max_parts"]?.int("max_parts", in: 1...10) ?? 5, templates: templates)
    }

    /// A template channel's `templates:`: each reply template name (or `fallback`) to the
    /// provider's template id and the values of its parameters, in order.
    static func providerTemplates(_ node: YAMLValue, channel id: String, required: [String]) throws(ConfigError) -> [String: ProviderTemplate] {
        var templates: [String: ProviderTemplate] = [:]
        for (name, value) in try node.pairs(what: "channel \(id): templates") {
            guard let allowed = ProviderTemplates.allowedValues(name) else {
                throw value.error("channel \(id): templates: unknown template '\(name)' (a reply template's name, as in ReplyTemplates, or fallback)")
            }
            let text = try value.string("template \(name)")
            guard let template = ProviderTemplates.parse(text) else {
                throw value.error("channel \(id): template \(name): '\(text)' is not 'template id: value, value' (e.g. \"1234567: case, assignee\")")
            }
            // A parameter is a value's name, or `field=value` where the provider names its fields (WeChat).
            for param in template.params where !allowed.contains(ProviderTemplates.valueName(param)) {
                throw value.error("channel \(id): template \(name) (\(template.id)): unknown value '\(param)' (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
            templates[name] = template
        }
        for name in required where templates[name] == nil {
            throw node.error("channel \(id): templates: no template for '\(name)' (needed: \(required.joined(separator: ", ")))")
        }
        return templates
    }

    /// "an android channel", "a kannel channel".
    static func article(_ kind: ChannelKind) -> String { kind.rawValue.first.map { "aeiou".contains($0) } == true ? "an" : "a" }

    /// The name of an environment variable (letters, digits, _): never a secret itself.
    static func environmentName(_ value: YAMLValue, _ key: String) throws(ConfigError) -> String {
        let name = try value.string(key)
        guard !name.contains(where: { !($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw value.error("\(key) names an environment variable (letters, digits, _), not the secret itself")
        }
        return name
    }
}
