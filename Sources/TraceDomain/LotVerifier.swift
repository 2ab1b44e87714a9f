import CanonicalJSON
import Foundation
public import TraceCrypto
public import TraceLedger

/// What a buyer's check of one lot found.
public struct LotVerification: Sendable {
    /// The checkpoint everything was proved against.
    public let checkpoint: Checkpoint
    /// The entries checked, in ledger order.
    public let entries: [UInt64]
    /// Stored tree rows read for the proofs.
    public let nodeReads: Int
    /// The first problem, naming the entry; nil when the lot verified.
    public let failure: (entry: UInt64?, reason: String)?
    /// The open recalls holding the lot, read from the replayed story; empty when it failed.
    public let recalls: [Verdict.Recall]
    /// The operator's keys from the trusted genesis key through the story's rotations, each
    /// proved and checked (nil when the story failed): what opens this ledger's other checkpoints.
    public internal(set) var operatorKeys: OperatorKeys?

    /// True when the story is authentic and every rule holds (the lot may still be recalled).
    public var ok: Bool { failure == nil }

    init(
        checkpoint: Checkpoint, entries: [UInt64], nodeReads: Int, failure: (entry: UInt64?, reason: String)?,
        recalls: [Verdict.Recall] = []
    ) {
        self.checkpoint = checkpoint
        self.entries = entries
        self.nodeReads = nodeReads
        self.failure = failure
        self.recalls = recalls
    }
}

/// A lot's story as a buyer checks it: the signed checkpoint, and each entry with its path.
public struct LotStory: Sendable {
    /// One entry of the story: its bytes (nil when the store has lost them) and its inclusion path.
    public struct Item: Sendable {
        public let seq: UInt64
        public let bytes: [UInt8]?
        public let path: [Digest]

        public init(seq: UInt64, bytes: [UInt8]?, path: [Digest]) {
            self.seq = seq
            self.bytes = bytes
            self.path = path
        }
    }

    /// The latest signed checkpoint note.
    public let note: String
    public let entries: [Item]

    public init(note: String, entries: [Item]) {
        self.note = note
        self.entries = entries
    }
}

/// A buyer's check of one lot: only the entries its story needs (its lineage's events, and the
/// registrations of every party, key and plot they rely on), each proved included in the signed
/// checkpoint, each signature checked, and the rules replayed along that path. Cost grows with
/// the lineage and log n, not with the ledger.
///
/// The index only says where to look; every entry it points to is proved. What a partial check
/// cannot see is an entry the index omits (say a second draw from an origin lot): a full
/// `trace verify` covers that.
public struct LotVerifier {
    let chain: SupplyChain

    public init(chain: SupplyChain) { self.chain = chain }

    /// A buyer's check of the lot; a story not yet covered by a signed checkpoint is a failed
    /// check (not verified yet), an unknown lot an error.
    public func verify(lot code: String, operatorKey: VerifierKey? = nil) throws -> LotVerification {
        let story: LotStory
        do { story = try self.story(lot: code) } catch let error as DomainError where error.code == .notCheckpointed {
            let latest = try? chain.ledger.latestCheckpoint()?.0
            return LotVerification(
                checkpoint: latest ?? Checkpoint(origin: chain.ledger.metadata.origin, size: 0, root: .zero), entries: [],
                nodeReads: 0, failure: (nil, error.message))
        }
        return Self.check(story, lot: code, operatorKey: operatorKey ?? chain.ledger.metadata.operatorKey)
    }

    /// The buyer's verdict on a lot of this ledger, as the CLI and the server both give it.
    public func verdict(lot code: String, operatorKey: VerifierKey? = nil) -> Verdict {
        do {
            return Verdict.decide(lot: code, verification: try verify(lot: code, operatorKey: operatorKey))
        } catch {
            let reason = (error as? DomainError)?.message ?? (error as? LedgerError)?.message ?? "\(error)"
            return Verdict.decide(
                lot: code, failure: .init(entry: nil, reason: reason), recalls: [],
                statusAtSize: (try? chain.ledger.latestCheckpoint()?.0.size) ?? 0)
        }
    }

    /// What a buyer's check of the lot reads: the latest signed checkpoint, and every entry of the
    /// lot's story with its inclusion path, in one read snapshot (a transaction per entry would
    /// cost more than the hashing). A server sends exactly this to a remote `verify-lot`.
    public func story(lot code: String) throws -> LotStory {
        let ledger = chain.ledger
        guard let stored = try ledger.store.read({ try $0.checkpoint(size: nil) }) else {
            throw DomainError(.notCheckpointed, "the ledger has no checkpoint yet; the operator must run `trace checkpoint`")
        }
        // The size is read before the signature is checked; `check` refuses a note that does not verify.
        guard let size = try? Checkpoint(text: SignedNote(parsing: stored.note).text).size else {
            return LotStory(note: stored.note, entries: [])
        }
        let seqs = try entriesNeeded(for: code)
        if let beyond = seqs.last, beyond >= size {
            throw DomainError(
                .notCheckpointed,
                "lot \(code)'s story reaches entry \(beyond), beyond the latest checkpoint (size \(size)); the operator must run `trace checkpoint`"
            )
        }
        // The entries in one batch, and every node of their paths in another: neighbouring
        // entries' paths share most nodes, each read once, and the round trips do not grow with
        // the story.
        let entries = try ledger.store.read { reader in
            let bytes = try reader.entries(seqs: seqs)
            let tree = MerkleTree(source: try reader.proofNodes(for: seqs, size: size))
            return try seqs.map { seq in
                LotStory.Item(seq: seq, bytes: bytes[seq], path: try tree.inclusionProof(index: seq, size: size))
            }
        }
        return LotStory(note: stored.note, entries: entries)
    }

    /// Checks a lot's story against the operator key: the checkpoint's signature, each entry's
    /// inclusion in it, each signature, genesis, and the rules replayed along the path; then reads
    /// the open recalls holding `code` from the replayed story. Needs no ledger: the story may
    /// come from a server that is not trusted.
    public static func check(_ story: LotStory, lot code: String, operatorKey trusted: VerifierKey) -> LotVerification {
        func badCheckpoint(_ reason: String) -> LotVerification {
            LotVerification(
                checkpoint: Checkpoint(origin: "", size: 0, root: .zero), entries: [], nodeReads: 0,
                failure: (nil, "the latest checkpoint does not verify with the operator key: \(reason)"))
        }
        // The note is read here and its signature checked on the workers with the entries'; no
        // entry is judged before it is known to verify.
        let checkpoint: Checkpoint
        let noteText: [UInt8]
        let noteSignature: [UInt8]
        let noteKey: PublicKey
        var keys = OperatorKeys(genesis: trusted)
        do {
            let note = try SignedNote(parsing: story.note)
            // The key that signs this size, followed from the trusted genesis key through the
            // story's `operator.rotate` entries (each proved included and its signature checked below).
            let size = try Checkpoint(text: note.text).size
            keys = OperatorKeys(genesis: trusted)
            for item in story.entries where item.seq < size {
                if let bytes = item.bytes { try keys.apply(seq: item.seq, bytes: bytes, origin: trusted.name) }
            }
            let signer = keys.key(forSize: size)
            guard let line = note.signatures.first(where: { $0.name == signer.name && $0.keyHash == signer.keyHash }) else {
                return badCheckpoint(
                    "the note is not signed by \(signer.name) (\(Hex.encode(signer.keyHash)))"
                        + (keys.links.count > 1 ? ", the operator key in force after entry \(keys.links.last?.entry ?? 0)" : ""))
            }
            checkpoint = try Checkpoint(text: note.text)
            noteText = Array(note.text.utf8)
            noteSignature = line.signature
            noteKey = signer.publicKey
        } catch {
            return badCheckpoint((error as? LedgerError)?.message ?? "\(error)")
        }
        let seqs = story.entries.map(\.seq)
        let material = story.entries
        var reads = 0
        var state = DomainState()
        var recallEvents: [UInt64: (event: TraceEvent, recall: TraceEvent.Recall)] = [:]
        func fail(_ seq: UInt64?, _ reason: String) -> LotVerification {
            LotVerification(checkpoint: checkpoint, entries: seqs, nodeReads: reads, failure: (seq, reason))
        }
        guard seqs.first == 0, zip(seqs, seqs.dropFirst()).allSatisfy({ $0 < $1 }), (seqs.last ?? 0) < checkpoint.size else {
            return fail(nil, "the story's entries are not genesis and then distinct entries of the signed checkpoint, in order")
        }
        // Parse every entry and check its signature on every core: a story's twenty-odd
        // signatures and canonical parses are most of the work. Failures are still reported in
        // entry order, after every earlier entry passed.
        let checked = ParallelMap.map(count: material.count + 1) { i, verifier, _ -> Checked in
            guard i < material.count else {
                return .note(
                    valid: noteSignature.count == 64
                        && verifier.verify(signature: noteSignature, message: noteText, key: noteKey))
            }
            let item = material[i]
            guard let bytes = item.bytes else { return .unreadable("entry \(item.seq) is missing") }
            do {
                let entry = try Entry(bytes: bytes, expectedSeq: item.seq)
                return .entry(
                    entry, event: Self.parse(entry),
                    valid: verifier.verify(
                        signature: entry.signed.signature, message: entry.signedMessage, key: entry.signed.key.publicKey))
            } catch let error as LedgerError {
                return .unreadable(error.message)
            } catch {
                return .unreadable("entry \(item.seq) is not readable")
            }
        }
        if case .note(valid: false) = checked.last {
            return badCheckpoint(
                "the signature by \(trusted.name) does not verify: the note was changed or signed by another key")
        }
        for (i, result) in checked.dropLast().enumerated() {
            let entry: Entry
            let parsedEvent: Result<TraceEvent, DomainError>
            let validSignature: Bool
            switch result {
            case .entry(let parsed, let event, let valid): (entry, parsedEvent, validSignature) = (parsed, event, valid)
            case .unreadable(let reason): return fail(seqs[i], reason)
            case .note: continue
            }
            let seq = entry.seq
            let path = material[i].path
            reads += path.count
            // The proof's path comes from the store; the leaf is recomputed from the entry.
            guard
                MerkleVerification.verifyInclusion(
                    index: seq, size: checkpoint.size, leafHash: entry.leafHash(), proof: path, root: checkpoint.root)
            else {
                return fail(
                    seq, "entry \(seq) is not the entry the signed checkpoint includes: it was changed after it was appended")
            }
            guard validSignature else {
                return fail(seq, "entry \(seq): the signature by \(entry.signed.key.name) does not verify")
            }
            if seq == 0 {
                guard case .success(let genesis) = parsedEvent, case .genesis = genesis.kind, entry.signed.key == trusted else {
                    return fail(0, "entry 0 is not the genesis entry of the trusted operator")
                }
            }
            do {
                // An event that did not parse is applied the slow way, which judges who acts
                // before the fields, so the refusal is the one the rules give.
                if case .success(let event) = parsedEvent {
                    try state.applySparse(entry, event: event)
                } else {
                    try state.applySparse(entry)
                }
            } catch let error as DomainError {
                return fail(seq, "entry \(seq) breaks a rule: \(error.message)")
            } catch {
                return fail(seq, "entry \(seq) could not be applied: \(error)")
            }
            if case .success(let event) = parsedEvent, case .recall(let recall) = event.kind {
                recallEvents[seq] = (event, recall)
            }
        }
        // A story that never creates the lot asked about proves nothing about it.
        guard let key = try? LotCode(code, field: "LOT").key, let lot = state.lots[key] else {
            return fail(nil, "the story does not contain lot \(code.uppercased()): it proves nothing about it")
        }
        // A voided lot was never there: its printed code must not read as genuine goods.
        if lot.status == .voided {
            let by = lot.entries.last { $0 > lot.createdSeq }
            return fail(by, "lot \(lot.code) was voided\(by.map { " by entry \($0)" } ?? ""): it is not a lot of goods")
        }
        let recalls = lot.holds.sorted().map { seq in
            let recall = recallEvents[seq]
            return Verdict.Recall(
                entry: seq, lot: state.lots[state.recalls[String(seq)] ?? ""]?.code.text ?? recall?.recall.lot.text ?? "",
                reason: recall?.recall.reason ?? "", time: recall?.event.time ?? "", actor: recall?.event.actor ?? "")
        }
        var verified = LotVerification(checkpoint: checkpoint, entries: seqs, nodeReads: reads, failure: nil, recalls: recalls)
        verified.operatorKeys = keys
        return verified
    }

    /// An entry's event parsed on a worker: the parse is most of a replayed entry's cost.
    static func parse(_ entry: Entry) -> Result<TraceEvent, DomainError> {
        do { return .success(try TraceEvent(parsing: entry.signed)) } catch let error as DomainError {
            return .failure(error)
        } catch {
            return .failure(DomainError(.badInput, "event \(entry.signed.id): \(error)"))
        }
    }

    /// One item of a story checked on a worker: an entry and whether its signature verifies, an
    /// entry that could not be read, or the checkpoint note's signature.
    enum Checked: Sendable {
        case entry(Entry, event: Result<TraceEvent, DomainError>, valid: Bool)
        case unreadable(String)
        case note(valid: Bool)
    }

    /// The entries the lot's story rests on, found through the index.
    func entriesNeeded(for code: String) throws -> [UInt64] {
        let root = try LotCode(code, field: "LOT")
        guard chain.state.lots[root.key] != nil else { throw DomainError(.unknownLot, "LOT: there is no lot \(code)") }
        return try storyEntries(lots: [root.key], parties: [], plots: []).sorted()
    }

    /// Genesis, and every entry these lots' stories rest on: each lot's own events and those of
    /// every lot it was made from (or drawn with), and the registrations of every party, key and
    /// plot involved.
    public func storyEntries(lots start: [String], parties startParties: Set<String>, plots startPlots: Set<String>) throws
        -> Set<UInt64>
    {
        // One read snapshot for the whole walk, shared with the index's look-ups (the store's
        // queue is not reentrant, so the index reads through this snapshot's connection).
        // A read that failed inside the snapshot marks the index for rebuilding once it is closed.
        defer { if chain.index.invalidateAfterTransaction { chain.index.invalidate() } }
        return try chain.ledger.store.read { reader in
            try chain.index.using(reader) {
                try walk(lots: start, parties: startParties, plots: startPlots) { seqs in
                    // An event that does not parse adds nothing to the walk; replaying it refuses it.
                    var events: [UInt64: TraceEvent] = [:]
                    for (seq, bytes) in try reader.entries(seqs: seqs) {
                        events[seq] = try? TraceEvent(parsing: try Entry(bytes: bytes, expectedSeq: seq, canonical: false).signed)
                    }
                    return events
                }
            }
        }
    }

    private func walk(
        lots start: [String], parties startParties: Set<String>, plots startPlots: Set<String>,
        events: ([UInt64]) throws -> [UInt64: TraceEvent]
    ) throws -> Set<UInt64> {
        let state = chain.state
        var seqs: Set<UInt64> = [0]
        var seenLots = Set(start)
        var parties = startParties
        var plots = startPlots
        // Level by level: each level's lot records in one batch, then their new entries in
        // another, so the store's round trips grow with the lineage's depth, not its entries.
        var level = Array(seenLots)
        while !level.isEmpty {
            state.lots.prefetch(level)
            var next: [String] = []
            var fresh: [UInt64] = []
            for key in level {
                guard let lot = state.lots[key] else { continue }
                for parent in lot.parents where seenLots.insert(parent).inserted { next.append(parent) }
                if let plot = lot.plot { plots.insert(plot) }
                for seq in lot.entries where seqs.insert(seq).inserted { fresh.append(seq) }
            }
            for event in try events(fresh).values {
                parties.insert(event.actor)
                if case .ship(let ship) = event.kind { parties.insert(ship.to) }
                // A later draw from this lot may take other lots as inputs (a merge's given as bare
                // codes or as objects): their stories count too.
                for input in event.inputs where seenLots.insert(input.key).inserted { next.append(input.key) }
            }
            level = next
        }
        state.plots.prefetch(plots)
        for id in plots {
            guard let plot = state.plots[id] else { continue }
            seqs.insert(plot.registeredSeq)
            // Corrections change what later events are checked against: they are part of the story.
            seqs.formUnion(plot.amendments.map(\.seq))
            parties.formUnion([plot.farm, plot.cooperative])
        }
        // The operator's caps, code requirements and adoptions bind every event after them.
        seqs.formUnion(state.rules.entries)
        // The operator's key rotations: a buyer follows its chain of keys from genesis.
        parties.insert(DomainState.operatorID)
        var pending = Array(parties)
        var seenParties = parties
        while let id = pending.popLast() {
            guard let party = state.parties[id] else { continue }
            seqs.insert(party.registeredSeq)
            seqs.formUnion(party.amendments.map(\.seq))
            for key in party.keys {
                seqs.insert(key.from)
                if let until = key.until { seqs.insert(until) }
            }
            if let coop = party.memberOf, seenParties.insert(coop).inserted { pending.append(coop) }
        }
        try chain.checkIndex()
        return seqs
    }

    /// The rules for entries appended after a trusted checkpoint, without replaying the ledger:
    /// the stories the new entries touch are read from before the checkpoint (each proved
    /// included in the trusted tree), then the new entries are applied on top, in order.
    /// Returns the first entry that breaks a rule, if any.
    public func checkRules(of newEntries: [Entry], after trusted: Checkpoint) throws -> (entry: UInt64, reason: String)? {
        var lots: [String] = []
        var parties: Set<String> = []
        var plots: Set<String> = []
        // An event that does not parse touches nothing; replaying it below refuses it.
        func collect(_ e: TraceEvent?) {
            guard let e else { return }
            parties.formUnion(e.parties)
            plots.formUnion(e.plots)
            lots.append(contentsOf: e.lots.map(\.key))
        }
        // A void's target before the checkpoint is part of the story, with what it touched.
        var voidTargets: Set<UInt64> = []
        for entry in newEntries {
            let event = try? TraceEvent(parsing: entry.signed)
            collect(event)
            if case .void(let void) = event?.kind, void.entry < trusted.size {
                voidTargets.insert(void.entry)
                collect(try? TraceEvent(parsing: chain.ledger.entry(void.entry).signed))
            }
        }
        let old = try storyEntries(lots: lots, parties: parties, plots: plots).union(voidTargets).filter { $0 < trusted.size }
        var state = DomainState()
        // The old entries and their proofs in one snapshot, each kind in one batch.
        let oldSeqs = old.sorted()
        let (stored, proofs) = try chain.ledger.store.read { reader -> ([UInt64: [UInt8]], [UInt64: [Digest]]) in
            guard !oldSeqs.isEmpty else { return ([:], [:]) }
            let size = try reader.size()
            guard trusted.size <= size else {
                throw LedgerError(.outOfRange, "tree size \(trusted.size) is larger than the ledger (\(size) entries)")
            }
            let stored = try reader.entries(seqs: oldSeqs)
            let tree = MerkleTree(source: try reader.proofNodes(for: oldSeqs, size: trusted.size))
            var proofs: [UInt64: [Digest]] = [:]
            for seq in oldSeqs where stored[seq] != nil { proofs[seq] = try tree.inclusionProof(index: seq, size: trusted.size) }
            return (stored, proofs)
        }
        var merged: [(UInt64, Entry?)] = old.map { ($0, nil) } + newEntries.map { ($0.seq, $0) }
        merged.sort { $0.0 < $1.0 }
        for (seq, given) in merged {
            let entry: Entry
            if let given {
                entry = given
            } else {
                guard let bytes = stored[seq], let proof = proofs[seq] else { return (seq, "entry \(seq) is missing") }
                entry = try Entry(bytes: bytes, expectedSeq: seq)
                guard
                    MerkleVerification.verifyInclusion(
                        index: seq, size: trusted.size, leafHash: entry.leafHash(), proof: proof, root: trusted.root)
                else { return (seq, "entry \(seq) is not the entry your checkpoint includes: it was changed") }
            }
            do { try state.applySparse(entry) } catch let error as DomainError {
                return (seq, "entry \(seq) breaks a rule: \(error.message)")
            }
        }
        return nil
    }
}

extension DomainState {
    /// Applies one entry of a sparse selection (a lot's story), skipping the sequence check.
    public mutating func applySparse(_ entry: Entry) throws {
        size = entry.seq
        try apply(entry)
    }

    /// Applies one entry of a sparse selection whose event is already parsed.
    public mutating func applySparse(_ entry: Entry, event: TraceEvent) throws {
        size = entry.seq
        try apply(entry, event: event)
    }
}
