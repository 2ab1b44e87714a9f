extension SignedNote {
    /// This note with `lines` (note signature lines, each ending in a newline) added after its own,
    /// skipping any line it already has.
    public func adding(lines: [String]) throws -> SignedNote {
        let have = Set(encoded.split(separator: "\n").map(String.init))
        let new = lines.filter { !have.contains(String($0.dropLast())) }
        return try SignedNote(parsing: encoded + new.joined())
    }
}
