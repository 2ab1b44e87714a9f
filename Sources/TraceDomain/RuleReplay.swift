import Foundation
import GRDB
public import TraceLedger

/// The rules replayed over a whole ledger, in order, from an empty state, with memory bounded by
/// a window of entries rather than by the ledger: every `window` entries, the plots, lots and
/// entry facts changed since are written to a private temporary SQLite file (deleted when it is
/// closed, even by a crash) and dropped from memory; later entries read back only what they touch.
/// Parties and recalls stay in memory: they are few, and some rules scan them all.
public final class RuleReplay {
    /// The state so far; its plots, lots and entry facts are partly on disk.
    public private(set) var state: DomainState
    private let scratch: DatabaseQueue
    private let reader: ScratchReader
    private let window: UInt64

    /// A replay from entry 0 that writes its state to disk every `window` entries.
    public init(window: UInt64 = 4096) throws {
        var config = Configuration()
        config.prepareDatabase { db in
            // Scratch that a crash may lose: nothing here needs to be durable.
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = OFF")
            try db.execute(sql: "PRAGMA synchronous = OFF")
        }
        do {
            // An empty path is SQLite's private temporary file, removed when the connection closes.
            scratch = try DatabaseQueue(path: "", configuration: config)
            try scratch.write { try $0.execute(sql: Self.schema) }
        } catch {
            throw ReplayError(message: "cannot create the replay's temporary file: \(error)")
        }
        reader = ScratchReader(scratch)
        let reader = self.reader
        state = DomainState(
            size: 0, parties: [:], recalls: [:], rules: OperatorRules(), plots: RecordSource { reader.load(.plot, $0) },
            lots: RecordSource { reader.load(.lot, $0) }, entries: RecordSource { reader.load(.entry, $0) })
        self.window = max(1, window)
    }

    static let schema =
        "CREATE TABLE records (kind INTEGER NOT NULL, key TEXT NOT NULL, record BLOB NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID"

    enum Kind: Int {
        case plot, lot, entry
    }

    /// Applies the next entry, or throws the `DomainError` of the rule it breaks; a `ReplayError`
    /// means the temporary file failed, not the entry.
    public func apply(_ entry: Entry) throws {
        do { try state.apply(entry) } catch {
            // A rule that saw a record fail to load may blame the entry wrongly: that failure comes first.
            try reader.check()
            throw error
        }
        try reader.check()
        if state.size % window == 0 { try spill() }
    }

    /// Writes what changed to the temporary file and forgets the records held in memory.
    private func spill() throws {
        do {
            try scratch.inTransaction { db in
                let put = try db.cachedStatement(sql: "INSERT OR REPLACE INTO records (kind, key, record) VALUES (?, ?, ?)")
                func write<R: StoredRecord>(_ table: inout RecordTable<R>, _ kind: Kind) throws {
                    var out = ByteWriter()
                    for key in table.changed {
                        guard let record = table.records[key] else { continue }
                        out.bytes.removeAll(keepingCapacity: true)
                        record.write(to: &out)
                        try put.execute(arguments: [kind.rawValue, key, Data(out.bytes)])
                    }
                    table.changed.removeAll(keepingCapacity: true)
                }
                try write(&state.plots, .plot)
                try write(&state.lots, .lot)
                try write(&state.entries, .entry)
                return .commit
            }
        } catch {
            throw ReplayError(message: "the replay's temporary file could not be written: \(error)")
        }
        state.forgetStored()
    }
}

/// The replay's temporary file failed: the replay cannot go on, but no entry is at fault.
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Reads records back from the replay's temporary file, keeping the first failure: a record that
/// exists but cannot be read must never pass for one that does not exist.
/// @unchecked Sendable: used by the one thread that runs the replay.
private final class ScratchReader: @unchecked Sendable {
    private let scratch: DatabaseQueue
    private var failure: (any Error)?

    init(_ scratch: DatabaseQueue) { self.scratch = scratch }

    func load<R: StoredRecord>(_ kind: RuleReplay.Kind, _ key: String) -> R? {
        do {
            let stored = try scratch.inDatabase { db in
                try Data.fetchOne(
                    db.cachedStatement(sql: "SELECT record FROM records WHERE kind = ? AND key = ?"),
                    arguments: [kind.rawValue, key])
            }
            guard let stored else { return nil }
            var input = ByteReader([UInt8](stored))
            return try R(reading: &input)
        } catch {
            if failure == nil { failure = error }
            return nil
        }
    }

    func check() throws {
        if let failure { throw ReplayError(message: "the replay's temporary file could not be read: \(failure)") }
    }
}
