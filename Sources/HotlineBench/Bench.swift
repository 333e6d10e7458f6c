import ArgumentParser
import Foundation
import HotlineConfig
import HotlineCore
import HotlineTestSupport

/// The project's benchmark command: `swift run -c release hotline-bench <what>`.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotline-bench", abstract: "StudioHotline benchmarks (run a release build).",
        subcommands: [ClassifyBench.self, IntakeBench.self, NoticeBench.self, AdminBench.self, SoakBench.self, DispatchBench.self, KannelBench.self, SendsmsSink.self, HTTPIntakeBench.self, BareResponder.self, PurgeBench.self])
}

struct ClassifyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Messages per second on one core: normalise + classify 60-character messages, shipped and generated tables.")

    @Option(help: "Rule table folder.")
    var intents = "Intents"
    @Option(help: "Resident messages (TSV, text in the first column) the realistic workload is cut from.")
    var corpus = "Tests/Fixtures/resident-messages.tsv"
    @Flag(help: "Also measure the dense workload (messages stitched from cue-laden fragments: many rules fire).")
    var dense = false
    @Option(help: "Seconds to measure each table.")
    var seconds = 3.5
    @Option(help: "Rounds per table; the median and the best are reported (this machine is shared and noisy).")
    var rounds = 7
    @Option(parsing: .upToNextOption, help: "Sizes of generated tables.")
    var sizes: [Int] = [100, 1_000, 10_000]

    func run() throws {
        let text = try String(contentsOfFile: corpus, encoding: .utf8)
        let sentences = text.split(separator: "\n").dropFirst().compactMap { $0.split(separator: "\t").first.map(String.init) }
        let realistic = Workload.messages(from: sentences, count: 4_096, length: 60)
        print("realistic: \(realistic.count) distinct messages of 60 characters cut from \(sentences.count) resident messages; one thread; normalisation included")
        try table(realistic)
        if dense {
            print("\ndense: \(4_096) messages of 60 characters stitched from cue-laden fragments")
            try table(Workload.messages(count: 4_096, length: 60))
        }
    }

    func table(_ messages: [String]) throws {
        print("| table | rules | keywords | rules fired per message | messages/s (median of \(rounds)) | best round | µs/message | messages/s with the explanation read |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        let shipped = try RuleTableLoader.load(directory: intents)
        measure("shipped Intents/", shipped, messages)
        for size in sizes {
            measure("generated", Workload.table(rules: size, base: shipped), messages)
        }
    }

    func measure(_ name: String, _ table: RuleTable, _ messages: [String]) {
        let classifier = try! Classifier(table: table)
        // Warm-up: builds the normaliser tables and touches every code path once.
        var fired = 0
        for m in messages { fired &+= classifier.classify(m).matches.count }
        // The decision (intent, topic, score, answer); the explanation is built only when read.
        let decision = rates(messages) { classifier.classify($0).score > 0 ? 1 : 0 }
        // As intake uses it: the explanation is read and stored with the case.
        let explained = rates(messages) { classifier.classify($0).matches.count }
        let median = decision[decision.count / 2]
        let keywords = Set(table.rules.flatMap { $0.any + $0.all + $0.none }).count
        let perMessage = String(format: "%.1f", Double(fired) / Double(messages.count))
        print("| \(name) | \(table.rules.count) | \(keywords) | \(perMessage) | \(Int(median)) | \(Int(decision.last!)) | \(String(format: "%.2f", 1e6 / median)) | \(Int(explained[explained.count / 2])) |")
    }

    /// Messages per second in each of `rounds` rounds, sorted.
    func rates(_ messages: [String], _ work: (String) -> Int) -> [Double] {
        var rates: [Double] = []
        let budget = UInt64(seconds / Double(rounds) * 1e9)
        for _ in 0..<rounds {
            var done = 0
            var sink = 0
            let start = DispatchTime.now().uptimeNanoseconds
            var elapsed: UInt64 = 0
            repeat {
                for m in messages { sink &+= work(m) }
                done += messages.count
                elapsed = DispatchTime.now().uptimeNanoseconds - start
            } while elapsed < budget
            rates.append(Double(done) / (Double(elapsed) / 1e9))
            if sink == -1 { print(sink) }
        }
        return rates.sorted()
    }
}

/// Deterministic synthetic workloads.
enum Workload {
    /// The seeded generator, so every run measures the same work.
    typealias Random = SeededRandom

    static let fragments = [
        "小区停水三天了", "一直没人管", "我们村吃水难", "井里抽不出水", "龙湖社区5号楼墙体裂缝", "外墙皮脱落", "物业不管",
        "物业乱收费", "停车费一年涨了两次", "楼下商户装广告牌", "挡住我家窗户", "邻居装修天天噪音", "到晚上十一点",
        "谭家庄村的路坑坑洼洼", "下雨天根本走不了", "村口那座桥裂了", "是危桥", "孩子上学要经过", "这个路口经常出事故",
        "能不能装个红绿灯", "还没通天然气", "暖气不热", "市场门口车辆乱停乱放", "村卫生室条件太差", "小區停水兩天了,沒人處理",
        "污水直接排到河里", "请问委员接待日是哪天?", "医保异地就医怎么报销?", "老年人日间照料中心什么时候开放",
        "孩子上小学需要准备哪些材料", "灵活就业社保怎么交", "维修基金怎麼申請使用?", "公司拖欠工资三个月了", "附近有没有招聘会?",
        ",", "。", "!", "ＡＢＣ１２３", " ", "希望尽快解决",
    ]

    /// `count` messages of exactly `length` characters: runs of consecutive real messages, cut at
    /// `length` from a different starting point each time.
    static func messages(from sentences: [String], count: Int, length: Int) -> [String] {
        let joined = Array(sentences.joined(separator: " "))
        var rng = Random(state: 99)
        return (0..<count).map { _ in
            let start = rng.below(max(1, joined.count - length))
            return String(joined[start..<min(joined.count, start + length)])
        }
    }

    /// `count` messages of exactly `length` characters, stitched from resident phrasing.
    static func messages(count: Int, length: Int) -> [String] {
        var rng = Random(state: 42)
        return (0..<count).map { _ in
            var text = ""
            while text.count < length { text += fragments[rng.below(fragments.count)] }
            return String(text.prefix(length))
        }
    }

    /// The shipped rules plus generated ones up to `rules`, each with 3–6 keywords of 2–4 common ideographs.
    static func table(rules: Int, base: RuleTable) -> RuleTable {
        var rng = Random(state: 7)
        let alphabet = Array(Set(fragments.joined().unicodeScalars.filter { $0.value >= 0x4E00 && $0.value <= 0x9FFF }))
            .sorted { $0.value < $1.value }
        func word() -> String {
            var s = String.UnicodeScalarView()
            for _ in 0..<(2 + rng.below(3)) { s.append(alphabet[rng.below(alphabet.count)]) }
            return String(s)
        }
        var out = base.rules
        var i = 0
        while out.count < rules {
            let topic = base.topics.ids[rng.below(base.topics.count)]
            let intent: Intent? = rng.below(3) == 0 ? (rng.below(2) == 0 ? .complaint : .question) : nil
            out.append(IntentRule(id: "gen-\(i)", intent: intent, topic: topic, any: (0..<(3 + rng.below(4))).map { _ in word() },
                                  none: rng.below(5) == 0 ? [word()] : [], weight: Double(1 + rng.below(3))))
            i += 1
        }
        return RuleTable(rules: Array(out.prefix(rules)), defaultIntent: base.defaultIntent, topics: base.topics)
    }
}
