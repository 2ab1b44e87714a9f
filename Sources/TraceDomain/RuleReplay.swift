import Foundation
public import TraceLedger

/// The rules replayed over a whole ledger, in order, from an empty state, with memory bounded by
/// a window of entries rather than by the ledger: every `window` entries, the plots, lots and
/// entry facts changed since are written to the store's scratch space (SQLite: a private
/// temporary file, deleted when closed, even by a crash) and dropped from memory; later entries
/// read back only what they touch. Parties and recalls stay in memory: they are few, and some
/// rules scan them all.
public final class RuleReplay {
    /// The state so far; its plots, lots and entry facts are partly in the scratch space.
    public private(set) var state: DomainState
    private let scratch: any ScratchSpace
    private let reader: ScratchReader
    private let window: UInt64

    /// A replay from entry 0 that writes its state to `scratch` every `window` entries.
    public init(scratch: any ScratchSpace = MemoryScratch(), window: UInt64 = 4096) {
        self.scratch = scratch
        reader = ScratchReader(scratch)
        let reader = self.reader
        state = DomainState(
            size: 0, parties: [:], recalls: [:], rules: OperatorRules(), plots: RecordSource { reader.load(.plot, $0) },
            lots: RecordSource { reader.load(.lot, $0) }, entries: RecordSource { reader.load(.entry, $0) })
        self.window = max(1, window)
    }

    enum Kind: Int {
        case plot, lot, entry
    }

    /// The scratch kind of an index kind that spills (parties, recalls and rules stay in memory).
    private static func kind(_ kind: DomainIndex.Kind) -> Kind {
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

    /// Writes what changed to the scratch space and forgets the records held in memory.
    private func spill() throws {
        var batch: [(kind: Int, key: String, value: [UInt8])] = []
        try DomainIndex.drainChanges(&state, of: [.plot, .lot, .entry]) { kind, key, bytes in
            batch.append((Self.kind(kind).rawValue, key, bytes))
        }
        for record in batch { reader.wrote(kind: record.kind, key: record.key) }
        do { try scratch.put(batch) } catch {
            throw ReplayError(message: "the replay's scratch space could not be written: \(error)")
        }
        state.forgetStored()
    }
}

/// The replay's scratch space failed: the replay cannot go on, but no entry is at fault.
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Reads records back from the replay's scratch space, keeping the first failure: a record that
/// exists but cannot be read must never pass for one that does not exist.
/// @unchecked Sendable: used by the one thread that runs the replay.
private final class ScratchReader: @unchecked Sendable {
    private let scratch: any ScratchSpace
    private var failure: (any Error)?
    /// A hash of each plot and lot key ever written to the scratch space. Every new lot is first
    /// looked up to prove its code unused, and that miss went to the scratch space (a store query)
    /// on the one in-order thread; a key whose hash is not here was never written, so it is not
    /// there. A hash shared by two keys only costs a query. Entry facts are read only by voids
    /// and are one per entry, so they are not kept here.
    private var written = Set<Int>()

    init(_ scratch: any ScratchSpace) { self.scratch = scratch }

    /// Notes a record written to the scratch space.
    func wrote(kind: Int, key: String) {
        if kind != RuleReplay.Kind.entry.rawValue { written.insert(Self.slot(kind, key)) }
    }

    private static func slot(_ kind: Int, _ key: String) -> Int {
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
