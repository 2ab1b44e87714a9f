import Foundation
import TraceLedger

/// The rules' state kept as side records beside the entries (`SideSpace` `domain.index.*`): one row per party,
/// plot, lot, entry fact and recall, written in the same transaction as the entries that
/// change them. It makes a command on a large ledger cost what it touches instead of a replay
/// from entry 0. It is an index, not evidence: it is outside every hash, `trace verify` replays
/// the entries without it, and it is rebuilt from the entries when missing or out of step.
enum DomainIndex {
    /// Bumped whenever the stored record shapes change; an index of another version is rebuilt.
    static let version = "5"

    enum Kind: String, CaseIterable {
        case party, plot, lot, entry, recall, rules, meta
        /// The running aggregate behind the statistics, and each lot's and plot's share of it.
        case tally, statlot, statplot
    }

    /// The side-record space that holds one kind of record.
    static func space(_ kind: Kind) -> SideSpace { spaces[kind]! }
    private static let spaces = Dictionary(
        uniqueKeysWithValues: Kind.allCases.map { ($0, SideSpace("domain.index." + $0.rawValue)) })

    /// The number of entries the index reflects, or nil when there is no usable index.
    static func size(_ reader: any LedgerReader) throws -> UInt64? {
        let meta = space(.meta)
        guard let stored = try reader.sideRecord(meta, key: "version"), String(decoding: stored, as: UTF8.self) == version,
            let size = try reader.sideRecord(meta, key: "size").flatMap({ UInt64(String(decoding: $0, as: UTF8.self)) })
        else { return nil }
        return size
    }

    static func load<T: StoredRecord>(_ kind: Kind, _ key: String, _ reader: any LedgerReader) throws -> T? {
        guard let bytes = try reader.sideRecord(space(kind), key: key) else { return nil }
        var input = ByteReader(bytes)
        return try T(reading: &input)
    }

    /// The records of `kind` stored under `keys`, for those present, in one batch read.
    static func loadMany<K: RecordKey, T: StoredRecord>(_ kind: Kind, _ keys: [K], _ reader: any LedgerReader) throws
        -> [K: T]
    {
        var out: [K: T] = [:]
        for (text, bytes) in try reader.sideRecords(space(kind), keys: keys.map(\.indexKey)) {
            guard let key = K(indexKey: text) else { continue }
            var input = ByteReader(bytes)
            out[key] = try T(reading: &input)
        }
        return out
    }

    /// Empties the index before a rebuild, so no record of an older state survives it.
    static func clear(_ writer: any LedgerWriter) throws {
        for kind in Kind.allCases { try writer.clearSideRecords(space(kind)) }
    }

    static func loadAll<T: StoredRecord>(_ kind: Kind, _ reader: any LedgerReader) throws -> [String: T] {
        var out: [String: T] = [:]
        for (key, bytes) in try reader.sideRecords(space(kind)) {
            var input = ByteReader(bytes)
            out[key] = try T(reading: &input)
        }
        return out
    }

    /// Writes every record changed since the last flush, and the size; clears the change marks.
    static func flush(_ state: inout DomainState, _ writer: any LedgerWriter) throws {
        try TallyUpdate.run(state, writer)
        try drainChanges(&state, of: [.party, .plot, .lot, .entry, .recall, .rules]) { kind, key, bytes in
            try writer.putSideRecord(space(kind), key: key, value: bytes)
        }
        try writer.putSideRecord(space(.meta), key: "version", value: Array(version.utf8))
        try writer.putSideRecord(space(.meta), key: "size", value: Array(String(state.size).utf8))
    }

    /// Hands every record of `kinds` changed since the last drain, in its stored form, to `put`,
    /// and clears the change marks: the one encoder for the index and a replay's scratch space.
    static func drainChanges(
        _ state: inout DomainState, of kinds: Set<Kind>, _ put: (Kind, String, [UInt8]) throws -> Void
    ) throws {
        var out = ByteWriter()
        func drain<K: RecordKey, T: StoredRecord>(_ table: inout KeyedRecordTable<K, T>, _ kind: Kind) throws {
            guard kinds.contains(kind) else { return }
            try encodeChanges(table, into: &out) { try put(kind, $0, $1) }
            table.changed.removeAll(keepingCapacity: true)
        }
        try drain(&state.parties, .party)
        try drain(&state.plots, .plot)
        try drain(&state.lots, .lot)
        try drain(&state.entries, .entry)
        try drain(&state.recalls, .recall)
        if kinds.contains(.rules), state.rulesChanged {
            out.bytes.removeAll(keepingCapacity: true)
            state.rules.write(to: &out)
            try put(.rules, "rules", out.bytes)
            state.rulesChanged = false
        }
    }

    /// Hands each record of `table` changed since the last drain, in its stored form, to `put`
    /// (`out` is the buffer it is encoded in, reused from record to record).
    static func encodeChanges<K: RecordKey, T: StoredRecord>(
        _ table: KeyedRecordTable<K, T>, into out: inout ByteWriter, _ put: (String, [UInt8]) throws -> Void
    ) rethrows {
        for key in table.changed {
            guard let record = table.records[key] else { continue }
            out.bytes.removeAll(keepingCapacity: true)
            record.write(to: &out)
            try put(key.indexKey, out.bytes)
        }
    }

    /// Marks every record of a fully replayed state as changed, so `flush` writes them all.
    static func markAll(_ state: inout DomainState) {
        state.parties.changed = Set(state.parties.records.keys)
        state.plots.changed = Set(state.plots.records.keys)
        state.lots.changed = Set(state.lots.records.keys)
        state.entries.changed = Set(state.entries.records.keys)
        state.recalls.changed = Set(state.recalls.records.keys)
        state.rulesChanged = true
    }
}

/// Where index reads go: inside a snapshot or transaction that is open (`using`), through it
/// (a store's transactions are not reentrant); otherwise through a read snapshot of its own.
/// @unchecked Sendable: used by one thread at a time, like the SupplyChain that owns it.
final class IndexReader: @unchecked Sendable {
    let store: any LedgerStore
    private var transaction: (any LedgerReader)?

    /// Runs `body` with index reads going through `access`, which is open around it.
    func using<T>(_ access: any LedgerReader, _ body: () throws -> T) rethrows -> T {
        let before = transaction
        transaction = access
        defer { transaction = before }
        return try body()
    }

    /// True while reads go through an open transaction.
    var inTransaction: Bool { transaction != nil }

    init(store: any LedgerStore) { self.store = store }

    /// The first read that failed since the last `check`: a record that exists but cannot be
    /// read must never pass for a record that does not exist.
    private var failure: (any Error)?

    func read<T>(_ body: (any LedgerReader) throws -> T?) -> T? {
        do {
            if let transaction { return try body(transaction) }
            return try store.read { try body($0) }
        } catch {
            if failure == nil { failure = error }
            return nil
        }
    }

    /// Set when a read failed inside a transaction, which will roll back: invalidate after it.
    var invalidateAfterTransaction = false

    /// Makes the next open rebuild the index from the entries.
    func invalidate() {
        invalidateAfterTransaction = false
        guard !store.isReadOnly else { return }
        _ = try? store.write { try $0.clearSideRecords(DomainIndex.space(.meta)) }
    }

    /// Throws (once) if a read failed: the command stops, and the next open rebuilds the index.
    func check() throws {
        guard let error = failure else { return }
        failure = nil
        if !inTransaction { invalidate() } else { invalidateAfterTransaction = true }
        throw DomainError(
            .badInput, "the rules index beside the ledger could not be read (\(error)); it will be rebuilt, run the command again"
        )
    }

    /// A state at the index's size, reading records on demand; nil when there is no usable index.
    func state(_ reader: any LedgerReader) throws -> DomainState? {
        guard let size = try DomainIndex.size(reader) else { return nil }
        let parties: [String: PartyRecord] = try DomainIndex.loadAll(.party, reader)
        let recalls: [String: String] = try DomainIndex.loadAll(.recall, reader)
        let rules: OperatorRules = try DomainIndex.load(.rules, "rules", reader) ?? OperatorRules()
        return DomainState(
            size: size, parties: parties, recalls: recalls, rules: rules,
            plots: source(.plot), lots: source(.lot), entries: source(.entry))
    }

    /// Records of `kind` read on demand, one at a time or a batch at once, through this reader.
    private func source<K: RecordKey, T: StoredRecord>(_ kind: DomainIndex.Kind) -> RecordSource<K, T> {
        RecordSource(
            read: { key in self.read { try DomainIndex.load(kind, key.indexKey, $0) } },
            readMany: { keys in self.read { try DomainIndex.loadMany(kind, keys, $0) } })
    }
}
