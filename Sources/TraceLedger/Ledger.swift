import CanonicalJSON
import Dispatch
import Foundation
import Synchronization
public import TraceCrypto

/// The result of appending one signed event.
public struct AppendResult: Sendable {
    public let entry: Entry
    public let leafHash: Digest
    /// True when the event was already in the ledger and this is its original entry.
    public let duplicate: Bool

    public init(entry: Entry, leafHash: Digest, duplicate: Bool) {
        self.entry = entry
        self.leafHash = leafHash
        self.duplicate = duplicate
    }
}

/// The append-only ledger over a store: appends signed events, signs checkpoints, makes proofs.
public final class Ledger: Sendable {
    public let store: any LedgerStore
    public let metadata: LedgerMetadata
    /// The operator's key chain as far as it was last read (see `operatorKeys`).
    let keyChain = Mutex<OperatorKeys?>(nil)

    /// The event type of entry 0, which names the ledger and its operator.
    public static let genesisType = "ledger.genesis"

    /// Opens a ledger over a store.
    public init(store: any LedgerStore) throws {
        self.store = store
        self.metadata = try store.metadata()
    }

    /// Checks a new ledger's name and operator key before any store is made for it.
    public static func checkNew(origin: String, operatorKey: PrivateKey) throws {
        do { try VerifierKey.checkName(origin) } catch let error as CryptoError {
            throw LedgerError(.refused, "--origin: \(error.message)")
        }
        do { try operatorKey.publicKey.checkAcceptable() } catch let error as CryptoError {
            throw LedgerError(.refused, "the operator key: \(error.message)")
        }
    }

    /// Starts the ledger in a new, empty `store` (made with its origin and operator key):
    /// writes the genesis entry, signed by the operator, and a first checkpoint.
    public static func create(in store: any LedgerStore, operatorKey: PrivateKey) throws -> Ledger {
        let ledger = try Ledger(store: store)
        let origin = ledger.metadata.origin
        try checkNew(origin: origin, operatorKey: operatorKey)
        guard operatorKey.publicKey == ledger.metadata.operatorKey.publicKey else {
            throw LedgerError(.refused, "the operator key is not the one the store was made with")
        }
        let genesis: JSONValue = [
            "id": .string("genesis-" + UUID().uuidString.lowercased()),
            "type": .string(genesisType),
            "time": .string(Timestamp.now()),
            "origin": .string(origin),
            "operator": .string(ledger.metadata.operatorKey.description),
        ]
        _ = try ledger.append([SignedEvent.sign(genesis, with: operatorKey, keyName: origin)])
        _ = try ledger.checkpoint(signingWith: operatorKey)
        return ledger
    }

    /// Appends signed events in one durable transaction; a resubmitted event returns its
    /// original entry. `check` runs on each new entry inside the transaction (the domain's
    /// rules) and `finish` once after them; if anything throws, nothing is written.
    public func append(
        _ events: [SignedEvent],
        check: ((Entry, any LedgerReader) throws -> Void)? = nil,
        finish: ((any LedgerWriter) throws -> Void)? = nil
    ) throws -> [AppendResult] {
        // Shapes and canonical bytes on every core (a tenth of a batch's work on one); the
        // first bad event in order is the one reported.
        let prepared = ParallelMap.map(count: events.count) { i, _, _ -> Result<[UInt8], any Error> in
            Result {
                try EventShape.check(events[i].event)
                return try CanonicalJSON.encode(events[i].event)
            }
        }
        let eventBytes = try prepared.map { try $0.get() }
        // Signatures are checked on every core while the transaction does the sequential work
        // (entries, rules, inserts); nothing commits until they are known good.
        let signatures = SignatureTask(events: events, eventBytes: eventBytes)
        func signatureFailure() -> LedgerError? {
            signatures.firstFailure().map { bad in
                LedgerError(
                    .badSignature,
                    "event \(events[bad].id): the signature does not verify with key \(events[bad].key.name); nothing was written"
                )
            }
        }
        do {
            return try store.write { writer in
                // The ids first, in one lookup: a store that batches (PostgreSQL) answers them with
                // the size and the tree's right edge, instead of one round trip per event.
                let stored = try writer.seqs(forEventIDs: events.map(\.id))
                var size = try writer.size()
                var prev = try writer.lastLeafHash()
                // The tree's right edge, resumed once per batch: each entry's leaf and the inner
                // nodes it completes are computed here, the same for every store.
                var tree = try MerkleAccumulator(
                    size: size,
                    peaks: MerkleAccumulator.peakPositions(size: size).map { try writer.node(level: $0.level, index: $0.index) })
                let recorded = Timestamp.now()
                var results: [AppendResult] = []
                var inBatch: [String: Int] = [:]
                for (i, event) in events.enumerated() {
                    if let earlier = inBatch[event.id] {
                        try Self.requireSame(event, results[earlier].entry)
                        results.append(
                            AppendResult(entry: results[earlier].entry, leafHash: results[earlier].leafHash, duplicate: true))
                        continue
                    }
                    if let seq = stored[event.id], let bytes = try writer.entryBytes(seq) {
                        let original = try Entry(bytes: bytes, expectedSeq: seq)
                        try Self.requireSame(event, original)
                        results.append(AppendResult(entry: original, leafHash: original.leafHash(), duplicate: true))
                        inBatch[event.id] = results.count - 1
                        continue
                    }
                    guard (size == 0) == (event.event["type"]?.stringValue == Self.genesisType) else {
                        throw LedgerError(
                            .badEvent,
                            size == 0
                                ? "the first entry must be the \(Self.genesisType) event"
                                : "event \(event.id): a ledger has one \(Self.genesisType) event, entry 0")
                    }
                    let entry = Entry(seq: size, recorded: recorded, prev: prev, signed: event, eventBytes: eventBytes[i])
                    try Entry.checkSize(entry.bytes.count, event: event.id, seq: size)
                    try check?(entry, writer)
                    prev = entry.leafHash()
                    try writer.append(entry, nodes: tree.append(leafHash: prev))
                    size += 1
                    results.append(AppendResult(entry: entry, leafHash: prev, duplicate: false))
                    inBatch[event.id] = results.count - 1
                }
                if let failure = signatureFailure() { throw failure }
                // Once per batch, still inside the transaction: what the caller keeps beside the entries.
                try finish?(writer)
                return results
            }
        } catch {
            // A bad signature is the more basic refusal: it is reported whatever else failed.
            if let failure = signatureFailure() { throw failure }
            throw error
        }
    }

    private static func requireSame(_ event: SignedEvent, _ original: Entry) throws {
        guard original.signed == event else {
            throw LedgerError(
                .eventIDConflict,
                "event id \(event.id) is already used by entry \(original.seq) for a different event; give a new event a new id",
                entry: original.seq)
        }
    }

    /// Signs and stores a checkpoint of the current tree with the operator's key.
    public func checkpoint(signingWith key: PrivateKey) throws -> (checkpoint: Checkpoint, note: String) {
        return try store.write { writer in
            let current = try operatorKeys(using: writer).current
            try Self.requireOperator(key, current: current, origin: metadata.origin)
            let size = try writer.size()
            let root = try MerkleTree(source: writer).root(size: size)
            let checkpoint = Checkpoint(origin: metadata.origin, size: size, root: root)
            let note = try checkpoint.sign(with: key, as: current).encoded
            try writer.saveCheckpoint(StoredCheckpoint(size: size, note: note))
            return (checkpoint, note)
        }
    }

    /// Throws unless `key` is the operator key in force.
    static func requireOperator(_ key: PrivateKey, current: VerifierKey, origin: String) throws {
        guard key.publicKey == current.publicKey else {
            throw LedgerError(
                .refused,
                "this key is not the operator key of \(origin) in force (\(current)); checkpoints are signed by the operator")
        }
    }

    /// The latest stored checkpoint, checked against the operator key.
    public func latestCheckpoint() throws -> (checkpoint: Checkpoint, note: String)? {
        try storedCheckpoint(size: nil)
    }

    /// The stored checkpoint of `size` (the latest when nil), checked against the operator key.
    public func storedCheckpoint(size: UInt64?) throws -> (checkpoint: Checkpoint, note: String)? {
        guard let stored = try store.read({ try $0.checkpoint(size: size) }) else { return nil }
        return (try operatorKeys().open(stored.note), stored.note)
    }

    /// Number of entries.
    public func size() throws -> UInt64 { try store.read { try $0.size() } }

    /// The inclusion proof of entry `index` in the tree of `treeSize` entries, and how many
    /// stored nodes it read.
    public func inclusionProof(index: UInt64, treeSize: UInt64) throws -> (proof: InclusionProof, nodeReads: Int) {
        try store.read { reader in
            let size = try reader.size()
            guard treeSize <= size else {
                throw LedgerError(.outOfRange, "tree size \(treeSize) is larger than the ledger (\(size) entries)")
            }
            guard index < treeSize else {
                throw LedgerError(
                    .outOfRange, "entry \(index) is not in a tree of \(treeSize) entries (the last is \(Int64(treeSize) - 1))")
            }
            let tree = MerkleTree(source: reader)
            let hashes = try tree.inclusionProof(index: index, size: treeSize)
            let leaf = try reader.node(level: 0, index: index)
            return (InclusionProof(index: index, treeSize: treeSize, leafHash: leaf, hashes: hashes), reader.nodeReads)
        }
    }

    /// Inclusion proofs of several entries in the tree of `treeSize` entries, with each entry's
    /// bytes, read in one snapshot.
    public func inclusionProofs(_ entries: [UInt64], treeSize: UInt64) throws -> [(proof: InclusionProof, bytes: [UInt8])] {
        try store.read { reader in
            // The entries, and every node of their proofs, each in one batch (neighbours' proofs
            // share most nodes, read once).
            let stored = try reader.entries(seqs: entries.filter { $0 < treeSize })
            let nodes = try reader.proofNodes(for: entries, size: treeSize, leaves: true)
            let tree = MerkleTree(source: nodes)
            return try entries.map { seq in
                guard seq < treeSize, let bytes = stored[seq] else {
                    throw LedgerError(.outOfRange, "entry \(seq) is not in a tree of \(treeSize) entries", entry: seq)
                }
                let hashes = try tree.inclusionProof(index: seq, size: treeSize)
                let leaf = try nodes.node(level: 0, index: seq)
                return (InclusionProof(index: seq, treeSize: treeSize, leafHash: leaf, hashes: hashes), bytes)
            }
        }
    }

    /// The consistency proof from `oldSize` to `newSize`.
    public func consistencyProof(from oldSize: UInt64, to newSize: UInt64) throws -> ConsistencyProof {
        try store.read { reader in
            let size = try reader.size()
            guard newSize <= size else {
                throw LedgerError(.outOfRange, "tree size \(newSize) is larger than the ledger (\(size) entries)")
            }
            guard oldSize <= newSize else {
                throw LedgerError(.outOfRange, "--from \(oldSize) is larger than the tree size \(newSize)")
            }
            let hashes = try MerkleTree(source: reader).consistencyProof(from: oldSize, to: newSize)
            return ConsistencyProof(oldSize: oldSize, newSize: newSize, hashes: hashes)
        }
    }

    /// The root hash of the tree of `size` entries.
    public func root(size: UInt64) throws -> Digest {
        try store.read { try MerkleTree(source: $0).root(size: size) }
    }

    /// The entry with sequence number `seq`.
    public func entry(_ seq: UInt64) throws -> Entry {
        guard let bytes = try store.read({ try $0.entryBytes(seq) }) else {
            throw LedgerError(.outOfRange, "there is no entry \(seq)", entry: seq)
        }
        return try Entry(bytes: bytes, expectedSeq: seq)
    }
}

/// A batch's signature checks running in the background on every core.
final class SignatureTask: Sendable {
    private let group = DispatchGroup()
    private let result = Mutex<Int?>(nil)

    init(events: [SignedEvent], eventBytes: [[UInt8]]) {
        DispatchQueue.global().async(group: group) { [self] in
            let bad = ParallelVerifier.firstFailure(count: events.count) { i, verifier in
                verifier.verify(
                    signature: events[i].signature, message: SignedEvent.context + eventBytes[i], key: events[i].key.publicKey)
            }
            self.result.withLock { $0 = bad }
        }
    }

    /// Waits for the checks; the index of the first bad signature, or nil.
    func firstFailure() -> Int? {
        group.wait()
        return result.withLock { $0 }
    }
}
