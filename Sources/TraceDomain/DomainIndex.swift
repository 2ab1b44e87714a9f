import Foundation
import GRDB
import TraceLedger

/// The rules' state kept in the ledger's SQLite file, beside the entries: one row per party,
/// plot, lot, entry fact and recall, written in the same transaction as the entries that
/// change them. It makes a command on a large ledger cost what it touches instead of a replay
/// from entry 0. It is an index, not evidence: it is outside every hash, `trace verify` replays
/// the entries without it, and it is rebuilt from the entries when missing or out of step.
enum DomainIndex {
    /// Bumped whenever the stored record shapes change; an index of another version is rebuilt.
    static let version = "3"

    static let schema = """
        CREATE TABLE IF NOT EXISTS domain_records (
            kind TEXT NOT NULL, key TEXT NOT NULL, record BLOB NOT NULL, PRIMARY KEY (kind, key)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS domain_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        """

    enum Kind: String {
        case party, plot, lot, entry, recall, rules
    }

    /// The number of entries the index reflects, or nil when there is no usable index.
    static func size(_ db: Database) throws -> UInt64? {
        guard try db.tableExists("domain_meta"), try db.tableExists("domain_records") else { return nil }
        let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM domain_meta")
        var meta: [String: String] = [:]
        for row in rows { meta[row["key"]] = row["value"] }
        guard meta["version"] == version, let size = meta["size"].flatMap(UInt64.init) else { return nil }
        return size
    }

    static func load<T: StoredRecord>(_ kind: Kind, _ key: String, _ db: Database) throws -> T? {
        guard
            let data = try Data.fetchOne(
                db.cachedStatement(sql: "SELECT record FROM domain_records WHERE kind = ? AND key = ?"),
                arguments: [kind.rawValue, key])
        else { return nil }
        var input = ByteReader([UInt8](data))
        return try T(reading: &input)
    }

    /// Empties the index before a rebuild, so no record of an older state survives it.
    static func clear(_ db: Database) throws {
        try db.execute(sql: schema)
        try db.execute(sql: "DELETE FROM domain_records; DELETE FROM domain_meta")
    }

    static func loadAll<T: StoredRecord>(_ kind: Kind, _ db: Database) throws -> [String: T] {
        var out: [String: T] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT key, record FROM domain_records WHERE kind = ?", arguments: [kind.rawValue])
        {
            var input = ByteReader([UInt8](row["record"] as Data))
            out[row["key"]] = try T(reading: &input)
        }
        return out
    }

    /// Writes every record changed since the last flush, and the size; clears the change marks.
    static func flush(_ state: inout DomainState, _ db: Database) throws {
        if try !db.tableExists("domain_records") || !db.tableExists("domain_meta") { try db.execute(sql: schema) }
        let put = try db.cachedStatement(sql: "INSERT OR REPLACE INTO domain_records (kind, key, record) VALUES (?, ?, ?)")
        var out = ByteWriter()
        func write<T: StoredRecord>(_ table: inout RecordTable<T>, _ kind: Kind) throws {
            for key in table.changed {
                guard let record = table.records[key] else { continue }
                out.bytes.removeAll(keepingCapacity: true)
                record.write(to: &out)
                try put.execute(arguments: [kind.rawValue, key, Data(out.bytes)])
            }
            table.changed.removeAll()
        }
        try write(&state.parties, .party)
        try write(&state.plots, .plot)
        try write(&state.lots, .lot)
        try write(&state.entries, .entry)
        try write(&state.recalls, .recall)
        if state.rulesChanged {
            out.bytes.removeAll(keepingCapacity: true)
            state.rules.write(to: &out)
            try put.execute(arguments: [Kind.rules.rawValue, "rules", Data(out.bytes)])
            state.rulesChanged = false
        }
        try db.execute(
            sql: "INSERT OR REPLACE INTO domain_meta (key, value) VALUES ('version', ?), ('size', ?)",
            arguments: [version, String(state.size)])
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

/// Where index reads go: inside a write transaction, its connection (the queue is not
/// reentrant); otherwise a read snapshot of the store.
/// @unchecked Sendable: used by one thread at a time, like the SupplyChain that owns it.
final class IndexReader: @unchecked Sendable {
    let store: any LedgerStore
    var transaction: Database?

    init(store: any LedgerStore) { self.store = store }

    /// The first read that failed since the last `check`: a record that exists but cannot be
    /// read must never pass for a record that does not exist.
    private var failure: (any Error)?

    func read<T>(_ body: (Database) throws -> T?) -> T? {
        do {
            if let transaction { return try body(transaction) }
            return try store.read { reader -> T? in
                guard let db = (reader as? any SQLiteAccess)?.database else { return nil }
                return try body(db)
            }
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
        _ = try? store.write { writer in
            if let db = (writer as? any SQLiteAccess)?.database, try db.tableExists("domain_meta") {
                try db.execute(sql: "DELETE FROM domain_meta")
            }
        }
    }

    /// Throws (once) if a read failed: the command stops, and the next open rebuilds the index.
    func check() throws {
        guard let error = failure else { return }
        failure = nil
        if transaction == nil { invalidate() } else { invalidateAfterTransaction = true }
        throw DomainError(
            .badInput, "the rules index beside the ledger could not be read (\(error)); it will be rebuilt, run the command again"
        )
    }

    /// A state at the index's size, reading records on demand; nil when there is no usable index.
    func state(_ db: Database) throws -> DomainState? {
        guard let size = try DomainIndex.size(db) else { return nil }
        let parties: [String: PartyRecord] = try DomainIndex.loadAll(.party, db)
        let recalls: [String: String] = try DomainIndex.loadAll(.recall, db)
        let rules: OperatorRules = try DomainIndex.load(.rules, "rules", db) ?? OperatorRules()
        return DomainState(
            size: size, parties: parties, recalls: recalls, rules: rules,
            plots: RecordSource { key in self.read { try DomainIndex.load(.plot, key, $0) } },
            lots: RecordSource { key in self.read { try DomainIndex.load(.lot, key, $0) } },
            entries: RecordSource { key in self.read { try DomainIndex.load(.entry, key, $0) } })
    }
}
