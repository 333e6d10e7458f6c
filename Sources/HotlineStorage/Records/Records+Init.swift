import Foundation
import HotlineCore

// Public ways to make records outside storage: a history to import (``AppDatabase/importHistory(_:)``)
// is built from them. In extensions, so that storage keeps the memberwise initialisers.

extension CaseRecord {
    /// A case as it stands: what was received, how it was classified and routed, and its
    /// progress (state, assignee, outcome, times and deadlines — ``CaseProgress``).
    public init(studioId: String, number: Int, residentPhone: String, intent: Intent, topic: Topic, area: String? = nil,
                areaSource: AreaSource? = nil, routingReason: RoutingReason? = nil, routingExplanation: String? = nil,
                classification: String, text: String, createdAt: Date, updatedAt: Date? = nil, progress: CaseProgress) {
        self.init(studioId: studioId, number: number, residentPhone: residentPhone, intent: intent, topic: topic, area: area,
                  areaSource: areaSource, assigneeId: nil, state: progress.state, routingReason: routingReason,
                  routingExplanation: routingExplanation, classification: classification, text: text, createdAt: createdAt,
                  updatedAt: updatedAt ?? createdAt)
        self.progress = progress
    }
}

extension MessageRecord {
    /// A text as stored: inbound (`received`) or outbound with what it was for.
    public init(studioId: String, direction: Direction, channel: String, providerId: String? = nil, from: String, to: String,
                text: String, status: Status, kind: OutboundKind? = nil, caseId: Int64? = nil, createdAt: Date, sentAt: Date? = nil) {
        self.init(studioId: studioId, direction: direction, channel: channel, providerId: providerId, fromNumber: from, toNumber: to,
                  text: text, status: status, kind: kind, caseId: caseId, createdAt: createdAt, sentAt: sentAt)
    }
}

extension CaseEventRecord {
    /// An audit-trail entry of the case `caseId` (0 while the case is not stored yet: an import sets it).
    public init(caseId: Int64 = 0, at: Date, actor: String, kind: CaseEventKind, detail: String?) {
        self.init(caseId: caseId, at: at, actor: actor, kind: kind.rawValue, detail: detail)
    }
}

extension ResidentRecord {
    /// A resident known to a studio, with the area they live in.
    public init(studioId: String, phone: String, area: String?, seenAt: Date, optedOutAt: Date? = nil) {
        self.init(studioId: studioId, phone: phone, area: area, firstSeenAt: seenAt, lastSeenAt: seenAt, optedOutAt: optedOutAt)
    }
}
