import Synchronization

extension Ledger {
    /// The operator's key chain from genesis to the end of the ledger (as `reader` sees it, when
    /// given). Rotations are found by their event ids (`OperatorKeys.eventID`) through the
    /// store's index, so this costs a look-up per rotation, not a read of the ledger.
    public func operatorKeys(using reader: (any LedgerReader)? = nil) throws -> OperatorKeys {
        func follow(_ reader: any LedgerReader) throws -> OperatorKeys {
            let size = try reader.size()
            var keys = keyChain.withLock { $0 } ?? OperatorKeys(genesis: metadata.operatorKey)
            if keys.links.contains(where: { ($0.entry ?? 0) >= size && $0.entry != nil }) { return keys.prefix(size: size) }
            while let seq = try reader.seq(forEventID: OperatorKeys.eventID(keys.links.count)), seq < size {
                guard let bytes = try reader.entryBytes(seq) else {
                    throw LedgerError(.entryMissing, "entry \(seq), an operator key rotation, is missing", entry: seq)
                }
                let before = keys.links.count
                try keys.apply(seq: seq, bytes: bytes, origin: metadata.origin)
                // An entry with that id that is not a rotation (the domain refuses such ids for
                // other events) ends the chain.
                if keys.links.count == before { break }
            }
            let done = keys
            keyChain.withLock { cached in if (cached?.links.count ?? 0) <= done.links.count { cached = done } }
            return keys
        }
        if let reader { return try follow(reader) }
        return try store.read { try follow($0) }
    }
}
