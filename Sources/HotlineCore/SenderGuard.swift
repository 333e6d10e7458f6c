import Foundation

/// Limits on what one number can make the hotline send: a flood (many texts in a short time) or
/// an auto-responder (a machine answering each of our texts, or two hotlines in a loop) must cost
/// a bounded number of outbound SMS however long it goes on.
public struct SenderLimits: Sendable, Equatable {
    /// Texts from one number within `window` that are answered as usual; beyond them one "please
    /// wait" to the sender and one alert to a liaison, then silence while the flood goes on.
    public var maxTexts: Int
    public var window: TimeInterval
    /// A reply to our last text faster than this is not typed by a person.
    public var minReplySeconds: TimeInterval
    /// This many machine-like texts in a row (too fast, or the same text again and again) mark the
    /// number as an auto-responder (a text that echoes one of ours does at once). Above `maxTexts`
    /// by default, so that a fast flood is treated as a flood (one "please wait").
    public var machineReplies: Int
    /// How long a number found to be an auto-responder gets no replies (each text from it while
    /// muted starts the time again, so a loop never resumes).
    public var muteHours: Double
    /// Texts from a member's or liaison's number within `window` that are acted on: more than a
    /// resident's, since a member works through a queue by text; beyond them one "please wait"
    /// and one alert, then nothing until it pauses for a window.
    public var rosterMaxTexts: Int
    /// A member's or liaison's texts that are no command, passed on to the liaisons within
    /// `window`: each costs a text to every other liaison and a receipt, so few.
    public var rosterMaxForwards: Int
    /// And at most this many within a day: two liaisons' auto-responders answering each other's
    /// forwarded texts minutes apart stay under any window's limit, and would loop for ever.
    public var rosterMaxForwardsPerDay: Int

    public init(maxTexts: Int = 5, window: TimeInterval = 600, minReplySeconds: TimeInterval = 3, machineReplies: Int = 6,
                muteHours: Double = 24, rosterMaxTexts: Int = 20, rosterMaxForwards: Int = 3, rosterMaxForwardsPerDay: Int = 20) {
        self.rosterMaxForwardsPerDay = rosterMaxForwardsPerDay
        self.rosterMaxTexts = rosterMaxTexts
        self.rosterMaxForwards = rosterMaxForwards
        self.maxTexts = maxTexts
        self.window = window
        self.minReplySeconds = minReplySeconds
        self.machineReplies = machineReplies
        self.muteHours = muteHours
    }
}

/// Why a number gets no replies for now.
public enum MuteReason: String, Sendable, Codable {
    /// More texts than `max_texts` within the window: quiet until it stops for a window.
    case flood
    /// Echoes our texts or answers faster than a person types: quiet for `mute_hours` after its last text.
    case autoResponder = "auto-responder"
}

/// What the service knows about a sender when a new text of theirs arrives (read in the intake transaction).
public struct SenderActivity: Sendable, Equatable {
    /// Their texts within the window, this one included.
    public var recentTexts: Int
    /// Their texts within the window identical to this one, this one included.
    public var sameTexts: Int
    /// The texts we sent them within the window, newest first, with when each was queued.
    public var sentToThem: [(at: Date, text: String)]
    /// Machine-like texts in a row before this one.
    public var machineStreak: Int
    /// The current mute, if any.
    public var mutedUntil: Date?
    public var muteReason: MuteReason?
    /// A roster number's texts passed on to the liaisons within the window, and within the last
    /// day (read for roster numbers only).
    public var forwards: Int
    public var forwardsToday: Int

    public init(recentTexts: Int, sameTexts: Int = 1, sentToThem: [(at: Date, text: String)] = [], machineStreak: Int = 0,
                mutedUntil: Date? = nil, muteReason: MuteReason? = nil, forwards: Int = 0, forwardsToday: Int? = nil) {
        self.forwards = forwards
        self.forwardsToday = forwardsToday ?? forwards
        self.recentTexts = recentTexts
        self.sameTexts = sameTexts
        self.sentToThem = sentToThem
        self.machineStreak = machineStreak
        self.mutedUntil = mutedUntil
        self.muteReason = muteReason
    }

    public static func == (a: SenderActivity, b: SenderActivity) -> Bool {
        a.recentTexts == b.recentTexts && a.sameTexts == b.sameTexts && a.machineStreak == b.machineStreak
            && a.mutedUntil == b.mutedUntil && a.muteReason == b.muteReason && a.forwards == b.forwards && a.forwardsToday == b.forwardsToday
            && a.sentToThem.map(\.at) == b.sentToThem.map(\.at) && a.sentToThem.map(\.text) == b.sentToThem.map(\.text)
    }
}

/// The guard's verdict on one text.
public struct SenderVerdict: Sendable, Equatable {
    public enum Action: String, Sendable, Equatable {
        /// Handle the text as usual.
        case answer
        /// A flood has just begun: one "please wait" to the sender, one alert to a liaison; keep the text.
        case holdFlood = "hold-flood"
        /// The number has just been found to be an auto-responder: alert a liaison, send it nothing; keep the text.
        case stopAutoResponder = "stop-auto-responder"
        /// Muted: keep the text (added to the sender's open case) and send nothing.
        case silent
    }

    public var action: Action
    /// The streak to store.
    public var machineStreak: Int
    /// The mute to store (nil: none).
    public var mutedUntil: Date?
    public var muteReason: MuteReason?
}

/// Decides, for each text from a resident's number, whether the hotline answers it (pure).
public enum SenderGuard {
    /// The verdict on `text` from a sender with `activity`, at `now`. `ownNames` are the studios'
    /// names: a text that opens with `【studio】` is one of our own texts coming back.
    public static func assess(_ text: String, activity a: SenderActivity, limits: SenderLimits, ownNames: [String],
                              now: Date) -> SenderVerdict {
        let echo = isEcho(text, of: a.sentToThem.map(\.text), ownNames: ownNames)
        let fast = a.sentToThem.first.map { now.timeIntervalSince($0.at) < limits.minReplySeconds } ?? false
        let machineLike = echo || fast || a.sameTexts >= 3
        let streak = machineLike ? a.machineStreak + 1 : 0
        let muted = a.mutedUntil.map { $0 > now } ?? false

        // An auto-responder stays muted while it keeps texting: each text starts the time again.
        if muted, a.muteReason == .autoResponder {
            return SenderVerdict(action: .silent, machineStreak: streak, mutedUntil: now + limits.muteHours * 3600, muteReason: .autoResponder)
        }
        if echo {
            return SenderVerdict(action: .stopAutoResponder, machineStreak: streak, mutedUntil: now + limits.muteHours * 3600,
                                 muteReason: .autoResponder)
        }
        if a.recentTexts > limits.maxTexts {
            // The flood's first text past the limit is answered once; then silence until it pauses for a window.
            let action: SenderVerdict.Action = muted && a.muteReason == .flood ? .silent : .holdFlood
            return SenderVerdict(action: action, machineStreak: streak, mutedUntil: now + limits.window, muteReason: .flood)
        }
        // Fewer texts than a flood, but each one too fast or the same again: a machine answering ours.
        if streak >= limits.machineReplies {
            return SenderVerdict(action: .stopAutoResponder, machineStreak: streak, mutedUntil: now + limits.muteHours * 3600,
                                 muteReason: .autoResponder)
        }
        return SenderVerdict(action: .answer, machineStreak: streak, mutedUntil: muted ? a.mutedUntil : nil, muteReason: muted ? a.muteReason : nil)
    }

    /// The verdict on `text` from a member's or liaison's number. `isCommand`: a command or an
    /// answer to a notice (acted on, one reply); otherwise a free text, passed on to the liaisons
    /// within the window's budget. An echo of one of our texts stops the phone; a text that quotes
    /// one of ours (`ownMarkers`, the openings of our texts to the roster, such as `【委员留言】`)
    /// counts as machine-like — it is answered, never passed on (``quotesOurs(_:markers:)``). So two
    /// phones that answer every text, or one that echoes, cost a bounded number of texts.
    public static func assessRoster(_ text: String, isCommand: Bool, activity a: SenderActivity, limits: SenderLimits, ownNames: [String],
                                    ownMarkers: [String], now: Date) -> SenderVerdict {
        let echo = isEcho(text, of: a.sentToThem.map(\.text), ownNames: ownNames)
        let fast = a.sentToThem.first.map { now.timeIntervalSince($0.at) < limits.minReplySeconds } ?? false
        // Members answer our texts with commands at once in tests and on busy days: for a command
        // only an echo or the same text again is machine-like.
        let machineLike = echo || a.sameTexts >= 3 || (fast && !isCommand) || quotesOurs(text, markers: ownMarkers)
        let streak = machineLike ? a.machineStreak + 1 : 0
        let muted = a.mutedUntil.map { $0 > now } ?? false
        let autoResponder = muted && a.muteReason == .autoResponder
        func stop() -> SenderVerdict {
            // One alert a phone: none more when it is already held for a flood.
            SenderVerdict(action: muted ? .silent : .stopAutoResponder, machineStreak: streak, mutedUntil: now + limits.muteHours * 3600,
                          muteReason: .autoResponder)
        }
        func flood() -> SenderVerdict {
            // Extends an auto-responder's mute rather than shortening it to a window.
            if autoResponder { return stop() }
            return SenderVerdict(action: muted && a.muteReason == .flood ? .silent : .holdFlood, machineStreak: streak,
                                 mutedUntil: now + limits.window, muteReason: .flood)
        }
        if echo || streak >= limits.machineReplies { return stop() }
        if a.recentTexts > limits.rosterMaxTexts { return flood() }
        // A person's command is carried out even while their free texts are held.
        if isCommand {
            return SenderVerdict(action: .answer, machineStreak: streak, mutedUntil: muted ? a.mutedUntil : nil, muteReason: muted ? a.muteReason : nil)
        }
        if autoResponder { return stop() }
        if muted || a.forwards >= limits.rosterMaxForwards || a.forwardsToday >= limits.rosterMaxForwardsPerDay { return flood() }
        return SenderVerdict(action: .answer, machineStreak: streak, mutedUntil: nil, muteReason: nil)
    }

    /// Whether a roster text carries one of our texts to the roster (an auto-reply quoting it, or a
    /// person passing an alert on): such a text is never passed on to the liaisons again.
    public static func quotesOurs(_ text: String, markers: [String]) -> Bool {
        markers.contains { text.contains($0) }
    }

    /// Whether `text` is one of ours coming back: the same (or nearly: one inside the other, or
    /// the same once normalised) as a text we sent this number, or opening with a studio's `【name】`.
    static func isEcho(_ text: String, of sent: [String], ownNames: [String]) -> Bool {
        // Most texts are a new resident's, with no 【 and nothing sent to compare: answered without
        // walking the text by characters (1% of the writer's CPU a message).
        guard !sent.isEmpty || text.unicodeScalars.contains("【") else { return false }
        let trimmed = text.trimmed
        if trimmed.hasPrefix("【"), ownNames.contains(where: { trimmed.hasPrefix("【\($0)】") }) { return true }
        // A new resident has been sent nothing: no text to compare (and none to normalise).
        guard !sent.isEmpty else { return false }
        let normal = TextNormalizer.normalize(String(trimmed))
        guard normal.count >= 4 else { return false }
        return sent.contains { ours in
            let theirs = TextNormalizer.normalize(ours)
            return theirs == normal || (normal.count >= 10 && (theirs.contains(normal) || normal.contains(theirs)))
        }
    }
}
