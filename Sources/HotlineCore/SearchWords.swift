import Foundation

/// The words a case's text is found by: its text normalised (``TextNormalizer``: widths, script,
/// case), each run of Chinese cut into overlapping two-character words (`小区停水` → `小区 区停 停水`,
/// so that any two-character word in it is found; Chinese has no spaces to split on), and each run
/// of letters and digits as one word. Storage keeps them in a full-text index.
public enum SearchWords {
    /// The words of `text`, in order (repeats kept).
    public static func of(_ text: String) -> [String] {
        var words: [String] = []
        var run: [Unicode.Scalar] = [], latin = String.UnicodeScalarView()
        func endRun() {
            if run.count == 1 { words.append(String(Character(run[0]))) }
            for i in run.indices.dropLast() { var w = String.UnicodeScalarView(); w.append(run[i]); w.append(run[i + 1]); words.append(String(w)) }
            run.removeAll(keepingCapacity: true)
        }
        func endLatin() {
            if !latin.isEmpty { words.append(String(latin)) }
            latin = String.UnicodeScalarView()
        }
        for s in TextNormalizer.scalars(text) {
            if isHan(s) {
                endLatin()
                run.append(s)
            } else if s.isASCII, s.properties.isAlphabetic || ("0"..."9").contains(s) {
                endRun()
                latin.append(s)
            } else {
                endRun()
                endLatin()
            }
        }
        endRun()
        endLatin()
        return words
    }

    /// The full-text query for what a person typed: every word it has must be in the text (Latin
    /// words as prefixes); nil when it has a word the index does not hold whole — a single Chinese
    /// character, or digits (part of a number is searched anywhere in it) — which only a scan finds.
    public static func query(_ typed: String) -> String? {
        let words = of(typed)
        guard !words.isEmpty, !words.contains(where: { $0.unicodeScalars.count == 1 && isHan($0.unicodeScalars.first!) }),
              !words.contains(where: { $0.unicodeScalars.allSatisfy { ("0"..."9").contains($0) } }) else { return nil }
        return words.map { w in w.unicodeScalars.allSatisfy(\.isASCII) ? "\"\(w)\"*" : "\"\(w)\"" }.joined(separator: " AND ")
    }

    static func isHan(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F: true
        default: false
        }
    }
}
