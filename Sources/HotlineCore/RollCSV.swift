import Foundation

/// One participant on a roll (a 1+6+X roll of a deliberation meeting): their seat is the roll's own
/// word for it (召集人, 居民代表, 利益相关方 …), data rather than code.
public struct RollEntry: Sendable, Equatable {
    public var name: String
    /// Normalised.
    public var phone: String
    public var role: String
    public var area: String?

    public init(name: String, phone: String, role: String, area: String? = nil) {
        self.name = name
        self.phone = phone
        self.role = role
        self.area = area
    }
}

/// Why an area written in a roll file is not one of the studio's.
public struct RollAreaProblem: Error, Sendable, ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    public var text: String
    public init(stringLiteral value: String) { text = value }
    public init(_ text: String) { self.text = text }
}

/// A problem with one row of a roll file.
public struct RollRowError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line of the file.
    public var line: Int
    public var problem: String
    public var description: String { "row \(line): \(problem)" }

    public init(line: Int, problem: String) {
        self.line = line
        self.problem = problem
    }
}

/// Every row of a roll file that cannot be read.
public struct RollFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var rows: [RollRowError]
    public var description: String { rows.map(\.description).joined(separator: "\n") }
}

/// Reads a roll from the CSV that Excel writes: `name,phone,role,area` (or 姓名,电话,角色,片区) with a
/// header row; UTF-8 with or without a byte-order mark, or GB18030 (what Chinese Excel writes by
/// default); quoted fields, CRLF line ends.
public enum RollCSV {
    /// GB18030, as Foundation names it (kCFStringEncodingGB_18030_2000).
    static let gb18030 = String.Encoding(rawValue: 0x8000_0632)

    /// The file's text: UTF-8 (a BOM dropped) when it is valid UTF-8, else GB18030.
    public static func decode(_ data: Data) -> String? {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return String(data: bytes, encoding: gb18030)
    }

    static let headers: [String: String] = [
        "name": "name", "姓名": "name", "phone": "phone", "电话": "phone", "手机": "phone", "手机号": "phone", "手机号码": "phone",
        "role": "role", "角色": "role", "身份": "role", "area": "area", "片区": "area", "社区": "area", "村": "area", "社区/村": "area",
    ]

    /// The longest roll name, and the longest name or seat of a participant, in characters.
    public static let maxName = 40

    /// Why `name` cannot name a roll (nil: it can): it is one line of 1 to 40 characters, not blank.
    public static func nameProblem(_ name: String) -> String? {
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}" }) {
            return "a roll's name is one line without control characters: \(shown(name))"
        }
        if name.trimmingCharacters(in: .whitespaces).isEmpty { return "a roll needs a name" }
        if name.count > maxName { return "a roll's name is at most \(maxName) characters, not \(name.count)" }
        return nil
    }

    /// A cell as an operator's terminal may show it: control characters (an escape sequence's ESC
    /// too) and text-direction overrides written out as `\u{1b}`, at most 40 characters.
    public static func shown(_ cell: String) -> String {
        var out = ""
        for s in cell.unicodeScalars.prefix(maxName) {
            switch s.value {
            case 0x00..<0x20, 0x7F, 0x80...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: out += "\\u{\(String(s.value, radix: 16))}"
            default: out.unicodeScalars.append(s)
            }
        }
        return cell.unicodeScalars.count > maxName ? out + "…" : out
    }

    /// The roll's entries, or every row's problem.
    /// - Parameter area: checks an area as written and answers its canonical name (or the problem).
    public static func parse(_ data: Data, defaultArea: String? = nil, countryCode: String = "86",
                             area check: (String) -> Result<String, RollAreaProblem> = { .success($0) }) -> Result<[RollEntry], RollFileError> {
        guard let text = decode(data) else { return .failure(RollFileError(rows: [RollRowError(line: 1, problem: "the file is neither UTF-8 nor GB18030 text")])) }
        let rows = records(text)
        guard let (headerLine, header) = rows.first(where: { !$0.fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }) else {
            return .failure(RollFileError(rows: [RollRowError(line: 1, problem: "the file is empty")]))
        }
        var columns: [String: Int] = [:]
        for (i, raw) in header.enumerated() {
            let key = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if let column = headers[key], columns[column] == nil { columns[column] = i }
        }
        let missing = ["name", "phone", "role"].filter { columns[$0] == nil }
        guard missing.isEmpty else {
            return .failure(RollFileError(rows: [RollRowError(line: headerLine, problem: "the header row needs columns name, phone and role (or 姓名, 电话, 角色); missing \(missing.joined(separator: ", ")), found: \(shown(header.joined(separator: ",")))")]))
        }
        var entries: [RollEntry] = []
        var errors: [RollRowError] = []
        var seen: [String: Int] = [:]
        for (line, fields) in rows where line > headerLine {
            func field(_ name: String) -> String {
                guard let i = columns[name], i < fields.count else { return "" }
                return fields[i].trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            let name = field("name"), rawPhone = field("phone"), role = field("role")
            var area = field("area").isEmpty ? defaultArea : field("area")
            var problems: [String] = []
            if let written = area {
                switch check(written) {
                case let .success(canonical): area = canonical
                case let .failure(problem): problems.append(problem.text)
                }
            }
            if name.isEmpty { problems.append("name is empty") }
            if role.isEmpty { problems.append("role is empty") }
            for (column, value) in [("name", name), ("role", role), ("area", field("area"))] {
                if SpreadsheetCell.isFormula(value) {
                    problems.append("\(column) '\(shown(value))' starts with '\(shown(String(value.prefix(1))))', which a spreadsheet runs as a formula")
                } else if value.count > maxName {
                    problems.append("\(column) is longer than \(maxName) characters")
                } else if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                    problems.append("\(column) '\(shown(value))' has control characters")
                }
            }
            // Excel turns a long number into 1.38E+10: say so rather than "not a number".
            let phone = PhoneNumber.normalize(rawPhone, defaultCountryCode: countryCode)
            if rawPhone.isEmpty {
                problems.append("phone is empty")
            } else if rawPhone.uppercased().contains("E+") {
                problems.append("phone '\(shown(rawPhone))' was turned into a number by Excel: format the column as text")
            } else if !NoticePlanner.isTextable(phone) || rawPhone.contains(where: { $0.isLetter }) {
                problems.append("phone '\(shown(rawPhone))' is not a mobile number")
            } else if let first = seen[phone] {
                problems.append("phone \(shown(rawPhone)) is already on row \(first)")
            }
            if !problems.isEmpty {
                errors.append(RollRowError(line: line, problem: problems.joined(separator: "; ")))
                continue
            }
            seen[phone] = line
            entries.append(RollEntry(name: name, phone: phone, role: role, area: area))
        }
        if !errors.isEmpty { return .failure(RollFileError(rows: errors)) }
        if entries.isEmpty { return .failure(RollFileError(rows: [RollRowError(line: headerLine, problem: "no participants below the header row")])) }
        return .success(entries)
    }

    /// CSV records with the line each starts on: fields split on commas, quotes honoured (a quoted
    /// field may hold commas, doubled quotes and line breaks).
    static func records(_ text: String) -> [(line: Int, fields: [String])] {
        var records: [(Int, [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1, start = 1
        var chars = text.makeIterator()
        var pending: Character?
        while let c = pending ?? chars.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = chars.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: quoted = true
            case ",": fields.append(field); field = ""
            case "\n", "\r\n", "\r":
                fields.append(field); field = ""
                records.append((start, fields)); fields = []
                line += 1; start = line
            default: field.append(c)
            }
        }
        if !field.isEmpty || !fields.isEmpty { fields.append(field); records.append((start, fields)) }
        return records
    }
}

/// A cell of a CSV file that Excel or WPS will open.
public enum SpreadsheetCell {
    /// Whether a spreadsheet would take `cell` for a formula (`=`, `+`, `-`, `@`, their full-width
    /// forms, or a tab or line break first). Rolls refuse such cells; exports neutralise them.
    public static func isFormula(_ cell: String) -> Bool {
        guard let first = cell.unicodeScalars.first else { return false }
        return "=+-@\t\r\n＝＋－＠".unicodeScalars.contains(first)
    }

    /// `cell` as an export writes it: a formula-like cell gets a leading `'`, so it shows as text.
    public static func neutralised(_ cell: String) -> String { isFormula(cell) ? "'" + cell : cell }
}
