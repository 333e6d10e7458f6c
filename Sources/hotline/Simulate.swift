import ArgumentParser
import Foundation
import HotlineApp
import HotlineChannels
import HotlineCore
import HotlineStorage
import Logging

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Interactive console: type `+8613700000001: 小区停水三天了` and see every reply the service sends.")

    @OptionGroup var files: FileOptions
    @OptionGroup var db: DatabaseOption
    @Option(help: "The hotline number texted (default: the default_studio's first number).")
    var to: String?

    func run() async throws {
        CLI.bootstrapLogging(.error)
        let logger = Logger(label: "hotline")
        let hotline = try CLI.parts(CLI.paths(files, db), logger: logger)
        let deployment = hotline.settings.deployment
        guard let number = to.map({ PhoneNumber.normalize($0, defaultCountryCode: deployment.defaultCountryCode) })
                ?? (deployment.defaultStudio.flatMap(deployment.studio(id:)) ?? deployment.studios.first)?.hotlineNumbers.first,
              let studio = deployment.studio(forHotline: number) else {
            throw CLI.fail("no studio has the hotline number \(to ?? "-")")
        }
        let console = ConsoleSender(studio: studio)
        let dispatcher = OutboxDispatcher(hotline, senders: .all(hotline.settings.channels, console))
        let channel = ChannelSettings(id: "simulate", kind: .json)
        let intake = IntakeService(hotline)
        CLI.printLine("\(studio.name) (\(number)). Type `PHONE: TEXT`, e.g. +8613700000001: 小区停水三天了 — Ctrl-D to quit.")
        _ = try hotline.database.recoverInterruptedSends(now: hotline.clock.now())
        while let line = readLine() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let colon = trimmed.firstIndex(where: { $0 == ":" || $0 == ":" }) else {
                CLI.printLine("? write PHONE: TEXT, e.g. +8613700000001: 小区停水三天了")
                continue
            }
            let phone = PhoneNumber.normalize(String(trimmed[..<colon]), defaultCountryCode: deployment.defaultCountryCode)
            let text = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard phone.count >= 5, !text.isEmpty else {
                CLI.printLine("? write PHONE: TEXT, e.g. +8613700000001: 小区停水三天了")
                continue
            }
            let inbound = InboundText(providerID: "sim-\(UUID().uuidString)", from: phone, to: number, text: text)
            do {
                let receipt = try await intake.receive(inbound, channel: channel)
                CLI.printLine("  stored message #\(receipt.messageID)" + (receipt.caseNumber.map { ", case \(studio.id)-\($0)" } ?? ""))
                while try await dispatcher.drainOnce() > 0 {}
            } catch {
                CLI.printLine("! \(error)")
            }
        }
    }
}

/// Prints each outbound message instead of sending it.
struct ConsoleSender: MessageSender {
    let studio: Studio

    func send(_ item: OutboxItem) async -> SendOutcome {
        let who = studio.person(phone: item.to).map { "\($0.name) \($0.id)" } ?? "resident"
        CLI.printLine("  → \(item.to) (\(who)): \(item.text)")
        return .accepted(providerID: "console-\(item.messageID)")
    }
}
