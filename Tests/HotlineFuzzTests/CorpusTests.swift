import Foundation
import HotlineFuzz
import Testing

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Every fuzz target's corpus in the repository — its seeds, and each input that once crashed it,
/// kept as a regression — runs through the target without a crash; every target has seeds.
@Suite struct CorpusTests {
    static let corpus = repoRoot.appendingPathComponent("Tests/Fuzz/corpus")

    @Test(arguments: FuzzTargets.all.map(\.name))
    func theCorpusRuns(_ name: String) throws {
        // The loaders read the shipped rule table and demo config from the working directory.
        FileManager.default.changeCurrentDirectoryPath(repoRoot.path)
        let target = try #require(FuzzTargets.named(name))
        let folder = Self.corpus.appendingPathComponent(name)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(files.count >= 3, "\(name) has seeds in Tests/Fuzz/corpus/\(name)")
        for file in files {
            target.run(Array(try Data(contentsOf: folder.appendingPathComponent(file))))
        }
    }

    @Test func everyCorpusFolderIsATarget() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter { !$0.hasPrefix(".") }
        #expect(Set(folders) == Set(FuzzTargets.all.map(\.name)))
    }

    /// The webhook harness signs as each provider does: every seed named here gets past the
    /// channel's checks and is parsed (a harness refused at the door would fuzz nothing behind it).
    @Test(arguments: [("webhook-json", "text"), ("webhook-json", "number-id"), ("webhook-kannel", "get"), ("webhook-kannel", "post"),
                      ("webhook-kannel", "dlr"), ("webhook-twilio", "sms"), ("webhook-twilio", "status"), ("webhook-android", "received"),
                      ("webhook-android", "delivered"), ("webhook-wechat", "handshake"), ("webhook-wechat", "text"), ("webhook-wechat", "safe"),
                      ("webhook-wechat", "subscribe"), ("webhook-tencent", "status"), ("webhook-tencent", "reply"), ("webhook-aliyun", "report"),
                      ("webhook-aliyun", "up")])
    func seedsGetPastTheChecks(_ target: String, _ seed: String) throws {
        let bytes = Array(try Data(contentsOf: Self.corpus.appendingPathComponent(target).appendingPathComponent(seed)))
        let outcome = try #require(FuzzTargets.webhookOutcome(target, bytes))
        #expect(outcome.parsed, "\(target)/\(seed): \(outcome.what)")
    }

    /// And a seed that is refused is refused for what it is, not for the harness's signing.
    @Test func refusalsAreTheInputs() throws {
        for (target, seed, words) in [("webhook-json", "bad-sig", "does not match"), ("webhook-android", "stale", "window"),
                                      ("webhook-kannel", "dlr-bad", "secret"), ("webhook-aliyun", "up-bad", "not a JSON array"),
                                      // Once crashed the service (Foundation's XMLParser traps on a tag name not UTF-8).
                                      ("webhook-wechat", "crash-tag-not-utf8", "not UTF-8"), ("webhook-wechat", "crash-safe-mode-tag-not-utf8", "not UTF-8")] {
            let bytes = Array(try Data(contentsOf: Self.corpus.appendingPathComponent(target).appendingPathComponent(seed)))
            let outcome = try #require(FuzzTargets.webhookOutcome(target, bytes))
            #expect(!outcome.parsed && outcome.what.contains(words), "\(target)/\(seed): \(outcome.what)")
        }
    }
}
