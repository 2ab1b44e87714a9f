import Foundation

/// Opaque ids for natural persons: a person's id is written into a log that is never rewritten,
/// so it must not carry their name.
enum PersonID {
    /// `p-` and 10 random lower-case letters and digits (about 50 bits).
    static func generate() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        var rng = SystemRandomNumberGenerator()
        return "p-" + String((0..<10).map { _ in alphabet[Int(rng.next(upperBound: UInt32(alphabet.count)))] })
    }

    /// Text without diacritics, lower-cased: "Nguyễn Văn Bảy" as "nguyen van bay" (đ as d).
    static func plain(_ text: String) -> String {
        text.replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "Đ", with: "D")
            .folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en_US_POSIX"))
    }

    /// The word of `name` (three letters or more, compared without diacritics) that `id`
    /// contains as one of its `-`/`_`-separated parts, or the whole name run together; nil if none.
    static func nameIn(_ id: String, name: String) -> String? {
        let idPlain = plain(id)
        let parts = Set(idPlain.split(whereSeparator: { $0 == "-" || $0 == "_" }).map(String.init))
        let words = plain(name).split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        if words.count > 1, idPlain.filter({ $0.isLetter || $0.isNumber }).contains(words.joined()) { return name }
        return words.first { $0.count >= 3 && parts.contains($0) }
    }
}
