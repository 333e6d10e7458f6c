import Crypto
import Foundation
import HotlineCore
import HotlineStorage

/// `绑定 13700000001` and `绑定 123456`: a WeChat follower binds a phone number they hold.
extension CaseDesk {
    /// Answers a `绑定 …` text from `address`.
    func bind(_ request: PhoneBinding.Request, for address: String) throws -> Handled {
        // A number texting the hotline is already that number: binding is for a channel's own contacts.
        guard !PhoneNumber.isDialable(address) else {
            try tell(phone: address, "resident.bind.phone", [:], kind: .commandReply)
            return Handled(queued: queued)
        }
        switch request {
        case .help:
            try tell(phone: address, "resident.bind.help", [:], kind: .commandReply)
        case let .phone(written):
            let phone = PhoneNumber.normalize(written, defaultCountryCode: deployment.defaultCountryCode)
            // A mobile number, and none of the hotline's own (a code texted to the hotline would go nowhere).
            guard phone.hasPrefix("+"), PhoneNumber.digitCount(in: phone) >= 10,
                  !deployment.hotlineKeys.contains(PhoneNumber.nationalKey(phone, countryCode: deployment.defaultCountryCode)) else {
                try tell(phone: address, "resident.bind.help", [:], kind: .commandReply)
                return Handled(queued: queued)
            }
            // The code goes by SMS: the studio needs a channel that reaches phones.
            guard channels.first(where: { $0.id == rosterChannel })?.kind.reach == .phones else {
                try tell(phone: address, "resident.bind.unavailable", [:], kind: .commandReply)
                return Handled(queued: queued)
            }
            var generator = SystemRandomNumberGenerator()
            let code = PhoneBinding.newCode(using: &generator), minutes = String(Int(PhoneBinding.codeLifetime / 60))
            let masked = ["phone": PhoneNumber.mask(phone), "minutes": minutes]
            guard try ledger.startBinding(studio: studio.id, follower: address, phone: phone, codeHash: Self.codeHash(code, follower: address)) == .started else {
                try tell(phone: address, "resident.bind.toomany", masked, kind: .commandReply)
                return Handled(queued: queued)
            }
            try queue(to: phone, "bind.code", ["code": code, "minutes": minutes], caseID: nil,
                      kind: .commandReply, traditional: false, via: (rosterChannel, from))
            try tell(phone: address, "resident.bind.sent", masked, kind: .commandReply)
        case let .code(code):
            switch try ledger.confirmBinding(studio: studio.id, follower: address, codeHash: Self.codeHash(code, follower: address)) {
            case let .bound(phone):
                try tell(phone: address, "resident.bind.done", ["phone": PhoneNumber.mask(phone)], kind: .commandReply)
                // What WeChat could not carry meanwhile goes to the number now.
                let redirected = try ledger.redirectWaiting(studio: studio.id, follower: address, to: phone, via: SMSRoute(channel: rosterChannel, from: from))
                countQueued(redirected)
            case let .wrong(left) where left > 0:
                try tell(phone: address, "resident.bind.wrong", ["left": String(left)], kind: .commandReply)
            case .wrong, .noCode:
                try tell(phone: address, "resident.bind.nocode", [:], kind: .commandReply)
            }
        }
        return Handled(queued: queued)
    }

    /// Only a code's hash is stored, salted with the follower's address.
    static func codeHash(_ code: String, follower: String) -> String {
        SHA256.hash(data: Data("hotline-bind|\(follower)|\(code)".utf8)).lowercaseHex
    }
}
