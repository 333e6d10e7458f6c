import Foundation
import HotlineCore

/// Reads one `studios/*.yaml` file into a ``Studio``, reporting each bad entry with its line.
struct StudioLoader {
    let file: String
    let countryCode: String
    /// Sector ids defined in hotline.yaml.
    let sectors: Set<String>
    /// The deployment's follow-through settings, which a studio's `sla:` overrides.
    let sla: SLASettings
    /// The rule table's topics, to check the studio's `sla.topics` against (nil: form only).
    let topics: TopicCatalog?
    /// SMS parts allowed per channel id (a studio's templates must fit its outbound channel's).
    var maxParts: [String: Int] = [:]
    /// Problems that do not stop the rest of the file from being read.
    let errors: (ConfigError) -> Void

    static let keys: Set<String> = [
        "id", "name", "hotline_numbers", "time_zone", "outbound_channel", "duty", "areas", "roster", "residents", "templates", "facts", "sla",
        "departments",
    ]

    func studio(_ root: YAMLValue) throws(ConfigError) -> Studio {
        let keys = try root.mapping(allowed: Self.keys, what: "studio")
        func required(_ key: String) throws(ConfigError) -> YAMLValue {
            guard let v = keys[key] else { throw root.error("studio: '\(key)' is missing") }
            return v
        }
        let id = try required("id").string("id")
        if id.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_")) }) {
            throw try required("id").error("studio id '\(id)' must be ASCII letters, digits or _ (it appears in case references like \(id)-12)")
        }
        let numbers = try required("hotline_numbers").strings("hotline_numbers").map { PhoneNumber.normalize($0, defaultCountryCode: countryCode) }
        let zoneValue = try required("time_zone")
        let zoneName = try zoneValue.string("time_zone")
        guard let zone = TimeZone(identifier: zoneName) else { throw zoneValue.error("unknown time zone '\(zoneName)' (e.g. Asia/Shanghai)") }

        var areas: [Area] = []
        for item in try keys["areas"]?.list("areas") ?? [] {
            do throws(ConfigError) {
                let a = try item.mapping(allowed: ["name", "aliases"], what: "area")
                guard let name = a["name"] else { throw item.error("area: 'name' is missing") }
                let area = Area(id: try name.string("area name"), aliases: try a["aliases"]?.strings("aliases") ?? [])
                if areas.contains(where: { $0.id == area.id }) { throw item.error("area '\(area.id)' is listed twice") }
                areas.append(area)
            } catch { errors(error) }
        }
        let areaIDs = Set(areas.map(\.id))

        var roster: [RosterEntry] = []
        for item in try keys["roster"]?.list("roster") ?? [] {
            do throws(ConfigError) {
                let person = try rosterEntry(item, areas: areaIDs)
                if roster.contains(where: { $0.id == person.id }) { throw item.error("roster id '\(person.id)' is used twice") }
                if roster.contains(where: { $0.phone == person.phone }) { throw item.error("\(person.id): phone is already another roster entry's") }
                roster.append(person)
            } catch { errors(error) }
        }
        if !roster.contains(where: \.role.isStaff) {
            errors(root.error("studio \(id) has no liaison or coordinator: unclassified cases would have nobody to go to"))
        }

        var duty: [Weekday: [String]] = [:]
        if let d = keys["duty"] {
            for (dayName, who) in try d.pairs(what: "duty") {
                guard let day = Weekday(name: dayName) else { errors(who.error("duty: '\(dayName)' is not a weekday")); continue }
                let ids = try who.strings("duty \(dayName)")
                for pid in ids where !roster.contains(where: { $0.id == pid }) {
                    errors(who.error("duty \(dayName): '\(pid)' is not on the roster"))
                }
                duty[day] = ids
            }
        }

        var departments: [Department] = []
        for item in try keys["departments"]?.list("departments") ?? [] {
            do throws(ConfigError) {
                let d = try item.mapping(allowed: ["name", "aliases", "phone", "days"], what: "department")
                guard let name = d["name"] else { throw item.error("department: 'name' is missing") }
                var phone: String?
                if let p = d["phone"] { phone = PhoneNumber.normalize(try p.string("phone"), defaultCountryCode: countryCode) }
                let department = Department(name: try name.string("department name"), aliases: try d["aliases"]?.strings("aliases") ?? [],
                                            phone: phone, days: try d["days"]?.double("days", in: 0.1...365))
                for n in department.names {
                    if departments.contains(where: { $0.names.contains(n) }) { throw item.error("department name '\(n)' is listed twice") }
                    if roster.contains(where: { $0.name == n || $0.id == n }) { throw item.error("department name '\(n)' is also a roster entry's") }
                }
                departments.append(department)
            } catch { errors(error) }
        }

        var residents: [KnownResident] = []
        for item in try keys["residents"]?.list("residents") ?? [] {
            do throws(ConfigError) {
                let r = try item.mapping(allowed: ["phone", "area"], what: "resident")
                guard let phone = r["phone"], let area = r["area"] else { throw item.error("resident: needs 'phone' and 'area'") }
                let areaName = try area.string("area")
                guard areaIDs.contains(areaName) else { throw area.error("resident: area '\(areaName)' is not one of this studio's areas") }
                residents.append(KnownResident(phone: PhoneNumber.normalize(try phone.string("phone"), defaultCountryCode: countryCode), area: areaName))
            } catch { errors(error) }
        }

        var templates: [String: String] = [:]
        if let t = keys["templates"] {
            for (name, value) in try t.pairs(what: "templates") {
                do throws(ConfigError) {
                    guard let builtIn = ReplyTemplates.defaults[name] else {
                        throw value.error("templates: unknown template '\(name)' (known: \(ReplyTemplates.defaults.keys.sorted().joined(separator: ", ")))")
                    }
                    let text = try value.string("template \(name)")
                    let allowed = Set(ReplyTemplates.placeholders(in: builtIn)).union(["studio"])
                    for p in ReplyTemplates.placeholders(in: text) where !allowed.contains(p) {
                        throw value.error("template \(name): unknown placeholder {\(p)} (allowed: \(allowed.sorted().map { "{\($0)}" }.joined(separator: " ")))")
                    }
                    let outbound = (try? keys["outbound_channel"]?.string("outbound_channel")) ?? ""
                    if let limit = maxParts[outbound] {
                        let sample = ReplyTemplates.sample(text, studio: (try? keys["name"]?.string("name")) ?? "")
                        let parts = SMSSegments.parts(of: sample)
                        if parts > limit {
                            throw value.error("template \(name): with typical values it takes \(parts) SMS parts, more than channel '\(outbound)' allows (max_parts \(limit))")
                        }
                    }
                    templates[name] = text
                } catch { errors(error) }
            }
        }

        var facts: [String: String] = [:]
        if let f = keys["facts"] {
            for (name, value) in try f.pairs(what: "facts") {
                do throws(ConfigError) { facts[name] = try value.string("fact \(name)") } catch { errors(error) }
            }
        }

        var studioSLA = sla
        if let v = keys["sla"] { studioSLA = try ConfigLoader.slaSettings(v, over: sla, topics: topics) }
        return Studio(
            id: id, name: try required("name").string("name"), hotlineNumbers: numbers, timeZone: zone, duty: duty,
            roster: roster, areas: areas, departments: departments, residents: residents,
            outboundChannel: try required("outbound_channel").string("outbound_channel"), templates: templates, facts: facts, sla: studioSLA)
    }

    func rosterEntry(_ item: YAMLValue, areas: Set<String>) throws(ConfigError) -> RosterEntry {
        let p = try item.mapping(allowed: ["id", "name", "phone", "role", "sector", "areas"], what: "roster entry")
        for key in ["id", "name", "phone", "role"] where p[key] == nil {
            throw item.error("roster entry: '\(key)' is missing")
        }
        let id = try p["id"]!.string("id")
        let roleName = try p["role"]!.string("role")
        guard let role = RosterRole(rawValue: roleName) else {
            throw p["role"]!.error("\(id): unknown role '\(roleName)' (member, liaison or coordinator)")
        }
        let phone = PhoneNumber.normalize(try p["phone"]!.string("phone"), defaultCountryCode: countryCode)
        guard phone.hasPrefix("+"), phone.count >= 8 else { throw p["phone"]!.error("\(id): '\(phone)' is not a phone number") }
        var linked = try p["areas"]?.strings("areas") ?? []
        if linked == ["all"] { linked = role.isStaff ? [] : Array(areas).sorted() }
        for a in linked where !areas.contains(a) {
            throw p["areas"]!.error("\(id): area '\(a)' is not one of this studio's areas")
        }
        if role == .member, p["sector"] == nil { throw item.error("\(id): a member needs a 'sector'") }
        if let s = p["sector"], !sectors.contains(try s.string("sector")) {
            throw s.error("\(id): sector '\(try s.string("sector"))' is not defined in hotline.yaml sectors (\(sectors.sorted().joined(separator: ", ")))")
        }
        return RosterEntry(id: id, name: try p["name"]!.string("name"), phone: phone, role: role,
                           sector: try p["sector"]?.string("sector"), areas: linked)
    }
}
