public import CanonicalJSON
import Foundation
public import TraceLedger

/// A signed event's JSON, parsed and checked once into a typed value: the header every event has
/// (id, actor, time) and one payload per kind. The rules, lot stories, lineage, caches, pages and
/// certificates read this, never the JSON. Only checks that need no ledger state are made here;
/// the rules that depend on the state stay in `DomainState`'s handlers.
public struct TraceEvent: Sendable {
    /// The event's id, which makes a resubmission idempotent.
    public let id: String
    /// The event's `type`, as written.
    public let type: String
    /// The party acting (the operator for the genesis entry).
    public let actor: String
    /// The event's time as written (RFC 3339).
    public let time: String
    /// The event's time in milliseconds since 1970.
    public let timeMs: Int64
    /// What the event does.
    public let kind: Kind

    /// One payload per event kind.
    public enum Kind: Sendable {
        case genesis(Genesis)
        case partyRegister(PartyRegister)
        case partyRotate(PartyRotate)
        case operatorRotate(OperatorRotate)
        case partyRevoke(PartyRevoke)
        case partyAmend(PartyAmend)
        case plotRegister(PlotRegister)
        case plotAmend(PlotAmend)
        case harvest(Harvest)
        case transform(Transform)
        case split(Split)
        case merge(Merge)
        case ship(Ship)
        case receive(Receive)
        case certify(Certify)
        case export(Export)
        case void(Void)
        case recall(Recall)
        case release(Release)
        case cropCap(CropCap)
        case processCap(ProcessCap)
        case requireCodes(RequireCodes)
        case adoptRules(AdoptRules)
    }

    /// What every event has: its id, type, actor and time.
    public struct Header: Sendable {
        public let id: String
        public let type: String
        public let actor: String
        public let time: String
        public let timeMs: Int64

        /// Reads the header of an event object whose id is `id`.
        init(id: String, type: String, actor: String, time: String, timeMs: Int64) {
            (self.id, self.type, self.actor, self.time, self.timeMs) = (id, type, actor, time, timeMs)
        }

        public init(parsing event: JSONValue, id: String) throws {
            self.id = id
            type = event["type"]?.stringValue ?? ""
            if type == Ledger.genesisType {
                // TraceLedger checked the genesis entry's form; the operator is its actor.
                actor = DomainState.operatorID
                time = event["time"]?.stringValue ?? ""
                timeMs = Timestamp.parse(time) ?? 0
                return
            }
            guard let actor = event["actor"]?.stringValue else {
                throw DomainError(.badInput, "event \(id): \"actor\" (the party acting) is missing")
            }
            self.actor = actor
            guard let time = event["time"]?.stringValue, let timeMs = Timestamp.parse(time) else {
                throw DomainError(.badInput, "event \(id): \"time\" must be an RFC 3339 time, like 2026-07-01T07:30:00+07:00")
            }
            self.time = time
            self.timeMs = timeMs
        }
    }

    /// The event's header.
    public var header: Header { Header(id: id, type: type, actor: actor, time: time, timeMs: timeMs) }

    /// Parses a signed event, refusing it with the field and the value that are wrong.
    public init(parsing signed: SignedEvent) throws {
        try self.init(parsing: signed.event, id: signed.id)
    }

    /// Parses an event object whose id is `id`.
    public init(parsing event: JSONValue, id: String) throws {
        try self.init(header: Header(parsing: event, id: id), event: event)
    }

    /// Parses the payload of an event whose header is read.
    public init(header: Header, event: JSONValue) throws {
        let fields = EventFields(event: event, id: header.id)
        (id, type, actor, time, timeMs) = (header.id, header.type, header.actor, header.time, header.timeMs)
        switch type {
        case Ledger.genesisType:
            kind = .genesis(Genesis(origin: event["origin"]?.stringValue, operatorKey: event["operator"]?.stringValue))
        case "party.register": kind = .partyRegister(try PartyRegister(fields))
        case "party.rotate": kind = .partyRotate(try PartyRotate(fields))
        case OperatorKeys.rotationType: kind = .operatorRotate(try OperatorRotate(fields))
        case "party.revoke": kind = .partyRevoke(try PartyRevoke(fields))
        case "party.amend": kind = .partyAmend(try PartyAmend(fields))
        case "plot.register": kind = .plotRegister(try PlotRegister(fields))
        case "plot.amend": kind = .plotAmend(try PlotAmend(fields))
        case "harvest": kind = .harvest(try Harvest(fields, timeMs: header.timeMs))
        case "transform": kind = .transform(try Transform(fields))
        case "split": kind = .split(try Split(fields))
        case "merge": kind = .merge(try Merge(fields))
        case "ship": kind = .ship(try Ship(fields))
        case "receive": kind = .receive(try Receive(fields))
        case "certify": kind = .certify(try Certify(fields))
        case "export": kind = .export(try Export(fields))
        case "void": kind = .void(try Void(fields))
        case "recall": kind = .recall(try Recall(fields))
        case "release": kind = .release(try Release(fields))
        case "rules.crop-cap": kind = .cropCap(try CropCap(fields))
        case "rules.process-cap": kind = .processCap(try ProcessCap(fields))
        case "rules.require-codes": kind = .requireCodes(try RequireCodes(fields))
        case "rules.adopt": kind = .adoptRules(try AdoptRules(fields))
        default:
            throw DomainError(.badInput, "event \(id): unknown type \"\(type)\"")
        }
    }

    /// The genesis entry: the ledger's origin and its operator's verifier key.
    public struct Genesis: Sendable {
        public let origin: String?
        public let operatorKey: String?
    }
}

// MARK: what an event touches

extension TraceEvent {
    /// Every lot the event names: the lot it acts on, its inputs and its outputs.
    public var lots: [LotCode] {
        switch kind {
        case .harvest(let e): [e.lot]
        case .transform(let e): e.inputs.map(\.lot) + e.outputs.map(\.lot)
        case .split(let e): [e.lot] + e.outputs.map(\.lot)
        case .merge(let e): e.inputs + [e.output]
        case .ship(let e): [e.lot]
        case .receive(let e): [e.lot]
        case .certify(let e): [e.lot]
        case .export(let e): [e.lot]
        case .recall(let e): [e.lot]
        case .release(let e): [e.lot]
        default: []
        }
    }

    /// The lots the event draws from besides the one it is recorded on: a transform's or a
    /// merge's inputs, whose stories a lot drawn with them rests on.
    public var inputs: [LotCode] {
        switch kind {
        case .transform(let e): e.inputs.map(\.lot)
        case .merge(let e): e.inputs
        default: []
        }
    }

    /// Every party the event involves: the actor, a receiver, and a party it registers or
    /// changes, with that party's cooperative or a registered plot's farm.
    public var parties: [String] {
        var out = [actor]
        switch kind {
        case .ship(let e): out.append(e.to)
        case .partyRegister(let e):
            out.append(e.partyID)
            if let coop = e.memberOf { out.append(coop) }
        case .partyRotate(let e): out.append(e.party)
        case .partyRevoke(let e): out.append(e.party)
        case .partyAmend(let e): out.append(e.party)
        case .plotRegister(let e): if let farm = e.farm { out.append(farm) }
        default: break
        }
        return out
    }

    /// Every plot the event names (a harvest's plot, a plot corrected).
    public var plots: [String] {
        switch kind {
        case .harvest(let e): [e.plot]
        case .plotAmend(let e): [e.plot]
        default: []
        }
    }

    /// True for the kinds whose effects stay on the lots they name; the others (registrations,
    /// rules, voids) may change what any answer says.
    public var changesOnlyItsLots: Bool {
        switch kind {
        case .harvest, .transform, .split, .merge, .ship, .receive, .certify, .export, .recall, .release: true
        default: false
        }
    }

    /// The reason given, for the kinds that carry one (recall, void, revoke, amendments).
    public var reason: String? {
        switch kind {
        case .recall(let e): e.reason
        case .void(let e): e.reason
        case .partyRevoke(let e): e.reason
        case .plotAmend(let e): e.reason
        case .partyAmend(let e): e.reason
        default: nil
        }
    }
}
