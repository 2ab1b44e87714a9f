import CanonicalJSON
import Foundation
import TraceCrypto
public import TraceLedger

/// Everything the rules need, built by applying entries in order. The same `apply` runs when an
/// event is appended (refusing it, nothing written) and when `trace verify` replays the ledger
/// (finding an entry that is signed but breaks a rule, however it got into the store).
public struct DomainState: Sendable {
    /// Every party (always all in memory: they are few, and key look-ups scan them).
    public internal(set) var parties = RecordTable<PartyRecord>()
    public internal(set) var plots = RecordTable<PlotRecord>()
    public internal(set) var lots = RecordTable<LotRecord>()
    /// What each entry did and who made it, by entry number, for `void`.
    var entries = KeyedRecordTable<UInt64, EntryFact>()
    /// Open recalls: recall entry number to the recalled lot's key (always all in memory).
    var recalls = RecordTable<String>()
    /// The operator's limits and the adoption of the release's rules (always all in memory).
    public internal(set) var rules = OperatorRules() {
        didSet { rulesChanged = true }
    }
    /// Whether `rules` changed since the index was last written.
    var rulesChanged = false
    /// How far the state has been built: the next entry it expects.
    public internal(set) var size: UInt64 = 0
    /// The effect of the entry being applied, recorded once it has passed every rule.
    var pendingEffect: Effect?

    /// How far an event's time may run ahead of the ledger's clock.
    public static let clockSkewMs: Int64 = 5 * 60 * 1000

    /// An empty state, every record in memory: for a full replay.
    public init() {}

    /// A state at `size` whose records come from an index; parties and recalls are given whole.
    init(
        size: UInt64, parties: [String: PartyRecord], recalls: [String: String], rules: OperatorRules,
        plots: RecordSource<String, PlotRecord>, lots: RecordSource<String, LotRecord>,
        entries: RecordSource<UInt64, EntryFact>
    ) {
        self.size = size
        self.parties = RecordTable(records: parties)
        self.recalls = RecordTable(records: recalls)
        self.rules = rules
        rulesChanged = false
        self.plots = RecordTable(source: plots)
        self.lots = RecordTable(source: lots)
        self.entries = KeyedRecordTable(source: entries)
    }

    /// Forgets the plots, lots and entry facts held in memory that their store can give back.
    mutating func forgetStored() {
        plots.evict()
        lots.evict()
        entries.evict()
    }

    /// Clears the change marks of the plots, lots and entry facts, which a replay's spill took
    /// with their records.
    mutating func forgetChanges() {
        plots.changed.removeAll(keepingCapacity: true)
        lots.changed.removeAll(keepingCapacity: true)
        entries.changed.removeAll(keepingCapacity: true)
    }

    /// Reads in one batch per table the lot and plot records these events name, and notes which
    /// have none, so the rules then find them in memory.
    func prefetch(touchedBy events: some Sequence<TraceEvent>) {
        var lotKeys: Set<String> = []
        var plotIDs: Set<String> = []
        for event in events {
            lotKeys.formUnion(event.lots.map(\.key))
            plotIDs.formUnion(event.plots)
        }
        lots.prefetch(lotKeys)
        plots.prefetch(plotIDs)
    }

    /// The id the operator has as a party.
    public static let operatorID = "operator"

    /// Applies one entry, or throws the rule it breaks (and changes nothing).
    public mutating func apply(_ entry: Entry) throws {
        guard entry.seq == size else {
            throw DomainError(.badInput, "entry \(entry.seq) applied out of order (expected \(size))")
        }
        // Every rule checks before it changes anything, so a refusal leaves the state as it was
        // without copying it (a copy per entry would make replay quadratic).
        try applyUnchecked(entry)
        size += 1
    }

    /// Applies one entry whose event is already parsed (on a worker, say), or throws the rule it
    /// breaks (and changes nothing).
    public mutating func apply(_ entry: Entry, event: TraceEvent) throws {
        guard entry.seq == size else {
            throw DomainError(.badInput, "entry \(entry.seq) applied out of order (expected \(size))")
        }
        try applyUnchecked(entry, event)
        size += 1
    }

    private mutating func applyUnchecked(_ entry: Entry) throws {
        if entry.seq == 0 {
            // The genesis entry registers the operator (TraceLedger checked its form).
            registerOperator(entry, origin: entry.signed.event["origin"]?.stringValue)
            return
        }
        // Who acts, with which key, when and in which role is judged before the event's own
        // fields, as it always was: a stranger's malformed event is refused as a stranger's.
        let header = try TraceEvent.Header(parsing: entry.signed.event, id: entry.signed.id)
        let actor = try EventContext.check(entry: entry, header: header, state: self)
        let event = try TraceEvent(header: header, event: entry.signed.event)
        try dispatch(EventContext(entry: entry, event: event, actor: actor), event)
    }

    private mutating func registerOperator(_ entry: Entry, origin: String?) {
        parties[Self.operatorID] = PartyRecord(
            id: Self.operatorID, name: origin, personal: [:], roles: [.operator], gln: nil, address: nil, memberOf: nil,
            keys: [KeyRecord(vkey: entry.signed.key.description, from: 0, until: nil)], registeredSeq: 0)
    }

    private mutating func applyUnchecked(_ entry: Entry, _ event: TraceEvent) throws {
        if entry.seq == 0 {
            guard case .genesis(let genesis) = event.kind else {
                throw DomainError(.badInput, "entry 0 is not the genesis entry")
            }
            registerOperator(entry, origin: genesis.origin)
            return
        }
        let actor = try EventContext.check(
            entry: entry, id: event.id, actorID: event.actor, type: event.type, time: event.time, timeMs: event.timeMs,
            state: self)
        try dispatch(EventContext(entry: entry, event: event, actor: actor), event)
    }

    private mutating func dispatch(_ ctx: EventContext, _ event: TraceEvent) throws {
        // The nth operator key rotation has the id operator-rotate-N (verifiers find the chain by id).
        if event.type != OperatorKeys.rotationType, ctx.id.hasPrefix("operator-rotate-") {
            throw DomainError(.badInput, "event \(ctx.id): ids starting \"operator-rotate-\" are kept for operator key rotations")
        }
        pendingEffect = nil
        try requireWholeMilligrams(ctx, event.kind)
        switch event.kind {
        case .partyRegister(let e): try registerParty(ctx, e)
        case .operatorRotate(let e): try rotateOperatorKey(ctx, e)
        case .partyRotate(let e): try rotateKey(ctx, e)
        case .partyRevoke(let e): try revokeKey(ctx, e)
        case .plotRegister(let e): try registerPlot(ctx, e)
        case .harvest(let e): try harvest(ctx, e)
        case .transform(let e): try transform(ctx, e)
        case .split(let e): try split(ctx, e)
        case .merge(let e): try merge(ctx, e)
        case .ship(let e): try ship(ctx, e)
        case .receive(let e): try receive(ctx, e)
        case .certify(let e): try certify(ctx, e)
        case .export(let e): try export(ctx, e)
        case .void(let e): try void(ctx, e)
        case .recall(let e): try recall(ctx, e)
        case .release(let e): try release(ctx, e)
        case .cropCap(let e): try setCropCap(ctx, e)
        case .processCap(let e): try setProcessCap(ctx, e)
        case .requireCodes(let e): try requireCodes(ctx, e)
        case .adoptRules(let e): try adoptRules(ctx, e)
        case .plotAmend(let e): try amendPlot(ctx, e)
        case .partyAmend(let e): try amendParty(ctx, e)
        case .genesis:
            throw DomainError(.badInput, "event \(ctx.id): unknown type \"\(event.type)\"")
        }
        entries[ctx.seq] = EntryFact(actor: ctx.actor.id, effect: pendingEffect, voided: false)
        pendingEffect = nil
    }

    /// The lot with this code (any case), or nil.
    public func lot(_ code: String) -> LotRecord? { lots[code.uppercased()] }

    func requireLot(_ code: LotCode, field: @autoclosure () -> String, id: String) throws -> LotRecord {
        guard let lot = lots[code.key] else {
            throw DomainError(.unknownLot, "event \(id): \(field()): there is no lot \(code.text)")
        }
        return lot
    }
}

/// The checked essentials of one event: its id, actor, time, and the entry it is in.
struct EventContext {
    let seq: UInt64
    /// When the ledger recorded the entry, in milliseconds since 1970.
    let recordedMs: Int64?
    let id: String
    let timeMs: Int64
    let actor: PartyRecord

    /// The context of `event`, in `entry`, by `actor`: only what the rules read, so that making
    /// one copies neither the entry nor the event.
    init(entry: Entry, event: TraceEvent, actor: PartyRecord) {
        (seq, recordedMs, id, timeMs, self.actor) = (entry.seq, entry.recordedMs, event.id, event.timeMs, actor)
    }

    /// Checks who acts, with which key, when, and in which role, before the event's own fields;
    /// returns the acting party.
    static func check(entry: Entry, header event: TraceEvent.Header, state: DomainState) throws -> PartyRecord {
        try check(
            entry: entry, id: event.id, actorID: event.actor, type: event.type, time: event.time, timeMs: event.timeMs,
            state: state)
    }

    /// `check(entry:header:state:)` with the header's fields as they are (an event parsed already
    /// has them: no header is built for it).
    static func check(
        entry: Entry, id: String, actorID: String, type: String, time: String, timeMs: Int64, state: DomainState
    ) throws -> PartyRecord {
        guard let actor = state.parties[actorID] else {
            throw DomainError(.unknownParty, "event \(id): actor \(actorID) is not a registered party")
        }
        let vkey = entry.signed.key.description
        guard actor.keyValid(vkey, at: entry.seq) else {
            let known = actor.keys.contains { $0.vkey == vkey }
            throw DomainError(
                .keyNotValid,
                known
                    ? "event \(id): the key \(entry.signed.key.name) of \(actorID) was revoked or replaced before this entry"
                    : "event \(id): the signing key \(entry.signed.key.name) is not registered to \(actorID)")
        }
        guard let recorded = entry.recordedMs, timeMs <= recorded + DomainState.clockSkewMs else {
            throw DomainError(
                .badTime,
                "event \(id): time \(time) is after the ledger recorded it (\(entry.recorded)), beyond 5 minutes of clock skew"
            )
        }
        // The actor's roles as bits, against the bits of those allowed: no set is hashed.
        if let (roles, bits, action) = Self.allowed[type], Role.bits(actor.roles) & bits == 0 {
            throw DomainError(
                .roleNotAllowed,
                "event \(id): \(actor.id) (\(actor.roles.map(\.rawValue).sorted().joined(separator: ", "))) may not \(action); that needs the role \(roles.map(\.rawValue).sorted().joined(separator: " or "))"
            )
        }
        return actor
    }

    /// `roles` with the bits of each kind's roles.
    private static let allowed = roles.mapValues { (roles: $0.0, bits: Role.bits($0.0), action: $0.1) }

    /// The roles that may make each kind of event, and what the refusal calls it.
    static let roles: [String: (Set<Role>, String)] = [
        "party.register": ([.operator], "register parties"), "party.rotate": ([.operator], "rotate keys"),
        OperatorKeys.rotationType: ([.operator], "rotate the operator key"),
        "party.revoke": ([.operator], "revoke keys"), "party.amend": ([.operator], "amend parties"),
        "plot.register": ([.cooperative], "register plots"), "plot.amend": ([.cooperative, .operator], "amend plots"),
        "harvest": ([.cooperative, .farm], "record a harvest"), "transform": (handlingRoles, "transform lots"),
        "split": (handlingRoles, "split lots"), "merge": (handlingRoles, "merge lots"), "ship": (handlingRoles, "ship lots"),
        "certify": ([.certifier], "certify lots"), "export": ([.exporter], "export lots"),
        "rules.crop-cap": ([.operator], "set crop caps"), "rules.process-cap": ([.operator], "set process caps"),
        "rules.require-codes": ([.operator], "require growing-area and packhouse codes"),
        "rules.adopt": ([.operator], "adopt rules"),
    ]
}
