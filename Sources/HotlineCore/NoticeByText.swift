import Foundation

/// A liaison's notice by text: `通知 全体委员 周三下午3点在工作室开协商会` (pure).
public enum NoticeByText {
    /// The audience word the text starts with, and the rest as written: `全体委员` / `委员` (every
    /// member), `联络员`, `<area>委员` (members linked to it), `<area>居民` (its residents), `关注者` / `粉丝` (the WeChat
    /// account's followers); areas by
    /// name or alias, Traditional or Simplified. Nil when no audience word leads the text.
    public static func audience(in text: String, studio: Studio) -> (part: AudiencePart, body: String)? {
        var words: [(String, AudiencePart)] = [("全体委员", .members), ("所有委员", .members), ("全体", .members), ("委员", .members),
                                               ("联络员", .liaisons), ("公众号关注者", .followers), ("关注者", .followers), ("粉丝", .followers)]
        for area in studio.areas {
            for name in [area.id] + area.aliases {
                let n = TextNormalizer.normalize(name).filter { !$0.isWhitespace }
                words.append((n + "委员", .membersOfArea(area.id)))
                words.append((n + "居民", .residentsOfArea(area.id)))
                words.append((n + "群众", .residentsOfArea(area.id)))
            }
        }
        var cursor = Cursor(text)
        cursor.skipSeparators()
        for (word, part) in words.sorted(by: { $0.0.count > $1.0.count }) {
            var c = cursor
            guard c.consume(word: word) else { continue }
            c.skipSeparators()
            return (part, c.rest)
        }
        return nil
    }
}
