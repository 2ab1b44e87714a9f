import CanonicalJSON
import Dispatch
public import TraceCrypto

extension Ledger {
    /// Verifies the whole ledger: every entry's form, sequence and `prev` link, that it still
    /// matches the leaf hash stored when it was appended, every signature (on all cores), the
    /// genesis entry, every stored checkpoint's signature and root, and the stored tree. `visit`
    /// sees each entry that passed, in order; what it throws stops the walk and is kept in the
    /// report's `refusal`, with the entry.
    ///
    /// Entries stream in chunks, so memory is bounded by `chunkSize`, not by the ledger. The
    /// failure reported is the lowest-numbered bad entry, whichever core found it.
    public func verify(
        trusting operatorKey: VerifierKey? = nil,
        chunkSize: Int = 4096,
        progress: ((_ done: UInt64, _ total: UInt64) -> Void)? = nil,
        since trustedCheckpoint: Checkpoint? = nil,
        visit: ((Entry) throws -> Void)? = nil
    ) throws -> VerificationReport {
        try verify(
            trusting: operatorKey, chunkSize: chunkSize, progress: progress, since: trustedCheckpoint, prepare: { _ in () },
            visit: { entry, _ in try visit?(entry) })
    }

    /// Verifies the whole ledger as `verify(trusting:chunkSize:progress:since:visit:)` does, with
    /// the caller's per-entry work split in two: `prepare` runs on the workers, beside each entry's
    /// parse and signature check, and what it returns reaches `visit` with the entry, in order.
    /// Work that needs no earlier entry (parsing the event into the caller's types, say) then
    /// leaves the one in-order thread, which bounds how far verification scales with cores.
    public func verify<Prepared: Sendable>(
        trusting operatorKey: VerifierKey? = nil,
        chunkSize: Int = 4096,
        progress: ((_ done: UInt64, _ total: UInt64) -> Void)? = nil,
        since trustedCheckpoint: Checkpoint? = nil,
        prepare: @escaping @Sendable (Entry) -> Prepared,
        visit: (Entry, Prepared) throws -> Void
    ) throws -> VerificationReport {
        let trusted = operatorKey ?? metadata.operatorKey
        let (size, stored) = try store.read { (try $0.size(), try $0.checkpoints()) }
        var accumulator = MerkleAccumulator()
        var signatures: UInt64 = 0
        var checked = 0
        var latest: Checkpoint?

        func report(_ failure: LedgerError?, refusal: (any Error)? = nil) -> VerificationReport {
            VerificationReport(
                entries: accumulator.size, signatures: signatures, root: accumulator.root,
                checkpointsChecked: checked, latestCheckpoint: latest, failure: failure, refusal: refusal)
        }

        if trusted != metadata.operatorKey {
            return report(
                LedgerError(
                    .badCheckpoint,
                    "the ledger names operator key \(metadata.operatorKey), not the key you trust (\(trusted))"))
        }
        // Checkpoints after an `operator.rotate` entry are signed by the key it names (the chain
        // from the genesis key the verifier trusts).
        let keys: OperatorKeys
        do { keys = try operatorKeys() } catch let error as LedgerError { return report(error) }
        var checkpoints: [Checkpoint] = []
        for item in stored {
            do {
                let checkpoint = try keys.open(item.note)
                guard checkpoint.origin == metadata.origin, checkpoint.size == item.size else {
                    throw LedgerError(.badCheckpoint, "it names origin \(checkpoint.origin) and size \(checkpoint.size)")
                }
                guard checkpoint.size <= size else {
                    throw LedgerError(
                        .entryMissing,
                        "it covers \(checkpoint.size) entries but the ledger holds only \(size): entry \(size) and after were removed",
                        entry: size)
                }
                checkpoints.append(checkpoint)
            } catch let error as LedgerError {
                return report(
                    LedgerError(
                        error.code == .entryMissing ? .entryMissing : .badCheckpoint,
                        "checkpoint at size \(item.size): \(error.message)", entry: error.entry))
            }
        }
        latest = checkpoints.last

        let hasher = SHA256.Hasher()
        var prev = Digest.zero
        var first: UInt64 = 0
        if let old = trustedCheckpoint {
            do {
                (accumulator, prev) = try resume(from: old, checkpoints: checkpoints, size: size)
            } catch let error as LedgerError {
                return report(error)
            }
            first = old.size
            checkpoints.removeAll { $0.size <= old.size }
        }
        var nextCheckpoint = 0
        var lastGood: UInt64 = 0
        var eventIDs = EventIDIndex()
        var damagedNode: LedgerError?
        // Reading and the per-entry work of the next chunks (on every core) run ahead of the
        // in-order checks of this one, so no core idles while those run; at most two chunks wait.
        let pipe = ChunkPipe<Result<Chunk<Prepared>, LedgerError>?>(capacity: 2)
        let chunk = chunkSize
        let store = self.store
        let firstNew = first
        DispatchQueue.global().async {
            let hasher = SHA256.Hasher()
            var start = firstNew
            while start < size && !pipe.isStopped {
                let limit = Int(min(UInt64(chunk), size - start))
                do {
                    let base = start
                    let (rows, leaves, inner) = try store.read { reader in
                        (
                            try reader.entries(from: base, limit: limit), try reader.leafHashes(from: base, limit: limit),
                            try StoredInnerNodes.read(reader, from: base, count: limit)
                        )
                    }
                    let work = Self.work(rows, base: base, prepare: prepare)
                    // The chunk's own inner nodes are hashed and checked here, off the in-order thread.
                    let tree = ChunkTree(first: base, leaves: work.map(\.leaf), stored: inner, hasher: hasher)
                    pipe.put(
                        .success(
                            Chunk(
                                position: base, limit: limit, rows: rows, leaves: leaves, inner: inner, tree: tree,
                                work: work)))
                } catch let error as LedgerError {
                    pipe.put(.failure(error))
                    break
                } catch {
                    pipe.put(.failure(LedgerError(.store, "store: \(error)")))
                    break
                }
                start += UInt64(limit)
            }
            pipe.put(nil)
        }
        // However this returns, let the producer finish and drain what it made.
        var ended = false
        defer {
            pipe.stop()
            while !ended { ended = pipe.take() == nil }
        }
        var position = first
        while position < size {
            guard let next = pipe.take() else {
                ended = true
                break
            }
            let current: Chunk<Prepared>
            switch consume next {
            case .success(let c): current = c
            case .failure(let error): throw error
            }
            let rows = current.rows
            let leaves = current.leaves
            let work = current.work
            let limit = current.limit
            var structural: LedgerError?
            var bad: Entry?
            for (offset, row) in rows.enumerated() {
                let seq = position + UInt64(offset)
                // Read once: `Checked` is generic here, and each `work[offset]` copies all of it.
                let done = work[offset]
                if let failure = checkEntry(
                    row: row, seq: seq, checked: done.entry, leaf: done.leaf, idKey: done.idKey,
                    genesisTyped: done.genesisTyped, storedLeaf: leaves[offset], prev: prev, hasher: hasher, ids: &eventIDs)
                {
                    structural = failure
                    break
                }
                guard case .success(let entry) = done.entry, let leaf = done.leaf, let prepared = done.prepared
                else { break }
                // Resuming after a trusted checkpoint, the earlier ids are not in memory: the store's
                // unique index says which entry holds each id.
                if first > 0, let owner = try store.read({ try $0.seq(forEventID: entry.signed.id) }), owner != entry.seq {
                    structural = LedgerError(
                        .eventIDConflict,
                        "entry \(entry.seq): event id \(entry.signed.id) was already recorded as entry \(owner)",
                        entry: entry.seq)
                    break
                }
                guard done.signatureOK else {
                    bad = entry
                    break
                }
                // The caller's own checks (the domain's rules) see each entry once it passed these,
                // in order, on this thread, while the next chunks are being read and checked.
                do { try visit(entry, prepared) } catch {
                    return report(
                        LedgerError(
                            .refused, "entry \(entry.seq) was refused by the caller's checks: \(error)", entry: entry.seq),
                        refusal: error)
                }
                prev = leaf
                signatures += 1
                // Every inner node this leaf completes is held against the stored one, not only the peaks;
                // a damaged node is reported once the entries are through, as a changed entry says more.
                for node in accumulator.append(leafHash: leaf, known: current.tree)
                where damagedNode == nil && node.level > 0 && !current.tree.matched(node) {
                    damagedNode = current.inner.check(node)
                }
                while nextCheckpoint < checkpoints.count && checkpoints[nextCheckpoint].size == accumulator.size {
                    let checkpoint = checkpoints[nextCheckpoint]
                    guard accumulator.root == checkpoint.root else {
                        return report(
                            LedgerError(
                                .rootMismatch,
                                "checkpoint at size \(checkpoint.size) does not match the entries: an entry from \(lastGood) to \(checkpoint.size - 1) was changed, inserted or removed after the operator signed it",
                                entry: lastGood))
                    }
                    lastGood = checkpoint.size
                    checked += 1
                    nextCheckpoint += 1
                }
            }
            if let entry = bad {
                return report(
                    LedgerError(
                        .badSignature,
                        "entry \(entry.seq): the signature by \(entry.signed.key.name) does not verify: the event was changed or not signed by that key",
                        entry: entry.seq))
            }
            if structural == nil && rows.count < limit {
                structural = LedgerError(
                    .entryMissing, "entry \(position + UInt64(rows.count)) is missing: the ledger should hold \(size) entries",
                    entry: position + UInt64(rows.count))
            }
            if let structural { return report(structural) }
            position += UInt64(rows.count)
            progress?(position, size)
            // Freeing a chunk (its entries' JSON trees and what `prepare` made) is work for
            // another thread: this one's share bounds how far verification scales with cores.
            // Every reference this thread holds is dropped or handed over in a `Disposal`, so that
            // the last release, which frees the chunk, happens there whichever thread runs first.
            _ = consume rows
            _ = consume leaves
            _ = consume work
            let retired = Disposal(consume current)
            DispatchQueue.global().async { retired.dispose() }
        }
        // Empty-tree checkpoints match trivially; any left over were checked above.
        while nextCheckpoint < checkpoints.count && checkpoints[nextCheckpoint].size == 0 {
            checked += 1
            nextCheckpoint += 1
        }
        if let damagedNode { return report(damagedNode) }
        let storedRoot: Digest
        do { storedRoot = try store.read { try MerkleTree(source: $0).root(size: size) } } catch {
            return report(LedgerError(.rootMismatch, "the stored Merkle tree is damaged: \(error)"))
        }
        guard storedRoot == accumulator.root else {
            return report(LedgerError(.rootMismatch, "the stored Merkle tree does not match the entries: its nodes were changed"))
        }
        return report(nil)
    }

    /// The checks on one entry that link it to the others, in ledger order.
    /// `checked`, `leaf`, `idKey` and `genesisTyped` are what the workers found (`Checked`).
    private func checkEntry(
        row: (seq: UInt64, bytes: [UInt8]), seq: UInt64, checked: Result<Entry, LedgerError>, leaf workerLeaf: Digest?,
        idKey: UInt64, genesisTyped: Bool, storedLeaf: Digest?, prev: Digest, hasher: SHA256.Hasher, ids: inout EventIDIndex
    ) -> LedgerError? {
        guard row.seq == seq else {
            return LedgerError(.entryMissing, "entry \(seq) is missing: the next stored entry is \(row.seq)", entry: seq)
        }
        let entry: Entry
        switch checked {
        case .success(let parsed): entry = parsed
        case .failure(let error): return error
        }
        guard entry.seq == seq else {
            return LedgerError(
                .chainBroken,
                "entry \(seq) says it is entry \(entry.seq): entries were reordered, inserted or renumbered", entry: seq)
        }
        let leaf = workerLeaf ?? entry.leafHash(using: hasher)
        guard let storedLeaf else {
            return LedgerError(
                .entryChanged, "entry \(seq): the leaf hash stored when it was appended is missing or damaged", entry: seq)
        }
        if storedLeaf != leaf {
            return LedgerError(
                .entryChanged,
                "entry \(seq) no longer matches the leaf hash stored when it was appended: it was changed or replaced", entry: seq
            )
        }
        guard entry.prev == prev else {
            return LedgerError(
                .chainBroken,
                "entry \(seq): prev is \(entry.prev.hex) but entry \(Int64(seq) - 1) hashes to \(prev.hex): the chain is broken here",
                entry: seq)
        }
        if let earlier = ids.insert(key: idKey, seq: seq, store: store, id: entry.signed.id) {
            return LedgerError(
                .eventIDConflict, "entry \(seq): event id \(entry.signed.id) was already recorded as entry \(earlier)", entry: seq
            )
        }
        if seq != 0 && genesisTyped {
            return LedgerError(.badEntry, "entry \(seq) is a second \(Ledger.genesisType) event; only entry 0 may be", entry: seq)
        }
        if seq == 0 {
            let event = entry.signed.event
            guard event["type"]?.stringValue == Ledger.genesisType,
                event["operator"]?.stringValue == metadata.operatorKey.description,
                event["origin"]?.stringValue == metadata.origin,
                entry.signed.key == metadata.operatorKey
            else {
                return LedgerError(
                    .badEntry,
                    "entry 0 is not this ledger's genesis: it must be a \(Ledger.genesisType) event naming origin \(metadata.origin) and operator \(metadata.operatorKey), signed by the operator",
                    entry: 0)
            }
        }
        return nil
    }
}

/// Event ids seen so far, kept as 8-byte hash prefixes only (about 8 to 16 bytes an entry): a
/// repeated prefix is settled by finding the earlier entry with the same id in the store.
struct EventIDIndex {
    private var seen = Set<UInt64>()

    /// The prefix kept for `id`: computed on the workers, beside the entry's parse.
    static func key(_ id: String, hasher: SHA256.Hasher) -> UInt64 {
        hasher.update(Array(id.utf8))
        return hasher.finalize().bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// Records `id`, whose prefix is `key`, at `seq`; returns the earlier entry with the same id,
    /// if there is one. The id (read from the event) is needed only when the prefix repeats.
    mutating func insert(key: UInt64, seq: UInt64, store: any LedgerStore, id: @autoclosure () -> String) -> UInt64? {
        if seen.insert(key).inserted { return nil }
        return Self.earlier(id(), before: seq, store: store)
    }

    /// The entry before `seq` that holds `id`, or nil (two ids that share a prefix). The store's
    /// index of ids says where to look; if it is wrong (it is not evidence), the entries are scanned.
    static func earlier(_ id: String, before seq: UInt64, store: any LedgerStore) -> UInt64? {
        func idOf(_ row: (seq: UInt64, bytes: [UInt8])) -> String? {
            (try? Entry(bytes: row.bytes, expectedSeq: row.seq, canonical: false))?.signed.id
        }
        if let found = try? store.read({ try $0.seq(forEventID: id) }), found < seq,
            let stored = try? store.read({ try $0.entryBytes(found) }), idOf((found, stored)) == id
        {
            return found
        }
        var position: UInt64 = 0
        while position < seq {
            let start = position
            guard let rows = try? store.read({ try $0.entries(from: start, limit: Int(min(4096, seq - start))) }),
                !rows.isEmpty
            else { return nil }
            if let match = rows.first(where: { $0.seq < seq && idOf($0) == id }) { return match.seq }
            position = rows[rows.count - 1].seq + 1
        }
        return nil
    }
}

/// One entry's independent checks, done on any core, and what the caller prepared from it.
struct Checked<Prepared: Sendable>: Sendable {
    let entry: Result<Entry, LedgerError>
    let leaf: Digest?
    let signatureOK: Bool
    /// The caller's `prepare` of the entry; nil when the entry did not parse.
    let prepared: Prepared?
    /// The entry's event id as `EventIDIndex` keeps it (0 when the entry did not parse).
    var idKey: UInt64 = 0
    /// Whether the event's type is the genesis type (only entry 0 may be).
    var genesisTyped = false
}

/// One chunk of entries with the work each needs alone already done.
struct Chunk<Prepared: Sendable>: Sendable {
    let position: UInt64
    let limit: Int
    let rows: [(seq: UInt64, bytes: [UInt8])]
    let leaves: [Digest?]
    let inner: StoredInnerNodes
    /// The inner nodes wholly inside the chunk, hashed and checked already.
    let tree: ChunkTree
    let work: [Checked<Prepared>]
}

extension Ledger {
    /// Everything one entry needs alone (parse, leaf hash, signature, the caller's `prepare`), on
    /// every core; the checks that link entries run in order afterwards, so the failure reported
    /// is the lowest-numbered one whichever core found it.
    static func work<Prepared: Sendable>(
        _ rows: [(seq: UInt64, bytes: [UInt8])], base: UInt64, prepare: @Sendable (Entry) -> Prepared
    ) -> [Checked<Prepared>] {
        ParallelMap.map(count: rows.count) { i, verifier, hasher -> Checked<Prepared> in
            let row = rows[i]
            do {
                let entry = try Entry(bytes: row.bytes, expectedSeq: base + UInt64(i))
                let leaf = entry.leafHash(using: hasher)
                let ok = verifier.verify(
                    signature: entry.signed.signature, message: entry.signedMessage, key: entry.signed.key.publicKey)
                return Checked(
                    entry: .success(entry), leaf: leaf, signatureOK: ok, prepared: prepare(entry),
                    idKey: EventIDIndex.key(entry.signed.id, hasher: hasher),
                    genesisTyped: entry.signed.event["type"]?.stringValue == Ledger.genesisType)
            } catch let error as LedgerError {
                return Checked(entry: .failure(error), leaf: nil, signatureOK: false, prepared: nil)
            } catch {
                return Checked(
                    entry: .failure(LedgerError(.badEntry, "entry \(base + UInt64(i)): \(error)")), leaf: nil, signatureOK: false,
                    prepared: nil)
            }
        }
    }
}

extension Ledger {
    /// The state to continue verification after a trusted checkpoint: its tree's right edge, read
    /// from the store but checked against the trusted root, and the leaf hash of its last entry,
    /// proved included in it; after checking that the latest signed checkpoint extends it.
    func resume(from old: Checkpoint, checkpoints: [Checkpoint], size: UInt64) throws -> (MerkleAccumulator, Digest) {
        guard old.origin == metadata.origin else {
            throw LedgerError(.badCheckpoint, "your checkpoint is for \(old.origin), not \(metadata.origin)")
        }
        guard old.size <= size else {
            throw LedgerError(
                .entryMissing,
                "your checkpoint covers \(old.size) entries but the ledger holds only \(size): entries were removed",
                entry: size)
        }
        if let latest = checkpoints.last {
            guard latest.size >= old.size else {
                throw LedgerError(
                    .badCheckpoint, "the ledger's latest signed checkpoint (\(latest.size)) is older than yours (\(old.size))")
            }
            let proof = try consistencyProof(from: old.size, to: latest.size)
            guard proof.verify(oldRoot: old.root, newRoot: latest.root) else {
                throw LedgerError(
                    .rootMismatch,
                    "the ledger is not an extension of your checkpoint at size \(old.size): its history was rewritten (a fork)",
                    entry: nil)
            }
        }
        return try store.read { reader in
            let peaks = try MerkleAccumulator.peakPositions(size: old.size).map {
                try reader.node(level: $0.level, index: $0.index)
            }
            let accumulator = try MerkleAccumulator(size: old.size, peaks: peaks)
            guard accumulator.root == old.root else {
                throw LedgerError(
                    .rootMismatch, "the stored tree does not match your checkpoint at size \(old.size): the store was changed")
            }
            guard old.size > 0 else { return (accumulator, .zero) }
            let last = try reader.node(level: 0, index: old.size - 1)
            let path = try MerkleTree(source: reader).inclusionProof(index: old.size - 1, size: old.size)
            guard
                MerkleVerification.verifyInclusion(
                    index: old.size - 1, size: old.size, leafHash: last, proof: path, root: old.root)
            else {
                throw LedgerError(
                    .rootMismatch, "the stored leaf of entry \(old.size - 1) is not in your checkpoint: the store was changed")
            }
            return (accumulator, last)
        }
    }
}
