public import CanonicalJSON
import Foundation
import TraceLedger

/// One step in a lot's history: the entry, what happened, who did it, when.
public struct TimelineEvent: Sendable {
    public let seq: UInt64
    public let event: TraceEvent
    public var type: String { event.type }
    public var actor: String { event.actor }
    public var time: String { event.time }
}

/// A lot's place in the chain: every lot it came from, up to the harvests and their plots
/// ("one step back"), and every lot made from it, down to the exports ("one step forward"),
/// as TCVN 12850 and the GS1 Global Traceability Standard describe.
public struct Lineage {
    public let chain: SupplyChain
    public let root: LotRecord
    /// Where GS1 Digital Links point: the public base URL of the ledger's `trace serve`.
    public var digitalLinkBase = "https://id.trace.example"
    /// Appended to each Digital Link: a server puts its label's key fingerprints here (`?k=…&w=…`),
    /// so a link taken from the API opens a page whose browser check has keys to compare.
    public var digitalLinkQuery = ""
    /// Whether a natural person's clear name may be shown; a public server never shows one.
    public var disclosesPersonalData = true

    public init(chain: SupplyChain, lot code: String) throws {
        let key = try LotCode(code, field: "LOT").key
        guard let lot = chain.state.lots[key] else { throw DomainError(.unknownLot, "LOT: there is no lot \(code)") }
        self.chain = chain
        self.root = lot
    }

    var state: DomainState { chain.state }

    /// Lots upstream of the root, the root included, nearest first.
    public var upstreamLots: [LotRecord] { state.upstream(of: root.code.key).compactMap { state.lots[$0] } }
    /// Lots downstream of the root, the root included, nearest first.
    public var downstreamLots: [LotRecord] { state.downstream(of: root.code.key).compactMap { state.lots[$0] } }

    /// The entries of a lot, read from the ledger, oldest first.
    public func timeline(_ lot: LotRecord) throws -> [TimelineEvent] {
        try chain.ledger.store.read { reader in
            let seqs = Array(Set(lot.entries)).sorted()
            let stored = try reader.entries(seqs: seqs)
            return seqs.compactMap { seq in
                guard let bytes = stored[seq] else { return nil }
                // Every entry on a lot was applied, so its event parses; one that does not is not shown.
                guard let event = try? TraceEvent(parsing: Entry(bytes: bytes, expectedSeq: seq).signed) else { return nil }
                return TimelineEvent(seq: seq, event: event)
            }
        }
    }

    /// A party's display name: the legal name, or a person's name while its clear value is held.
    public func name(of partyID: String) -> String {
        guard let party = state.parties[partyID] else { return partyID }
        if let name = party.name { return name }
        guard let commitment = party.personal["name"] else { return "(person, no name given)" }
        guard disclosesPersonalData else { return "(person, name not published)" }
        if let clear = try? PersonalData.lookup(commitment, in: chain.ledger.store) { return clear.value }
        return "(name erased)"
    }

    /// One lot's facts, its timeline and the buyer's verdict, as `trace show --json` prints it.
    public func lotJSON(verdict given: Verdict? = nil) throws -> JSONValue {
        var o = summary(root)
        o["verdict"] = (given ?? LotVerifier(chain: chain).verdict(lot: root.code.text)).json
        o["timeline"] = .array(
            try timeline(root).map {
                [
                    "entry": .number(Double($0.seq)), "type": .string($0.type), "actor": .string($0.actor),
                    "time": .string($0.time),
                ]
            })
        return .object(o)
    }

    /// The lot's tree both ways, as `trace lineage --json` prints it.
    public func treeJSON() -> JSONValue {
        ["lot": .string(root.code.text), "upstream": json(upstream: true), "downstream": json(upstream: false)]
    }

    /// The tree as JSON: each lot with its parents (upstream) or children (downstream).
    public func json(upstream: Bool) -> JSONValue {
        var seen: Set<String> = []
        func node(_ key: String) -> JSONValue {
            guard let lot = state.lots[key], seen.insert(key).inserted else { return ["lot": .string(key), "repeated": true] }
            var o = summary(lot)
            let next = upstream ? lot.parents : lot.children
            o[upstream ? "from" : "into"] = .array(next.map(node))
            return .object(o)
        }
        return node(root.code.key)
    }

    /// The facts of one lot, for JSON output.
    public func summary(_ lot: LotRecord) -> [String: JSONValue] {
        var o: [String: JSONValue] = [
            "lot": .string(lot.code.text), "product": .string(lot.product), "producedKg": .string(lot.produced.decimalString),
            "heldKg": .string(lot.held.decimalString), "custodian": .string(lot.custodian),
            "custodianName": .string(name(of: lot.custodian)), "status": .string(Self.status(lot)),
            "createdEntry": .number(Double(lot.createdSeq)), "onHold": .bool(!lot.holds.isEmpty),
        ]
        if let custodian = state.parties[lot.custodian] {
            if let code = custodian.packhouseCode { o["custodianPackhouseCode"] = .string(code) }
            if !custodian.amendments.isEmpty { o["custodianCorrections"] = Self.corrections(custodian.amendments) }
        }
        if let plotID = lot.plot, let plot = state.plots[plotID] {
            o["plot"] = [
                "id": .string(plot.id), "farm": .string(plot.farm), "farmer": .string(name(of: plot.farm)),
                "cooperative": .string(plot.cooperative), "crop": .string(plot.crop),
                "areaHa": .string(NSDecimalNumber(decimal: plot.areaHa).stringValue),
                "geometry": plot.geometry.storedJSON,
                "address": state.parties[plot.cooperative]?.address.map { .string($0.line) } ?? .null,
                "growingAreaCode": plot.growingAreaCode.map { .string($0) } ?? .null,
                "corrections": Self.corrections(plot.amendments),
            ]
            o["harvested"] = lot.harvested.map { .string($0) } ?? .null
        }
        if !lot.certifications.isEmpty {
            o["certifications"] = .array(
                lot.certifications.filter { !$0.voided }.map {
                    [
                        "scheme": .string($0.scheme), "certifier": .string($0.certifier),
                        "documentSha256": .string($0.documentSHA256),
                        "entry": .number(Double($0.seq)),
                    ]
                })
        }
        if let export = lot.export {
            var e: [String: JSONValue] = [
                "buyer": .string(export.buyer), "country": .string(export.country), "container": .string(export.container),
                "entry": .number(Double(export.seq)),
            ]
            if let gtin = export.gtin {
                e["gtin"] = .string(gtin)
                e["digitalLink"] = .string(
                    GS1.digitalLink(base: digitalLinkBase, gtin: gtin, lot: lot.code.text) + digitalLinkQuery)
            }
            o["export"] = .object(e)
        }
        return o
    }

    /// Corrections of a registration, oldest first, each shown as one: the entry, who, why, and
    /// each field's old and new value (a person's commitments, never their clear data).
    static func corrections(_ amendments: [Amendment]) -> JSONValue {
        .array(
            amendments.map { a in
                [
                    "entry": .number(Double(a.seq)), "by": .string(a.actor), "reason": a.reason.map { .string($0) } ?? .null,
                    "changes": .object(
                        a.changes.mapValues { ["from": .string($0.first ?? ""), "to": .string($0.last ?? "")] }),
                ]
            })
    }

    public static func status(_ lot: LotRecord) -> String {
        lot.status == .active && lot.held == .zero ? "used up" : status(lot.status)
    }

    public static func status(_ s: LotStatus) -> String {
        switch s {
        case .active: "active"
        case .inTransit(let to, _): "in transit to \(to)"
        case .exported: "exported"
        case .voided: "voided"
        }
    }

    /// The FSMA 204 sortable spreadsheet: one row per critical tracking event of every lot in the
    /// lineage, with its key data elements (the harvest date on every row of a harvested lot), in
    /// UTF-8 with a byte order mark.
    public func csv() throws -> String {
        let header = [
            "traceability_lot_code", "critical_tracking_event", "event_time", "harvest_date", "product_description", "quantity",
            "unit_of_measure",
            "location_description", "location_gln", "immediate_previous_source", "immediate_subsequent_recipient",
            "reference_document", "ledger_entry",
        ]
        var rows: [[String]] = []
        var seenLots: Set<String> = []
        for lot in upstreamLots.reversed() + downstreamLots where seenLots.insert(lot.code.key).inserted {
            for step in try timeline(lot) {
                let actor = state.parties[step.actor]
                let cte: String
                var quantity = ""
                var previous = ""
                var next = ""
                var reference = "event \(step.event.id)"
                switch step.type {
                case "harvest":
                    cte = "harvesting"
                    quantity = lot.produced.decimalString
                    previous = "plot \(lot.plot ?? "")"
                case "transform", "split", "merge":
                    cte = lot.createdSeq == step.seq ? "transformation (output)" : "transformation (input)"
                    quantity = lot.createdSeq == step.seq ? lot.produced.decimalString : ""
                    previous =
                        lot.createdSeq == step.seq
                        ? lot.parents.compactMap { state.lots[$0]?.code.text }.joined(separator: " ") : ""
                    next =
                        lot.createdSeq == step.seq
                        ? "" : lot.children.compactMap { state.lots[$0]?.code.text }.joined(separator: " ")
                case "ship":
                    cte = "shipping"
                    if case .ship(let ship) = step.event.kind { next = ship.to }
                case "receive":
                    cte = "receiving"
                case "export":
                    cte = "shipping (export)"
                    if case .export(let export) = step.event.kind {
                        next = export.buyer
                        reference = "container \(export.container)"
                    }
                case "certify":
                    cte = "certification"
                    if case .certify(let certify) = step.event.kind {
                        reference = "\(certify.scheme) sha256:\(certify.documentSHA256)"
                    }
                default:
                    cte = step.type
                }
                rows.append([
                    lot.code.text, cte, step.time, lot.harvested.map { String($0.prefix(10)) } ?? "", lot.product, quantity,
                    quantity.isEmpty ? "" : "kg",
                    [name(of: step.actor), actor?.address?.line ?? ""].filter { !$0.isEmpty }.joined(separator: ", "),
                    actor?.gln ?? "", previous, next, reference, String(step.seq),
                ])
            }
        }
        rows.sort { ($0[2], UInt64($0[12]) ?? 0) < ($1[2], UInt64($1[12]) ?? 0) }
        // A byte order mark, so a spreadsheet opens the Vietnamese names as UTF-8.
        return "\u{FEFF}" + ([header] + rows).map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\r\n")
            + "\r\n"
    }

    static func csvField(_ s: String) -> String {
        // Quote every field that needs it (RFC 4180), and defuse a leading formula character.
        var v = s
        if let first = v.first, "=+-@".contains(first), !v.allSatisfy({ $0.isNumber || $0 == "-" || $0 == "." }) { v = "'" + v }
        return v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : v
    }
}

extension DomainState {
    /// True when a later `void` entry undid entry `seq`: the journey shows the correction, not the step.
    public func isVoided(entry seq: UInt64) -> Bool { entries[seq]?.voided == true }
}
