import Synchronization
public import TraceCrypto

/// What every ledger store keeps about the ledger itself.
public struct LedgerMetadata: Sendable, Equatable {
    /// The checkpoint origin line: the log's name.
    public let origin: String
    /// The operator's verifier key, which signs checkpoints and registers parties.
    public let operatorKey: VerifierKey
    /// The store's format version.
    public let formatVersion: Int

    public init(origin: String, operatorKey: VerifierKey, formatVersion: Int) {
        self.origin = origin
        self.operatorKey = operatorKey
        self.formatVersion = formatVersion
    }
}

/// A checkpoint as stored: its size and the signed note.
public struct StoredCheckpoint: Sendable, Equatable {
    public let size: UInt64
    public let note: String

    public init(size: UInt64, note: String) {
        self.size = size
        self.note = note
    }
}

/// Read access inside one consistent snapshot of a store.
public protocol LedgerReader: MerkleNodeSource {
    /// Number of entries.
    func size() throws -> UInt64
    /// The stored bytes of entry `seq`, or nil.
    func entryBytes(_ seq: UInt64) throws -> [UInt8]?
    /// Up to `limit` entries' bytes starting at `from`, in order, with their sequence numbers.
    func entries(from: UInt64, limit: Int) throws -> [(seq: UInt64, bytes: [UInt8])]
    /// The stored leaf hashes (Merkle level 0) of the `limit` entries starting at `from`, one slot
    /// per entry: nil where the stored hash is missing or not 32 bytes.
    func leafHashes(from: UInt64, limit: Int) throws -> [Digest?]
    /// The stored Merkle nodes at `level` with indices `from ..< from + limit`, one slot per node:
    /// nil where the node is missing or not 32 bytes (tiles and `verify` read them in ranges).
    func nodes(level: Int, from: UInt64, limit: Int) throws -> [Digest?]
    /// The entry that holds the event with this id, or nil.
    func seq(forEventID id: String) throws -> UInt64?
    /// The entries that hold the events with these ids, for those the ledger holds: one lookup
    /// per batch where a store can (PostgreSQL: one round trip, not one per event).
    func seqs(forEventIDs ids: [String]) throws -> [String: UInt64]
    /// Every stored checkpoint, smallest size first.
    func checkpoints() throws -> [StoredCheckpoint]
    /// The stored checkpoint of this size, or nil (the largest size when `size` is nil).
    func checkpoint(size: UInt64?) throws -> StoredCheckpoint?
    /// How many Merkle node rows this reader has fetched (for measuring proof cost).
    var nodeReads: Int { get }
    /// The side record stored under `key` in `space`, or nil.
    func sideRecord(_ space: SideSpace, key: String) throws -> [UInt8]?
    /// Every side record in `space`, in key order.
    func sideRecords(_ space: SideSpace) throws -> [(key: String, value: [UInt8])]
    /// The stored bytes of each of these entries that the store holds, by sequence number: one
    /// lookup per batch where a store can (PostgreSQL: one round trip, not one per entry).
    func entries(seqs: [UInt64]) throws -> [UInt64: [UInt8]]
    /// The stored Merkle nodes at these positions, for those stored and 32 bytes long: one lookup
    /// per batch where a store can. Counted in `nodeReads` as the rows fetched.
    func nodes(at positions: [MerklePosition]) throws -> [MerklePosition: Digest]
    /// The side records stored under these keys in `space`, for those present: one lookup per
    /// batch where a store can.
    func sideRecords(_ space: SideSpace, keys: [String]) throws -> [String: [UInt8]]
}

extension LedgerReader {
    /// One lookup per id, for stores where a lookup is cheap (memory, SQLite).
    public func seqs(forEventIDs ids: [String]) throws -> [String: UInt64] {
        var found: [String: UInt64] = [:]
        for id in ids { if let seq = try seq(forEventID: id) { found[id] = seq } }
        return found
    }

    /// One read per entry, for stores where a read is cheap (memory, SQLite).
    public func entries(seqs: [UInt64]) throws -> [UInt64: [UInt8]] {
        var found: [UInt64: [UInt8]] = [:]
        for seq in seqs where found[seq] == nil { if let bytes = try entryBytes(seq) { found[seq] = bytes } }
        return found
    }

    /// One read per node, for stores where a read is cheap; a missing node is left out.
    public func nodes(at positions: [MerklePosition]) throws -> [MerklePosition: Digest] {
        var found: [MerklePosition: Digest] = [:]
        for position in positions where found[position] == nil {
            do { found[position] = try node(level: position.level, index: position.index) } catch let error as LedgerError
                where error.code == .store
            {
                continue
            }
        }
        return found
    }

    /// One read per key, for stores where a read is cheap.
    public func sideRecords(_ space: SideSpace, keys: [String]) throws -> [String: [UInt8]] {
        var found: [String: [UInt8]] = [:]
        for key in keys where found[key] == nil { if let value = try sideRecord(space, key: key) { found[key] = value } }
        return found
    }

    /// One read per node, for stores without a range query.
    public func nodes(level: Int, from: UInt64, limit: Int) throws -> [Digest?] {
        try (0..<UInt64(limit)).map { offset -> Digest? in
            do { return try node(level: level, index: from + offset) } catch let error as LedgerError where error.code == .store {
                return nil
            }
        }
    }

    /// A linear search of `checkpoints()`, for stores without an index on size.
    public func checkpoint(size: UInt64?) throws -> StoredCheckpoint? {
        let all = try checkpoints()
        return size.map { wanted in all.first { $0.size == wanted } } ?? all.last
    }
}

/// Write access inside one transaction: all of it lands, or none of it.
public protocol LedgerWriter: LedgerReader {
    /// Stores `entry` (whose seq must be the current size) with the Merkle nodes it completes,
    /// leaf first. The nodes are computed by `Ledger`, so every store holds the same tree.
    func append(_ entry: Entry, nodes: [MerkleAccumulator.Node]) throws
    /// Records a signed checkpoint.
    func saveCheckpoint(_ checkpoint: StoredCheckpoint) throws
    /// Stores (or replaces) a side record.
    func putSideRecord(_ space: SideSpace, key: String, value: [UInt8]) throws
    /// Removes one side record, if present; what it held must not be recoverable from the store.
    func removeSideRecord(_ space: SideSpace, key: String) throws
    /// Removes every side record of `space`.
    func clearSideRecords(_ space: SideSpace) throws
}

extension LedgerReader {
    /// A node source for the inclusion proofs of `seqs` in the tree of `size` entries (and their
    /// leaves, with `leaves`), every node they read fetched in one batch: a story's proofs cost
    /// one lookup, not one per node. A node the batch lacks is read alone, so it fails as before.
    public func proofNodes(for seqs: [UInt64], size: UInt64, leaves: Bool = false) throws -> RememberingNodeSource {
        var positions: Set<MerklePosition> = []
        for seq in seqs where seq < size {
            positions.formUnion(MerkleTree.inclusionProofNodes(index: seq, size: size))
            if leaves { positions.insert(MerklePosition(level: 0, index: seq)) }
        }
        return RememberingNodeSource(self, known: try nodes(at: Array(positions)))
    }

    /// The leaf hash of the last entry (all zeros when empty): the next entry's `prev`.
    public func lastLeafHash() throws -> Digest {
        let n = try size()
        return n == 0 ? .zero : try node(level: 0, index: n - 1)
    }
}

/// A named set of records kept beside the ledger, outside every hash: the rules index,
/// personal data, published certificates. They are written in the same transaction as the
/// entries they go with, so they can never disagree with a committed ledger, and they may be
/// erased (personal data) without touching any entry.
public struct SideSpace: Hashable, Sendable, CustomStringConvertible {
    /// The space's name, unique across the layers that keep records.
    public let name: String

    /// A space named `name` (by convention `layer.purpose`, such as `domain.lot`).
    public init(_ name: String) { self.name = name }

    public var description: String { name }
}

/// Where a ledger lives. SQLite is the default; memory is the reference; PostgreSQL implements
/// the same interface. The seam is synchronous, as GRDB is: a store built on an asynchronous
/// client runs it on its own threads, and the server calls it off its event loops.
public protocol LedgerStore: Sendable {
    /// The ledger's origin, operator key and format.
    func metadata() throws -> LedgerMetadata
    /// Runs `body` on one read snapshot.
    func read<T>(_ body: (any LedgerReader) throws -> T) throws -> T
    /// Runs `body` in one durable transaction: committed and synced when this returns, rolled
    /// back entirely if `body` throws.
    func write<T>(_ body: (any LedgerWriter) throws -> T) throws -> T
    /// True when every write is refused (a copy opened for reading only).
    var isReadOnly: Bool { get }
    /// Scratch space for a replay of the whole ledger: records that need not survive a crash,
    /// kept out of memory where the store can (SQLite: a private temporary file).
    func makeScratch() throws -> any ScratchSpace
    /// Makes records removed since the last call unrecoverable from the store's files too (SQLite
    /// keeps old page copies in its write-ahead log until it is checkpointed).
    func scrub() throws
    /// A lease on the right to sign checkpoints, for a store that processes on several hosts
    /// share; nil where signers need none (one file or memory: they take turns in the store's
    /// write transaction, and one host holds the key).
    func signerLease() throws -> (any SignerLease)?
}

extension LedgerStore {
    public var isReadOnly: Bool { false }
    public func signerLease() throws -> (any SignerLease)? { nil }
    public func makeScratch() throws -> any ScratchSpace { MemoryScratch() }
    public func scrub() throws {}
}

/// Records a replay writes out and reads back by (kind, key); lost when closed. A replay writes
/// on a thread of its own while it reads: `put` and `get` may run on two threads at once.
public protocol ScratchSpace: AnyObject {
    /// Writes a batch of records, replacing any with the same kind and key.
    func put(_ records: [(kind: Int, key: String, value: [UInt8])]) throws
    /// The record of `kind` under `key`, or nil.
    func get(kind: Int, key: String) throws -> [UInt8]?
}

/// Scratch space in memory, for stores that have nowhere better to put it.
public final class MemoryScratch: ScratchSpace, Sendable {
    private let records = Mutex<[Int: [String: [UInt8]]]>([:])

    /// An empty scratch space.
    public init() {}

    public func put(_ records: [(kind: Int, key: String, value: [UInt8])]) throws {
        self.records.withLock { stored in
            for record in records { stored[record.kind, default: [:]][record.key] = record.value }
        }
    }

    public func get(kind: Int, key: String) throws -> [UInt8]? { records.withLock { $0[kind]?[key] } }
}

extension LedgerWriter {
    /// Stores one entry with the Merkle nodes it completes, computed from the tree's stored right
    /// edge; returns its leaf hash. For copying entries between stores, and for tests that play
    /// an attacker writing straight into a store (`Ledger.append` checks events first).
    @discardableResult
    public func append(_ entry: Entry) throws -> Digest {
        let size = try self.size()
        var tree = try MerkleAccumulator(
            size: size, peaks: MerkleAccumulator.peakPositions(size: size).map { try node(level: $0.level, index: $0.index) })
        let leaf = entry.leafHash()
        try append(entry, nodes: tree.append(leafHash: leaf))
        return leaf
    }
}
