import Synchronization

extension Ledger {
    /// The operator's key chain from genesis to the end of the ledger (as `reader` sees it, when
    /// given). Read once, then only the entries appended since.
    public func operatorKeys(using reader: (any LedgerReader)? = nil) throws -> OperatorKeys {
        func scan(_ reader: any LedgerReader) throws -> OperatorKeys {
            let size = try reader.size()
            var keys = keyChain.withLock { $0 } ?? OperatorKeys(genesis: metadata.operatorKey)
            if keys.size > size { return keys.prefix(size: size) }
            while keys.size < size {
                let chunk = try reader.entries(from: keys.size, limit: 4096)
                guard !chunk.isEmpty else { break }
                for (seq, bytes) in chunk { try keys.apply(seq: seq, bytes: bytes, origin: metadata.origin) }
            }
            let done = keys
            keyChain.withLock { cached in if (cached?.size ?? 0) <= done.size { cached = done } }
            return keys
        }
        if let reader { return try scan(reader) }
        return try store.read { try scan($0) }
    }
}
