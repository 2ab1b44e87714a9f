import Synchronization

extension VerifierKey {
    /// `init(_:)` with the keys already parsed in this process remembered: a ledger names its few
    /// signers' keys in every entry, and parsing one (base64, its SHA-256 key hash, the name check)
    /// cost about 24k instructions an entry of a full verify, by callgrind.
    public static func parsing(_ text: String) throws -> VerifierKey {
        if let known = parsed.withLock({ $0[text] }) { return known }
        let key = try VerifierKey(text)
        parsed.withLock { cache in
            // A bound, so a hostile stream of distinct keys cannot grow memory without end.
            if cache.count >= parsedLimit { cache.removeAll(keepingCapacity: true) }
            cache[text] = key
        }
        return key
    }

    private static let parsedLimit = 4096
    private static let parsed = Mutex<[String: VerifierKey]>([:])
}
