import Foundation

/// A table of records keyed by text: parties, plots, lots and recalls.
public typealias RecordTable<Record: Sendable> = KeyedRecordTable<String, Record>

/// The key of a record table: an id (text), or an entry number for the entry facts, which the
/// rules write once an entry and so are kept by number, not by its text.
public protocol RecordKey: Hashable, Sendable {
    /// The key as the rules index and the replay's scratch space store it.
    var indexKey: String { get }
    /// The key stored as `indexKey`, or nil.
    init?(indexKey: String)
}

extension String: RecordKey {
    public var indexKey: String { self }
    public init?(indexKey: String) { self = indexKey }
}

extension UInt64: RecordKey {
    public var indexKey: String { String(self) }
    public init?(indexKey: String) { self.init(indexKey) }
}

/// A table of records the rules read and write. For a full replay every record lives in memory;
/// for everyday commands records are read on demand from the store's index (`DomainIndex`), so
/// opening a large ledger costs what the command touches, not the ledger's size.
public struct KeyedRecordTable<Key: RecordKey, Record: Sendable>: Sendable {
    /// Records read or written through this table (everything, when there is no source).
    var records: [Key: Record] = [:]
    /// Keys written since the last flush to the index.
    var changed: Set<Key> = []
    /// Where records not in memory come from, if anywhere.
    let source: RecordSource<Key, Record>?

    init(source: RecordSource<Key, Record>? = nil, records: [Key: Record] = [:]) {
        self.source = source
        self.records = records
    }

    /// The record for `key`, from memory or the index.
    public subscript(key: Key) -> Record? {
        get { records[key] ?? source?.load(key) }
        set {
            records[key] = newValue
            changed.insert(key)
        }
        // A change in place (`lots[key]!.held = …`, `lots[key]?.entries.append(…)`) moves the record
        // out and back instead of copying it out and setting it, so its arrays grow without a copy.
        // Like a set, it marks the key changed; with no record there is nothing to change or mark.
        _modify {
            var record = records.removeValue(forKey: key) ?? source?.load(key)
            defer {
                if let record {
                    records[key] = record
                    changed.insert(key)
                }
            }
            yield &record
        }
    }

    /// Reads the records for `keys` that are neither in memory nor cached, in one batch from the
    /// source: a walk asks for a level's records at once, then reads them one by one for free.
    public func prefetch(_ keys: some Sequence<Key>) {
        guard let source else { return }
        source.loadMany(keys.filter { records[$0] == nil })
    }

    /// The records in memory: all of them when the table has no source.
    public var loaded: Dictionary<Key, Record>.Values { records.values }

    /// Forgets every record held in memory that its source can give back (all of them, once
    /// `changed` is empty), keeping the room for the next ones. A table without a source keeps
    /// everything: memory is all it has.
    mutating func evict() {
        guard source != nil, changed.isEmpty else { return }
        records.removeAll(keepingCapacity: true)
        source?.forget()
    }
}

/// Loads committed records by key, through a closure that reads the index, and caches them.
/// @unchecked Sendable: a SupplyChain and its state are used by one thread at a time.
final class RecordSource<Key: RecordKey, Record: Sendable>: @unchecked Sendable {
    private let read: (Key) -> Record?
    private let readMany: (([Key]) -> [Key: Record]?)?
    private var cache: [Key: Record] = [:]
    /// Keys a batch read found no record for: a batch's new lots are looked up once, not once each.
    /// Forgotten with the cache, as the records are.
    private var absent: Set<Key> = []

    /// A source reading one key at a time with `read`, and several at once with `readMany` where
    /// the store has a batch read (absent keys are left out of its answer; nil when it failed).
    init(read: @escaping (Key) -> Record?, readMany: (([Key]) -> [Key: Record]?)? = nil) {
        self.read = read
        self.readMany = readMany
    }

    /// Caches the records for `keys` not cached yet, in one batch when there is a batch read, and
    /// remembers which keys have none. A failed read remembers nothing: it must never pass for
    /// records that do not exist.
    func loadMany(_ keys: [Key]) {
        guard let readMany else { return }
        let missing = Array(Set(keys.filter { cache[$0] == nil && !absent.contains($0) }))
        guard !missing.isEmpty, let found = readMany(missing) else { return }
        cache.merge(found) { old, _ in old }
        for key in missing where found[key] == nil { absent.insert(key) }
    }

    func load(_ key: Key) -> Record? {
        if let hit = cache[key] { return hit }
        // Only batch reads fill `absent`; the replay has none, and an empty set is not worth a hash.
        if !absent.isEmpty && absent.contains(key) { return nil }
        let record = read(key)
        if let record { cache[key] = record }
        return record
    }

    /// Empties the cache, keeping its room.
    func forget() {
        cache.removeAll(keepingCapacity: true)
        absent.removeAll(keepingCapacity: true)
    }
}
