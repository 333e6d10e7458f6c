/// What may go into a log line: one line per event, and no phone number in full, whatever a
/// request carried (a forged line in a sender field, a number in an error message).
public enum LogText {
    /// `text` with control characters escaped (`\n`, `\u{0}` …), every run of seven or more
    /// digits (a `+` before it included) masked like a phone number, and mobile numbers written
    /// with spaces or dashes (`138 0000 0003`) masked too.
    public static func clean(_ text: String) -> String {
        var needsWork = false
        var digits = 0
        for s in text.unicodeScalars {
            if s.value < 0x20 || s.value == 0x7F || (0x80...0x9F).contains(s.value) || s == "\u{2028}" || s == "\u{2029}" {
                needsWork = true
                break
            }
            if ("0"..."9").contains(s) || ("０"..."９").contains(s) {
                digits += 1
                if digits >= 7 { needsWork = true; break }
            } else {
                digits = 0
            }
        }
        guard needsWork else { return PhoneNumber.maskMobiles(in: text, keep: "") }
        var out = ""
        var run = ""
        func flush() {
            let count = run.unicodeScalars.count { $0 != "+" && $0 != "＋" }
            out += count >= 7 ? PhoneNumber.mask(run) : run
            run = ""
        }
        for s in text.unicodeScalars {
            if ("0"..."9").contains(s) || ("０"..."９").contains(s) || ((s == "+" || s == "＋") && run.isEmpty) {
                run.unicodeScalars.append(s)
                continue
            }
            flush()
            switch s.value {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x00..<0x20, 0x7F, 0x80...0x9F, 0x2028, 0x2029: out += "\\u{\(String(s.value, radix: 16))}"
            default: out.unicodeScalars.append(s)
            }
        }
        flush()
        return PhoneNumber.maskMobiles(in: out, keep: "")
    }
}
