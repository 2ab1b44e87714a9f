import Foundation

/// A table of records the rules read and write. For a full replay every record lives in memory;
/// for everyday commands records are read on demand from the store's index (`DomainIndex`), so
/// opening a large ledger costs what the command touches, not the ledger's size.
public struct RecordTable<Record: Sendable>: Sendable {
    /// Records read or written through this table (everything, when there is no source).
    var records: [String: Record] = [:]
    /// Keys written since the last flush to the index.
    var changed: Set<String> = []
    /// Where records not in memory come from, if anywhere.
    let source: RecordSource<Record>?

    init(source: RecordSource<Record>? = nil, records: [String: Record] = [:]) {
        self.source = source
        self.records = records
    }

    /// The record for `key`, from memory or the index.
    public subscript(key: String) -> Record? {
        get { records[key] ?? source?.load(key) }
        set {
            records[key] = newValue
            changed.insert(key)
        }
    }

    /// The records in memory: all of them when the table has no source.
    public var loaded: Dictionary<String, Record>.Values { records.values }

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
final class RecordSource<Record: Sendable>: @unchecked Sendable {
    private let read: (String) -> Record?
    private var cache: [String: Record] = [:]

    init(read: @escaping (String) -> Record?) { self.read = read }

    func load(_ key: String) -> Record? {
        if let hit = cache[key] { return hit }
        let record = read(key)
        if let record { cache[key] = record }
        return record
    }

    /// Empties the cache, keeping its room.
    func forget() { cache.removeAll(keepingCapacity: true) }
}
