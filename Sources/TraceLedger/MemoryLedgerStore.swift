import Synchronization
public import TraceCrypto

/// A whole ledger store in memory: the reference implementation of the seam, which the shared
/// store tests hold every other store to, and a fast store for tests. Snapshots are copies of
/// value types (copy-on-write), so a read never sees half a transaction and never blocks one.
public final class MemoryLedgerStore: LedgerStore {
    private let meta: LedgerMetadata
    private let committed: Mutex<Contents>
    /// Held for the whole of a write: one transaction at a time, as SQLite's BEGIN IMMEDIATE.
    private let writing = Mutex(())
    public let isReadOnly: Bool

    /// What a snapshot holds.
    struct Contents: Sendable {
        var entries: [[UInt8]] = []
        var eventIDs: [String: UInt64] = [:]
        /// Merkle nodes per level, by index.
        var nodes: [[Digest]] = []
        var checkpoints: [UInt64: String] = [:]
        var side: [SideSpace: [String: [UInt8]]] = [:]
    }

    /// An empty store for the ledger named `origin` whose operator holds `operatorKey`.
    public init(origin: String, operatorKey: VerifierKey) {
        meta = LedgerMetadata(origin: origin, operatorKey: operatorKey, formatVersion: 1)
        committed = Mutex(Contents())
        isReadOnly = false
    }

    private init(meta: LedgerMetadata, contents: Contents, readOnly: Bool) {
        self.meta = meta
        committed = Mutex(contents)
        isReadOnly = readOnly
    }

    /// A copy of everything committed so far, as a separate store (read-only if asked).
    public func copy(readOnly: Bool = false) -> MemoryLedgerStore {
        MemoryLedgerStore(meta: meta, contents: committed.withLock { $0 }, readOnly: readOnly)
    }

    /// Changes a committed entry's bytes behind the ledger's back: for tamper tests only.
    public func tamper(entry seq: UInt64, _ change: (inout [UInt8]) -> Void) {
        committed.withLock { change(&$0.entries[Int(seq)]) }
    }

    public func metadata() throws -> LedgerMetadata { meta }

    public func read<T>(_ body: (any LedgerReader) throws -> T) throws -> T {
        try body(Access(committed.withLock { $0 }))
    }

    public func write<T>(_ body: (any LedgerWriter) throws -> T) throws -> T {
        guard !isReadOnly else { throw LedgerError(.store, "store: the ledger is open for reading only") }
        return try writing.withLock { _ in
            let access = Access(committed.withLock { $0 })
            let result = try body(access)
            committed.withLock { $0 = access.contents }
            return result
        }
    }

    /// One snapshot's (or transaction's) view.
    final class Access: LedgerWriter {
        var contents: Contents
        private(set) var nodeReads = 0

        init(_ contents: Contents) { self.contents = contents }

        func size() throws -> UInt64 { UInt64(contents.entries.count) }

        func entryBytes(_ seq: UInt64) throws -> [UInt8]? {
            seq < UInt64(contents.entries.count) ? contents.entries[Int(seq)] : nil
        }

        func entries(from: UInt64, limit: Int) throws -> [(seq: UInt64, bytes: [UInt8])] {
            let count = UInt64(contents.entries.count)
            guard from < count, limit > 0 else { return [] }
            let end = min(count, from + UInt64(limit))
            return (from..<end).map { ($0, contents.entries[Int($0)]) }
        }

        func leafHashes(from: UInt64, limit: Int) throws -> [Digest?] { try nodes(level: 0, from: from, limit: limit) }

        func nodes(level: Int, from: UInt64, limit: Int) throws -> [Digest?] {
            let row = level >= 0 && level < contents.nodes.count ? contents.nodes[level] : []
            return (0..<UInt64(max(0, limit))).map { offset in
                let i = from + offset
                return i < UInt64(row.count) ? row[Int(i)] : nil
            }
        }

        func node(level: Int, index: UInt64) throws -> Digest {
            nodeReads += 1
            guard level >= 0, level < contents.nodes.count, index < UInt64(contents.nodes[level].count) else {
                throw LedgerError(.store, "Merkle node at level \(level), index \(index) is missing from the store")
            }
            return contents.nodes[level][Int(index)]
        }

        func seq(forEventID id: String) throws -> UInt64? { contents.eventIDs[id] }

        func checkpoints() throws -> [StoredCheckpoint] {
            contents.checkpoints.sorted { $0.key < $1.key }.map { StoredCheckpoint(size: $0.key, note: $0.value) }
        }

        func checkpoint(size: UInt64?) throws -> StoredCheckpoint? {
            guard let size = size ?? contents.checkpoints.keys.max(), let note = contents.checkpoints[size] else { return nil }
            return StoredCheckpoint(size: size, note: note)
        }

        func sideRecord(_ space: SideSpace, key: String) throws -> [UInt8]? { contents.side[space]?[key] }

        func sideRecords(_ space: SideSpace) throws -> [(key: String, value: [UInt8])] {
            (contents.side[space] ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }

        // The same refusals as SQLite's schema: entries only in order, ids unique, nothing replaced.
        func append(_ entry: Entry, nodes: [MerkleAccumulator.Node]) throws {
            guard entry.seq == UInt64(contents.entries.count) else {
                throw LedgerError(
                    .store, "entry \(entry.seq) cannot follow a ledger of \(contents.entries.count) entries", entry: entry.seq)
            }
            guard contents.eventIDs[entry.signed.id] == nil else {
                throw LedgerError(.store, "store: event id \(entry.signed.id) is already stored", entry: entry.seq)
            }
            for node in nodes {
                while contents.nodes.count <= node.level { contents.nodes.append([]) }
                guard node.index == UInt64(contents.nodes[node.level].count) else {
                    throw LedgerError(.store, "store: Merkle node at level \(node.level), index \(node.index) is out of order")
                }
            }
            contents.entries.append(entry.bytes)
            contents.eventIDs[entry.signed.id] = entry.seq
            for node in nodes { contents.nodes[node.level].append(node.hash) }
        }

        func saveCheckpoint(_ checkpoint: StoredCheckpoint) throws {
            if contents.checkpoints[checkpoint.size] == nil { contents.checkpoints[checkpoint.size] = checkpoint.note }
        }

        func putSideRecord(_ space: SideSpace, key: String, value: [UInt8]) throws {
            contents.side[space, default: [:]][key] = value
        }

        func removeSideRecord(_ space: SideSpace, key: String) throws { contents.side[space]?[key] = nil }

        func clearSideRecords(_ space: SideSpace) throws { contents.side[space] = nil }
    }
}
