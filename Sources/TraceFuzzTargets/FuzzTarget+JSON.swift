import CanonicalJSON

extension FuzzTarget {
    /// RFC 8785 canonical JSON: any bytes parse or are refused; a parsed value's canonical form is a
    /// fixed point that the strict canonical parser accepts.
    static let canonicalJSON = FuzzTarget(name: "canonical-json") { bytes in
        _ = try? CanonicalJSON.parseCanonical(bytes)
        guard let value = try? CanonicalJSON.parse(bytes), let encoded = try? CanonicalJSON.encode(value) else { return }
        let again: JSONValue
        do { again = try CanonicalJSON.parseCanonical(encoded) } catch {
            throw FuzzFailure(target: "", property: "the canonical form is refused by parseCanonical: \(error)", input: [])
        }
        try require((try? CanonicalJSON.encode(again)) == encoded, "encoding the canonical form again changes it")
    }
}
