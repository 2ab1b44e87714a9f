public import TraceCrypto

extension Ledger {
    /// Signs a checkpoint of the current tree, but only one that extends the last checkpoint
    /// this operator signed (recorded in `state`, outside the store) by a consistency proof: never
    /// a second checkpoint for a size already signed, never one for a shorter or rewritten store.
    /// The record is replaced durably before the checkpoint is stored or shown.
    public func checkpoint(signingWith key: PrivateKey, state: SignerState) throws -> (checkpoint: Checkpoint, note: String) {
        // Inside the write transaction: two signers (a CLI and a server) take turns.
        return try store.write { writer in
            let keys = try operatorKeys(using: writer)
            try Self.requireOperator(key, current: keys.current, origin: metadata.origin)
            let size = try writer.size()
            let tree = MerkleTree(source: writer)
            let root = try tree.root(size: size)
            let recorded = try state.load(keys: keys)
            // With no record beside the key (a ledger made before it, a key copied elsewhere, a
            // lost file), the store's own latest signed checkpoint is the floor: never sign below it.
            let last =
                try recorded
                ?? writer.checkpoint(size: nil).map { stored in
                    (checkpoint: try keys.open(stored.note), note: stored.note)
                }
            if let last {
                try Self.requireExtension(
                    of: last.checkpoint, size: size, root: root, tree: tree, metadata: metadata, state: state)
                if last.checkpoint.size == size {
                    if recorded == nil { try state.save(note: last.note) }
                    try writer.saveCheckpoint(StoredCheckpoint(size: size, note: last.note))
                    return last
                }
            }
            let checkpoint = Checkpoint(origin: metadata.origin, size: size, root: root)
            let note = try checkpoint.sign(with: key, as: keys.current).encoded
            try state.save(note: note)
            try writer.saveCheckpoint(StoredCheckpoint(size: size, note: note))
            return (checkpoint, note)
        }
    }

    /// Throws unless this ledger extends `signed` (a checkpoint its operator signed, or one a
    /// reader trusts): `.behind` when the ledger is shorter, `.fork` when its history differs.
    /// `recordedIn` names where the checkpoint came from, for the message.
    public func requireExtends(_ signed: Checkpoint, recordedIn source: String) throws {
        try store.read { reader in
            let size = try reader.size()
            let tree = MerkleTree(source: reader)
            let root = try tree.root(size: size)
            try Self.requireExtension(
                of: signed, size: size, root: root, tree: tree, metadata: metadata, state: SignerState(path: source))
        }
    }

    private static func requireExtension(
        of last: Checkpoint, size: UInt64, root: Digest, tree: MerkleTree, metadata: LedgerMetadata, state: SignerState
    ) throws {
        guard last.origin == metadata.origin else {
            throw LedgerError(
                .signerState, "\(state.path) holds a checkpoint of \(last.origin), not of this ledger (\(metadata.origin))")
        }
        guard last.size <= size else {
            throw LedgerError(
                .behind,
                "the ledger holds \(size) entries but the operator already signed a checkpoint of \(last.size) (recorded in \(state.path)): "
                    + "entries \(size) to \(last.size - 1) were lost from the store (a backup restored over newer data, or a lost write-ahead log). "
                    + "Signing now would publish a second history (a fork). Recover the missing entries from a replica or a newer backup "
                    + "and start again; never delete \(state.path) to get past this",
                entry: size)
        }
        let proof = ConsistencyProof(
            oldSize: last.size, newSize: size, hashes: try tree.consistencyProof(from: last.size, to: size))
        guard proof.verify(oldRoot: last.root, newRoot: root) else {
            throw LedgerError(
                .fork,
                "the ledger's first \(last.size) entries do not match the checkpoint of size \(last.size) the operator already signed "
                    + "(recorded in \(state.path)): the store's history was rewritten or rolled back and then appended to. "
                    + "Signing now would publish a second history (a fork). Restore the ledger from a replica or backup whose entries "
                    + "match that checkpoint (`trace verify --since \(state.path)` checks one), and start again")
        }
    }

    /// How many entries the ledger lacks behind the operator's last signed checkpoint: 0 when it
    /// holds them all (a read-only replica reports this, it does not refuse to serve).
    public func lag(behind signed: Checkpoint) throws -> UInt64 {
        let size = try size()
        return signed.size > size ? signed.size - size : 0
    }
}
