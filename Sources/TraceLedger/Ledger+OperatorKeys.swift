import Synchronization
import TraceCrypto

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

    /// Opens a checkpoint note saved earlier (`trace verify --since`) with the key that signs its
    /// size, followed from the genesis key. Nothing before a saved checkpoint is checked again,
    /// so each rotation below its size is checked here: read from the store, its signature
    /// verified with the key then in force, and proved included in the note's own tree.
    public func openSaved(_ note: String) throws -> Checkpoint {
        let size = try Checkpoint(text: SignedNote(parsing: note).text).size
        let chain = try operatorKeys()
        let rotations = chain.links.compactMap(\.entry).filter { $0 < size }
        // A ledger shorter than the note cannot prove anything in it; `verify` reports it as behind.
        guard size <= (try self.size()) else { return try chain.open(note) }
        let proved = try inclusionProofs(rotations, treeSize: size)
        var keys = OperatorKeys(genesis: metadata.operatorKey)
        for (proof, bytes) in proved {
            try keys.applyChecked(seq: proof.index, bytes: bytes, origin: metadata.origin)
        }
        let checkpoint = try keys.open(note)
        for (proof, bytes) in proved {
            guard
                MerkleVerification.verifyInclusion(
                    index: proof.index, size: size, leafHash: Merkle.leafHash(bytes), proof: proof.hashes,
                    root: checkpoint.root)
            else {
                throw LedgerError(
                    .badProof,
                    "entry \(proof.index), the operator key rotation, is not in the tree of the saved checkpoint of size \(size): "
                        + "the store's copy was changed",
                    entry: proof.index)
            }
        }
        return checkpoint
    }
}
