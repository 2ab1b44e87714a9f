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
    var entries = RecordTable<EntryFact>()
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
        plots: RecordSource<PlotRecord>, lots: RecordSource<LotRecord>, entries: RecordSource<EntryFact>
    ) {
        self.size = size
        self.parties = RecordTable(records: parties)
        self.recalls = RecordTable(records: recalls)
        self.rules = rules
        rulesChanged = false
        self.plots = RecordTable(source: plots)
        self.lots = RecordTable(source: lots)
        self.entries = RecordTable(source: entries)
    }

    /// Forgets the plots, lots and entry facts held in memory that their store can give back.
    mutating func forgetStored() {
        plots.evict()
        lots.evict()
        entries.evict()
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

    private mutating func applyUnchecked(_ entry: Entry) throws {
        let event = entry.signed.event
        let type = event["type"]?.stringValue ?? ""
        if entry.seq == 0 {
            // The genesis entry registers the operator (TraceLedger checked its form).
            parties[Self.operatorID] = PartyRecord(
                id: Self.operatorID, name: event["origin"]?.stringValue, personal: [:], roles: [.operator], gln: nil,
                address: nil, memberOf: nil, keys: [KeyRecord(vkey: entry.signed.key.description, from: 0, until: nil)],
                registeredSeq: 0)
            return
        }
        let ctx = try EventContext(entry: entry, state: self)
        if type != OperatorKeys.rotationType, ctx.id.hasPrefix("operator-rotate-") {
            throw DomainError(.badInput, "event \(ctx.id): ids starting \"operator-rotate-\" are kept for operator key rotations")
        }
        pendingEffect = nil
        switch type {
        case "party.register": try registerParty(ctx)
        case "party.rotate": try rotateKey(ctx)
        case OperatorKeys.rotationType: try rotateOperatorKey(ctx)
        case "party.revoke": try revokeKey(ctx)
        case "plot.register": try registerPlot(ctx)
        case "harvest": try harvest(ctx)
        case "transform": try transform(ctx)
        case "split": try split(ctx)
        case "merge": try merge(ctx)
        case "ship": try ship(ctx)
        case "receive": try receive(ctx)
        case "certify": try certify(ctx)
        case "export": try export(ctx)
        case "void": try void(ctx)
        case "recall": try recall(ctx)
        case "release": try release(ctx)
        case "rules.crop-cap": try setCropCap(ctx)
        case "rules.process-cap": try setProcessCap(ctx)
        case "rules.require-codes": try requireCodes(ctx)
        case "rules.adopt": try adoptRules(ctx)
        case "plot.amend": try amendPlot(ctx)
        case "party.amend": try amendParty(ctx)
        default:
            throw DomainError(.badInput, "event \(ctx.id): unknown type \"\(type)\"")
        }
        entries[String(entry.seq)] = EntryFact(actor: ctx.actor.id, effect: pendingEffect, voided: false)
        pendingEffect = nil
    }

    /// The lot with this code (any case), or nil.
    public func lot(_ code: String) -> LotRecord? { lots[code.uppercased()] }

    func requireLot(_ code: String, field: String, id: String) throws -> LotRecord {
        let lotCode = try LotCode(code, field: field)
        guard let lot = lots[lotCode.key] else {
            throw DomainError(.unknownLot, "event \(id): \(field): there is no lot \(code)")
        }
        return lot
    }
}

/// The checked essentials of one event: its id, actor, time, and the entry it is in.
struct EventContext {
    let entry: Entry
    let event: JSONValue
    let id: String
    let actor: PartyRecord
    let timeMs: Int64
    var seq: UInt64 { entry.seq }

    init(entry: Entry, state: DomainState) throws {
        self.entry = entry
        event = entry.signed.event
        id = entry.signed.id
        guard let actorID = event["actor"]?.stringValue else {
            throw DomainError(.badInput, "event \(id): \"actor\" (the party acting) is missing")
        }
        guard let actor = state.parties[actorID] else {
            throw DomainError(.unknownParty, "event \(id): actor \(actorID) is not a registered party")
        }
        guard actor.keyValid(entry.signed.key.description, at: entry.seq) else {
            let known = actor.keys.contains { $0.vkey == entry.signed.key.description }
            throw DomainError(
                .keyNotValid,
                known
                    ? "event \(id): the key \(entry.signed.key.name) of \(actorID) was revoked or replaced before this entry"
                    : "event \(id): the signing key \(entry.signed.key.name) is not registered to \(actorID)")
        }
        self.actor = actor
        guard let timeText = event["time"]?.stringValue, let time = Timestamp.parse(timeText) else {
            throw DomainError(.badInput, "event \(id): \"time\" must be an RFC 3339 time, like 2026-07-01T07:30:00+07:00")
        }
        guard let recorded = Timestamp.parse(entry.recorded), time <= recorded + DomainState.clockSkewMs else {
            throw DomainError(
                .badTime,
                "event \(id): time \(timeText) is after the ledger recorded it (\(entry.recorded)), beyond 5 minutes of clock skew"
            )
        }
        timeMs = time
    }

    func string(_ key: String, _ what: String) throws -> String {
        guard let value = event[key]?.stringValue, !value.trimmingWhitespace.isEmpty else {
            throw DomainError(.badInput, "event \(id): \"\(key)\" (\(what)) is missing")
        }
        return CanonicalJSON.nfc(value)
    }

    func requireRole(_ roles: Set<Role>, _ action: String) throws {
        guard !actor.roles.isDisjoint(with: roles) else {
            throw DomainError(
                .roleNotAllowed,
                "event \(id): \(actor.id) (\(actor.roles.map(\.rawValue).sorted().joined(separator: ", "))) may not \(action); that needs the role \(roles.map(\.rawValue).sorted().joined(separator: " or "))"
            )
        }
    }
}
