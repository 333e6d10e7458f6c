import Foundation
import HotlineChannels
import HotlineConfig
import HotlineCore

/// The fuzz targets: each takes any bytes and must neither crash nor hang. libFuzzer drives them
/// (`hotline-fuzz` built with `-sanitize=fuzzer`, see `Tests/Fuzz/run`); the unit tests replay
/// every file of `Tests/Fuzz/corpus/<target>/` — the seeds and each crash found, kept as a
/// regression — through the same functions.
public enum FuzzTargets {
    /// A target by name.
    public struct Target: Sendable {
        public var name: String
        /// What it feeds the input to.
        public var about: String
        public var run: @Sendable ([UInt8]) -> Void
    }

    /// Every target, by name.
    public static let all: [Target] = [
        Target(name: "form", about: "FormFields: a urlencoded body or query, whole and cut", run: form),
        Target(name: "commands", about: "members', residents' and RSVP text commands, phone binding, 订阅, the normaliser", run: commands),
        Target(name: "classifier", about: "the shipped rule table's classifier and intake's reading of a text", run: classify),
        Target(name: "roll-csv", about: "a roll CSV (UTF-8 or GB18030)", run: rollCSV),
        Target(name: "config-yaml", about: "hotline.yaml and a studio file, split at a line `#studio`", run: configYAML),
        Target(name: "rules-yaml", about: "a rule-table file, then its classifier on its own examples", run: rulesYAML),
    ] + ChannelKind.fuzzed.map { kind in
        Target(name: "webhook-\(kind.rawValue)", about: "the \(kind.rawValue) channel's webhooks, signed as the provider signs", run: { WebhookHarness.run($0, kind: kind) })
    }

    public static func named(_ name: String) -> Target? { all.first { $0.name == name } }

    /// For a `webhook-<kind>` target: what the channel's route made of an input — parsed, with the
    /// event's description, or refused, with the refusal's (nil: no parser reached). The tests check the harness signs
    /// well enough that its seeds get past the checks.
    public static func webhookOutcome(_ target: String, _ bytes: [UInt8]) -> (parsed: Bool, what: String)? {
        guard let kind = ChannelKind.fuzzed.first(where: { "webhook-\($0.rawValue)" == target }) else { return nil }
        switch WebhookHarness.parse(bytes, kind: kind) {
        case let .success(event)?: return (true, "\(event)")
        case let .failure(error)?: return (false, "\(error)")
        case nil: return nil
        }
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    static func form(_ bytes: [UInt8]) {
        _ = try? FormFields.parse(bytes)
        _ = try? FormFields.parse(cut: bytes)
    }

    static func commands(_ bytes: [UInt8]) {
        let text = text(bytes)
        _ = MemberCommandParser.parse(text)
        _ = ResidentCommand.statusQuery(text)
        _ = RSVP.parse(text)
        _ = RSVP.fromRoster(text, hasOpenNotice: true)
        _ = RSVP.fromResident(text, noticeSentAt: Date(timeIntervalSince1970: 1_796_000_000), surveyAskedAt: nil)
        _ = SubscriptionKeyword(text: text)
        _ = PhoneBinding.request(text)
        _ = PhoneNumber.normalize(text, defaultCountryCode: "86")
        _ = PhoneNumber.maskMobiles(in: text, keep: "")
        _ = TextNormalizer.normalize(text)
        _ = SearchWords.of(text)
    }

    static func classify(_ bytes: [UInt8]) {
        let text = text(bytes)
        _ = Shipped.classifier.classify(text)
        _ = Intake.interpret(text, classifier: Shipped.classifier, areas: Shipped.areas)
    }

    static func rollCSV(_ bytes: [UInt8]) {
        _ = RollCSV.parse(Data(bytes), defaultArea: nil)
    }

    static func configYAML(_ bytes: [UInt8]) {
        let text = text(bytes)
        let parts = text.components(separatedBy: "\n#studio\n")
        Scratch.write(parts[0], to: "config/hotline.yaml")
        Scratch.write(parts.count > 1 ? parts[1] : "", to: "config/studios/fuzz.yaml")
        _ = try? ConfigLoader.load(directory: Scratch.path("config"))
    }

    static func rulesYAML(_ bytes: [UInt8]) {
        Scratch.write(text(bytes), to: "rules/rules.yaml")
        guard let table = try? RuleTableLoader.load(directory: Scratch.path("rules")),
              let classifier = try? Classifier(table: table) else { return }
        for rule in table.rules.prefix(8) {
            for example in rule.examples.prefix(4) { _ = classifier.classify(example.text) }
        }
    }
}

extension ChannelKind {
    /// The channels whose webhooks are fuzzed: every kind that takes requests from outside.
    static var fuzzed: [ChannelKind] { [.json, .kannel, .twilio, .android, .wechat, .tencent, .aliyun] }
}

/// The shipped rule table and the demo studios' areas, loaded once (from `HOTLINE_INTENTS` and
/// `HOTLINE_CONFIG`, else `Intents` and `config` in the working directory).
enum Shipped {
    static let classifier: Classifier = {
        let env = ProcessInfo.processInfo.environment
        do {
            let table = try RuleTableLoader.load(directory: env["HOTLINE_INTENTS"] ?? "Intents")
            return try Classifier(table: table)
        } catch {
            fatalError("hotline-fuzz: the classifier target needs the rule table (run from the repository, or set HOTLINE_INTENTS): \(error)")
        }
    }()

    static let areas: AreaFinder = {
        let env = ProcessInfo.processInfo.environment
        guard let settings = try? ConfigLoader.load(directory: env["HOTLINE_CONFIG"] ?? "config"), let studio = settings.deployment.studios.first else {
            fatalError("hotline-fuzz: the classifier target needs the demo config (run from the repository, or set HOTLINE_CONFIG)")
        }
        return AreaFinder(areas: studio.areas)
    }()
}

/// A folder of this process's own for the loaders that read files.
enum Scratch {
    static let root: String = {
        let dir = NSTemporaryDirectory() + "hotline-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir + "/config/studios", withIntermediateDirectories: true)
        try? FileManager.default.createDirectory(atPath: dir + "/rules", withIntermediateDirectories: true)
        return dir
    }()

    static func path(_ name: String) -> String { root + "/" + name }

    static func write(_ text: String, to name: String) {
        _ = FileManager.default.createFile(atPath: path(name), contents: Data(text.utf8))
    }
}
