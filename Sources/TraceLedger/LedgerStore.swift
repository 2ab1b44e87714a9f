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
    /// Every stored checkpoint, smallest size first.
    func checkpoints() throws -> [StoredCheckpoint]
    /// The stored checkpoint of this size, or nil (the largest size when `size` is nil).
    func checkpoint(size: UInt64?) throws -> StoredCheckpoint?
    /// How many Merkle node rows this reader has fetched (for measuring proof cost).
    var nodeReads: Int { get }
}

extension LedgerReader {
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
    /// Appends `entry` (whose seq must be the current size) and the Merkle nodes it completes;
    /// returns its leaf hash.
    @discardableResult
    func append(_ entry: Entry) throws -> Digest
    /// The leaf hash of the last entry (all zeros when empty): the next entry's `prev`.
    func lastLeafHash() throws -> Digest
    /// Records a signed checkpoint.
    func saveCheckpoint(_ checkpoint: StoredCheckpoint) throws
}

/// Where a ledger lives. SQLite is the default; PostgreSQL implements the same interface.
public protocol LedgerStore: Sendable {
    /// The ledger's origin, operator key and format.
    func metadata() throws -> LedgerMetadata
    /// Runs `body` on one read snapshot.
    func read<T>(_ body: (any LedgerReader) throws -> T) throws -> T
    /// Runs `body` in one durable transaction: committed and synced when this returns, rolled
    /// back entirely if `body` throws.
    func write<T>(_ body: (any LedgerWriter) throws -> T) throws -> T
}
