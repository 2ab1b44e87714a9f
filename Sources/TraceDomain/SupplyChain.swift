public import CanonicalJSON
import Foundation
public import TraceCrypto
public import TraceLedger

/// The supply chain on a ledger: the rules' state replayed from the entries, and the one way to
/// append, through the rules, in one durable transaction.
public final class SupplyChain {
    public let ledger: Ledger
    public private(set) var state: DomainState
    let index: IndexReader
    /// Set when this ledger was opened read-only and its rules index was missing, of another
    /// version (`fromScratch`), or behind: the entries replayed in memory to open it. A command that
    /// only reads never writes the index, so it pays this again every time until something writes.
    public private(set) var replayedWithoutIndex: (entries: UInt64, fromScratch: Bool)?

    /// Opens a ledger: the rules' state comes from the index kept beside the entries, caught up
    /// (or rebuilt by a full replay) in one transaction when it is behind.
    public init(ledger: Ledger) throws {
        self.ledger = ledger
        index = IndexReader(store: ledger.store)
        var replayed: (entries: UInt64, fromScratch: Bool)?
        state = try Self.open(ledger, index, replayed: &replayed)
        replayedWithoutIndex = replayed
    }

    /// Opens with an index that reflects at least the first `entries` entries, catching up no
    /// further: for checking what came after a trusted checkpoint, when a later entry may be the
    /// very one that breaks a rule.
    public init(ledger: Ledger, atLeast entries: UInt64) throws {
        self.ledger = ledger
        index = IndexReader(store: ledger.store)
        var replayed: (entries: UInt64, fromScratch: Bool)?
        state = try Self.open(ledger, index, upTo: entries, replayed: &replayed)
        replayedWithoutIndex = replayed
    }

    private static func open(
        _ ledger: Ledger, _ index: IndexReader, upTo limit: UInt64? = nil,
        replayed: inout (entries: UInt64, fromScratch: Bool)?
    ) throws -> DomainState {
        let current = try ledger.store.read { reader -> DomainState? in
            guard let state = try index.using(reader, { try index.state(reader) }) else { return nil }
            let wanted = try limit ?? reader.size()
            return limit == nil ? (state.size == wanted ? state : nil) : (state.size >= wanted ? state : nil)
        }
        if let current { return current }
        if ledger.store.isReadOnly { return try readOnlyState(ledger, index, upTo: limit, replayed: &replayed) }
        do {
            return try ledger.store.write { writer in
                let size = try min(limit ?? writer.size(), writer.size())
                return try index.using(writer) {
                    var state: DomainState
                    if let indexed = try index.state(writer), indexed.size <= size {
                        state = indexed
                    } else {
                        // A rebuild starts from an empty index, written as it goes.
                        try DomainIndex.clear(writer)
                        var empty = DomainState()
                        try DomainIndex.flush(&empty, writer)
                        guard let fresh = try index.state(writer) else {
                            throw DomainError(.badInput, "the rules index beside the ledger cannot be rebuilt")
                        }
                        state = fresh
                    }
                    try catchUp(&state, to: size, access: writer, writingTo: writer)
                    try index.check()
                    try DomainIndex.flush(&state, writer)
                    return state
                }
            }
        } catch let error as DomainError {
            throw DomainError(error.code, "the ledger breaks a rule: \(error.message); run `trace verify`")
        }
    }

    /// The state of a ledger opened read-only whose index is missing, of another version, or
    /// out of step: caught up in memory from the index when it is behind, else replayed in memory
    /// from entry 0. Nothing is written to the ledger.
    private static func readOnlyState(
        _ ledger: Ledger, _ index: IndexReader, upTo limit: UInt64?, replayed: inout (entries: UInt64, fromScratch: Bool)?
    ) throws -> DomainState {
        do {
            return try ledger.store.read { reader in
                let size = try min(limit ?? reader.size(), reader.size())
                // Index reads during the catch-up go through this snapshot.
                return try index.using(reader) {
                    var state = DomainState()
                    if let indexed = try index.state(reader), indexed.size <= size { state = indexed }
                    if size > state.size { replayed = (size - state.size, state.size == 0) }
                    try catchUp(&state, to: size, access: reader)
                    try index.check()
                    return state
                }
            }
        } catch let error as DomainError {
            throw DomainError(error.code, "the ledger breaks a rule: \(error.message); run `trace verify`")
        }
    }

    /// Replays every entry; returns the first entry that breaks a rule, if any.
    public static func replay(_ ledger: Ledger, into state: inout DomainState, chunk: Int = 4096) throws -> (UInt64, DomainError)?
    {
        try firstRefusal(ledger, chunk: chunk) { try state.apply($0) }
    }

    /// A fresh replay of the whole ledger: the first entry that is signed but breaks a rule. The
    /// state goes to a temporary file every `window` entries, so memory does not grow with the ledger.
    public func verifyRules(window: UInt64 = 4096) throws -> (entry: UInt64, error: DomainError)? {
        let replay = RuleReplay(scratch: try ledger.store.makeScratch(), window: window)
        let refusal = try Self.firstRefusal(ledger) { try replay.apply($0) }
        try replay.finish()
        return refusal
    }

    private static func firstRefusal(_ ledger: Ledger, chunk: Int = 4096, _ apply: (Entry) throws -> Void) throws -> (
        UInt64, DomainError
    )? {
        let size = try ledger.size()
        var position: UInt64 = 0
        while position < size {
            let rows = try ledger.store.read { try $0.entries(from: position, limit: chunk) }
            guard !rows.isEmpty else { break }
            for row in rows {
                let entry = try Entry(bytes: row.bytes, expectedSeq: row.seq, canonical: false)
                do { try apply(entry) } catch let error as DomainError { return (row.seq, error) }
            }
            position += UInt64(rows.count)
        }
        return nil
    }

    /// Appends signed events through the rules in one durable transaction: all land, or none
    /// (the first refusal is thrown, naming the event and the rule). Resubmissions return their
    /// original entries. `personal` clear values are stored beside the ledger in the same transaction.
    public func submit(
        _ events: [SignedEvent], personal: [(party: String, field: String, commitment: Commitment)] = []
    ) throws -> [AppendResult] {
        let working = Box(state)
        let applied = Box(false)
        let prefetched = Box(false)
        let index = self.index
        defer { if index.invalidateAfterTransaction { index.invalidate() } }
        // Each event parsed once, on every core: for the look-ups below, and for the rules.
        let parsed = Self.parseByID(events)
        let results = try ledger.append(events) { entry, access in
            try index.using(access) {
                if working.value.size != entry.seq {
                    // Another process appended since this state was read: inside this transaction the
                    // index is in step with the ledger, so start from it.
                    if let fresh = try index.state(access), fresh.size <= entry.seq {
                        working.value = fresh
                    } else {
                        // No usable index: rebuild in memory from entry 0 (never mix a lazy state
                        // with an index at another size); the whole state is written at the end.
                        working.value = DomainState()
                    }
                    let rebuilt = working.value.lots.source == nil
                    try Self.catchUp(&working.value, to: entry.seq, access: access)
                    if rebuilt { DomainIndex.markAll(&working.value) }
                }
                if !prefetched.value {
                    // The index records the batch touches, in one read each for lots and plots (on
                    // PostgreSQL a round trip per record otherwise), new lots' absence included.
                    prefetched.value = true
                    working.value.prefetch(touchedBy: parsed.values)
                }
                // An event that did not parse is applied the slow way, which gives the rules' refusal.
                if let event = parsed[entry.signed.id] {
                    try working.value.apply(entry, event: event)
                } else {
                    try working.value.apply(entry)
                }
                try index.check()
                applied.value = true
            }
        } finish: { writer in
            // One flush of the index for the whole batch, in the same transaction.
            if applied.value {
                if working.value.lots.source == nil { try DomainIndex.clear(writer) }
                try DomainIndex.flush(&working.value, writer)
            }
            if !personal.isEmpty { try PersonalData.store(personal, in: writer) }
        }
        // What the batch wrote is in the index now: forget it, so the next batch neither copies
        // nor keeps every record this process ever wrote (which made ingest slow down as it ran).
        working.value.forgetStored()
        state = working.value
        if state.size < (try ledger.size()) {
            var replayed: (entries: UInt64, fromScratch: Bool)?
            state = try Self.open(ledger, index, replayed: &replayed)
        }
        return results
    }

    /// The events that parse, by id (the first of two with one id, as the ledger keeps it).
    private static func parseByID(_ events: [SignedEvent]) -> [String: TraceEvent] {
        let parsed = ParallelMap.map(count: events.count) { i, _, _ in try? TraceEvent(parsing: events[i]) }
        var byID: [String: TraceEvent] = [:]
        for (signed, event) in zip(events, parsed) where byID[signed.id] == nil {
            if let event { byID[signed.id] = event }
        }
        return byID
    }

    /// Applies the entries from the state's size up to `size`. With an index to write to, each
    /// chunk's records are written to it and forgotten, so a long catch-up (a rebuild from entry 0)
    /// holds one chunk's records in memory, not the ledger's.
    private static func catchUp(
        _ state: inout DomainState, to size: UInt64, access: any LedgerReader, writingTo writer: (any LedgerWriter)? = nil
    ) throws {
        while state.size < size {
            let rows = try access.entries(from: state.size, limit: Int(min(4096, size - state.size)))
            for row in rows { try state.apply(try Entry(bytes: row.bytes, expectedSeq: row.seq, canonical: false)) }
            if let writer, state.lots.source != nil {
                try DomainIndex.flush(&state, writer)
                state.forgetStored()
            }
        }
    }

    /// Applies `events` to a copy of the state as if appended now, continuing past refusals, and
    /// returns every refusal with the event's index: a batch's full error report, writing nothing.
    public func dryRun(_ events: [SignedEvent]) -> [(index: Int, error: DomainError)] {
        var trial = state
        var refusals: [(Int, DomainError)] = []
        var seen: Set<String> = []
        let recorded = Timestamp.now()
        func stored(_ ids: [String]) -> [String: UInt64] { (try? ledger.store.read { try $0.seqs(forEventIDs: ids) }) ?? [:] }
        // One lookup for the batch (a round trip per event on PostgreSQL otherwise).
        let already = stored(events.map(\.id))
        for (i, event) in events.enumerated() where seen.insert(event.id).inserted {
            // An event already in the ledger is a resubmission: it will return its entry.
            if already[event.id] != nil { continue }
            guard let entry = try? Entry(seq: trial.size, recorded: recorded, prev: .zero, signed: event) else { continue }
            do { try trial.apply(entry) } catch let error as DomainError { refusals.append((i, error)) } catch {}
        }
        // Another process may have appended the same events meanwhile (a resubmission racing the
        // first submission): the state read lazily from the index then holds their lots already.
        // Those are resubmissions, not refusals; the append returns their entries.
        if !refusals.isEmpty {
            let now = stored(refusals.map { events[$0.0].id })
            refusals.removeAll { now[events[$0.0].id] != nil }
        }
        // A refusal that came from an unreadable index is not the batch's fault.
        if (try? index.check()) == nil { return [] }
        return refusals
    }

    /// Throws if a record could not be read from the index since the last check.
    public func checkIndex() throws { try index.check() }

    /// A new event of `type` by `actor`, with a fresh id and the current time.
    public static func event(_ type: String, actor: String, id: String? = nil, _ fields: [String: JSONValue]) -> JSONValue {
        var o = fields
        o["id"] = .string(id ?? "ev-" + UUID().uuidString.lowercased())
        o["type"] = .string(type)
        o["actor"] = .string(actor)
        o["time"] = .string(Timestamp.now())
        return .object(o)
    }

    /// The party that holds `key` now, and its registered verifier key (the name to sign with).
    public func signer(for key: PrivateKey) throws -> (party: PartyRecord, vkey: VerifierKey) {
        try signer(for: key.publicKey)
    }

    /// The party whose current key is `publicKey`, and that key as registered.
    public func signer(for publicKey: PublicKey) throws -> (party: PartyRecord, vkey: VerifierKey) {
        for party in state.parties.loaded {
            for record in party.keys where record.until == nil {
                if let vkey = try? VerifierKey(record.vkey), vkey.publicKey == publicKey { return (party, vkey) }
            }
        }
        throw DomainError(
            .keyNotValid, "--key: this key is not the current key of any registered party; ask the operator to register it")
    }

    /// Signs `event` with `key` under its registered name.
    public func sign(_ event: JSONValue, with key: PrivateKey) throws -> SignedEvent {
        let (_, vkey) = try signer(for: key)
        return try SignedEvent.sign(event, with: key, keyName: vkey.name)
    }
}

/// A mutable value shared with an escaping closure that runs synchronously.
final class Box<T> {
    var value: T
    init(_ value: T) { self.value = value }
}
