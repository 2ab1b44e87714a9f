import Dispatch
import Foundation
public import TraceLedger

/// The rules replayed over a whole ledger, in order, from an empty state, with memory bounded by
/// a window of entries rather than by the ledger: every `window` entries, the plots, lots and
/// entry facts changed since are written to the store's scratch space (SQLite: a private
/// temporary file, deleted when closed, even by a crash) and dropped from memory; later entries
/// read back only what they touch. Parties and recalls stay in memory: they are few, and some
/// rules scan them all.
///
/// The write (encoding each record and storing it) runs on a thread of its own while the replay
/// goes on: until the next spill, the records of the batch being written are read from memory
/// (the pending batch), and the next spill waits for that write before it drops them.
public final class RuleReplay {
    /// The state so far; its plots, lots and entry facts are partly in the scratch space.
    public private(set) var state: DomainState
    private let reader: ScratchReader
    private let writer: ScratchWriter
    private let window: UInt64

    /// A replay from entry 0 that writes its state to `scratch` every `window` entries.
    public init(scratch: any ScratchSpace = MemoryScratch(), window: UInt64 = 4096) {
        let reader = ScratchReader(scratch)
        self.reader = reader
        writer = ScratchWriter(scratch)
        state = DomainState(
            size: 0, parties: [:], recalls: [:], rules: OperatorRules(),
            plots: RecordSource { reader.pending.plots.records[$0] ?? reader.load(.plot, $0) },
            lots: RecordSource { reader.pending.lots.records[$0] ?? reader.load(.lot, $0) },
            entries: RecordSource { reader.pending.entries.records[$0] ?? reader.load(.entry, $0.indexKey) })
        self.window = max(1, window)
    }

    enum Kind: Int {
        case plot, lot, entry
    }

    /// The scratch kind of an index kind that spills (parties, recalls and rules stay in memory).
    static func kind(_ kind: DomainIndex.Kind) -> Kind {
        switch kind {
        case .lot: .lot
        case .entry: .entry
        default: .plot
        }
    }

    /// Applies the next entry, or throws the `DomainError` of the rule it breaks; a `ReplayError`
    /// means the scratch space failed, not the entry. `event` is the entry's event parsed already
    /// (on a verification worker); without it, or when it did not parse, the entry is parsed here,
    /// so a malformed event is refused as it always was (its actor and key judged first).
    public func apply(_ entry: Entry, event: TraceEvent? = nil) throws {
        do {
            if let event { try state.apply(entry, event: event) } else { try state.apply(entry) }
        } catch {
            // A rule that saw a record fail to load may blame the entry wrongly: that failure comes first.
            try reader.check()
            throw error
        }
        try reader.check()
        if state.size % window == 0 { try spill() }
    }

    /// Waits for the last write to the scratch space; throws a `ReplayError` if any failed.
    public func finish() throws {
        try writer.wait()
    }

    /// Hands what changed to the writer's thread and forgets the records held in memory; they
    /// are read from the pending batch until the next spill, by when they are in the scratch space.
    private func spill() throws {
        // The batch before must be in the scratch space before its records leave memory.
        try writer.wait()
        reader.landed(writer.takeWritten())
        let batch = SpillBatch(plots: state.plots, lots: state.lots, entries: state.entries)
        state.forgetChanges()
        state.forgetStored()
        let landed = reader.pending
        reader.pending = batch
        // The batch that landed is freed on the writer's thread, not this one.
        writer.write(batch, freeing: Disposal(consume landed))
    }
}

/// The plots, lots and entry facts changed in one window, as their tables held them.
struct SpillBatch: Sendable {
    var plots = RecordTable<PlotRecord>()
    var lots = RecordTable<LotRecord>()
    var entries = KeyedRecordTable<UInt64, EntryFact>()
}

/// The replay's scratch space failed: the replay cannot go on, but no entry is at fault.
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Encodes and writes each spilled batch to the scratch space on a thread of its own, one batch
/// at a time, keeping the first failure.
/// @unchecked Sendable: `failure` and `written` are set by the queue's one task at a time and
/// read by the replay's thread only after `wait()`, which orders them.
private final class ScratchWriter: @unchecked Sendable {
    private let scratch: any ScratchSpace
    private let queue = DispatchQueue(label: "trace.replay.scratch")
    private let group = DispatchGroup()
    private var failure: (any Error)?
    /// The slots (`ScratchReader.slot`) of the plot and lot keys of the last batch written.
    private var written: [Int] = []

    init(_ scratch: any ScratchSpace) { self.scratch = scratch }

    func write(_ batch: SpillBatch, freeing landed: Disposal<SpillBatch>) {
        queue.async(group: group) {
            var records: [(kind: Int, key: String, value: [UInt8])] = []
            var out = ByteWriter()
            func add<K: RecordKey, T: StoredRecord>(_ table: KeyedRecordTable<K, T>, _ kind: RuleReplay.Kind) {
                DomainIndex.encodeChanges(table, into: &out) { key, bytes in
                    records.append((kind.rawValue, key, bytes))
                    if kind != .entry { self.written.append(ScratchReader.slot(kind.rawValue, key)) }
                }
            }
            add(batch.plots, .plot)
            add(batch.lots, .lot)
            add(batch.entries, .entry)
            do { try self.scratch.put(records) } catch {
                if self.failure == nil { self.failure = error }
            }
            landed.dispose()
        }
    }

    /// Waits for the batch being written; throws if any write failed.
    func wait() throws {
        group.wait()
        if let failure {
            throw ReplayError(message: "the replay's scratch space could not be written: \(failure)")
        }
    }

    /// The slots of the keys written since the last call (call after `wait()`).
    func takeWritten() -> [Int] {
        defer { written.removeAll(keepingCapacity: true) }
        return written
    }
}

/// Reads records back from the replay's scratch space, keeping the first failure: a record that
/// exists but cannot be read must never pass for one that does not exist.
/// @unchecked Sendable: used by the one thread that runs the replay.
private final class ScratchReader: @unchecked Sendable {
    private let scratch: any ScratchSpace
    private var failure: (any Error)?
    /// The batch being written, read from memory until the next spill.
    var pending = SpillBatch()
    /// A hash of each plot and lot key ever written to the scratch space. Every new lot is first
    /// looked up to prove its code unused, and that miss went to the scratch space (a store query)
    /// on the one in-order thread; a key whose hash is not here was never written, so it is not
    /// there. A hash shared by two keys only costs a query. Entry facts are read only by voids
    /// and are one per entry, so they are not kept here.
    private var written = Set<Int>()

    init(_ scratch: any ScratchSpace) { self.scratch = scratch }

    /// Notes the records of a batch now in the scratch space, by their slots.
    func landed(_ slots: [Int]) {
        for slot in slots { written.insert(slot) }
    }

    static func slot(_ kind: Int, _ key: String) -> Int {
        var hasher = Hasher()
        hasher.combine(kind)
        hasher.combine(key)
        return hasher.finalize()
    }

    func load<R: StoredRecord>(_ kind: RuleReplay.Kind, _ key: String) -> R? {
        if kind != .entry && !written.contains(Self.slot(kind.rawValue, key)) { return nil }
        do {
            guard let stored = try scratch.get(kind: kind.rawValue, key: key) else { return nil }
            var input = ByteReader(stored)
            return try R(reading: &input)
        } catch {
            if failure == nil { failure = error }
            return nil
        }
    }

    func check() throws {
        if let failure { throw ReplayError(message: "the replay's scratch space could not be read: \(failure)") }
    }
}
