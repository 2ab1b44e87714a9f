public import CanonicalJSON
import Foundation
import TraceCrypto
public import TraceDomain
import TraceLedger

/// A lot's story (or the whole ledger) as an EPCIS 2.0 JSON-LD document, mapped as docs/EPCIS.md
/// says. Every event carries its CBV 2.0 event hash as `eventID`; what only trace knows (entry
/// numbers, signers, the checkpoint) goes in the header, so it never changes an event's hash.
public struct EPCISExport {
    public let chain: SupplyChain
    /// Only events at or after this time (milliseconds since 1970), when set.
    public var from: Int64?
    /// Only events before this time, when set.
    public var to: Int64?

    /// The standard JSON-LD context, first in every document.
    public static let standardContext = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
    /// The namespace of trace's user extensions, declared as the `trace` prefix.
    public static let namespace = "https://ns.trace.example/epcis/"

    public init(chain: SupplyChain) { self.chain = chain }

    /// The document's `@context`: the standard one and the `trace` prefix.
    public static var context: JSONValue { [.string(standardContext), ["trace": .string(namespace)]] }

    /// The story of `lot`: every lot it came from and every lot made from it.
    public func document(lot code: String) throws -> JSONValue {
        let lineage = try Lineage(chain: chain, lot: code)
        let seqs = Set((lineage.upstreamLots + lineage.downstreamLots).flatMap(\.entries))
        return try document(entries: seqs.sorted(), lot: lineage.root.code.text)
    }

    /// Every lot event of the ledger.
    public func documentOfAll() throws -> JSONValue {
        let size = try chain.ledger.size()
        return try document(entries: size > 1 ? Array(1..<size) : [], lot: nil)
    }

    func document(entries seqs: [UInt64], lot: String?) throws -> JSONValue {
        let state = chain.state
        var names = Names(origin: chain.ledger.metadata.origin)
        var events: [JSONValue] = []
        var facts: [JSONValue] = []
        let loaded: [(UInt64, Entry)] = try chain.ledger.store.read { reader in
            try seqs.compactMap { seq in try reader.entryBytes(seq).map { (seq, try Entry(bytes: $0, expectedSeq: seq)) } }
        }
        for (seq, entry) in loaded where !state.isVoided(entry: seq) {
            guard let event = try? TraceEvent(parsing: entry.signed) else { continue }
            if let from, event.timeMs < from { continue }
            if let to, event.timeMs >= to { continue }
            guard var epcis = map(event, state: state, names: &names) else { continue }
            let id = EventHash.id(.object(epcis), namespaces: ["trace": Self.namespace])
            epcis["eventID"] = .string(id)
            events.append(.object(epcis))
            facts.append([
                "eventID": .string(id), "entry": .number(Double(seq)), "traceEventId": .string(event.id),
                "type": .string(event.type), "actor": .string(event.actor), "signer": .string(entry.signed.key.description),
                "recorded": .string(entry.recorded),
            ])
        }
        var trace: [String: JSONValue] = [
            "origin": .string(chain.ledger.metadata.origin), "operator": .string(chain.ledger.metadata.operatorKey.description),
            "events": .array(facts),
        ]
        if let lot { trace["lot"] = .string(lot) }
        if let (checkpoint, note) = try chain.ledger.latestCheckpoint() {
            trace["checkpoint"] = [
                "size": .number(Double(checkpoint.size)), "root": .string(checkpoint.root.hex), "note": .string(note),
            ]
        }
        return [
            "@context": Self.context, "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": .string(Timestamp.now()),
            "epcisHeader": [
                "epcisMasterData": ["vocabularyList": .array(masterData(names, state: state))],
                "trace:ledger": .object(trace),
            ],
            "epcisBody": ["eventList": .array(events)],
        ]
    }

    /// The identifiers used so far, for the master data.
    struct Names {
        let base: String
        var lots: [String: String] = [:]
        var locations: [String: JSONValue] = [:]
        var parties: [String: JSONValue] = [:]

        init(origin: String) {
            base = "https://" + (origin.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? origin)
        }
    }

    /// The EPCIS event for a trace event; nil for kinds that are master data or corrections.
    func map(_ event: TraceEvent, state: DomainState, names: inout Names) -> [String: JSONValue]? {
        var e: [String: JSONValue] = [
            "eventTime": .string(event.time), "eventTimeZoneOffset": .string(Self.offset(event.time)),
            "trace:type": .string(event.type),
        ]
        func lot(_ code: LotCode) -> String { lotURI(code, state: state, names: &names) }
        func objectEvent(_ action: String, _ step: String?, _ lots: [(LotCode, Mass?)]) {
            e["type"] = "ObjectEvent"
            e["action"] = .string(action)
            if let step { e["bizStep"] = .string(step) }
            e["quantityList"] = .array(lots.map { quantity(lot($0.0), $0.1) })
        }
        func here() -> String { location(event.actor, state: state, names: &names) }
        switch event.kind {
        case .harvest(let h):
            objectEvent("ADD", "commissioning", [(h.lot, h.mass)])
            e["disposition"] = "active"
            e["readPoint"] = ["id": .string(plotURI(h.plot, state: state, names: &names))]
            e["bizLocation"] = ["id": .string(here())]
            e["ilmd"] = ["trace:harvested": .string(h.harvested), "trace:product": .string(h.product)]
        case .transform(let t):
            e["type"] = "TransformationEvent"
            e["bizStep"] = "commissioning"
            e["inputQuantityList"] = .array(t.inputs.map { quantity(lot($0.lot), $0.mass) })
            e["outputQuantityList"] = .array(t.outputs.map { quantity(lot($0.lot), $0.mass) })
            e["trace:process"] = .string(t.process)
            e["trace:yieldLimit"] = .string(t.yieldLimitText)
            e["bizLocation"] = ["id": .string(here())]
        case .split(let s):
            e["type"] = "TransformationEvent"
            let total = s.outputs.reduce(Mass.zero) { $0 + $1.mass }
            e["inputQuantityList"] = .array([quantity(lot(s.lot), total)])
            e["outputQuantityList"] = .array(s.outputs.map { quantity(lot($0.lot), $0.mass) })
            e["bizLocation"] = ["id": .string(here())]
        case .merge(let m):
            e["type"] = "TransformationEvent"
            // A merge takes each input whole: what each held then is the rules' record, not the event's.
            e["inputQuantityList"] = .array(m.inputs.map { quantity(lot($0), nil) })
            e["outputQuantityList"] = .array([quantity(lot(m.output), state.lot(m.output.text)?.produced)])
            e["bizLocation"] = ["id": .string(here())]
        case .ship(let s):
            objectEvent("OBSERVE", "shipping", [(s.lot, nil)])
            e["disposition"] = "in_transit"
            e["readPoint"] = ["id": .string(here())]
            e["sourceList"] = [["type": "possessing_party", "source": .string(party(event.actor, state: state, names: &names))]]
            e["destinationList"] = [
                ["type": "possessing_party", "destination": .string(party(s.to, state: state, names: &names))]
            ]
        case .receive(let r):
            objectEvent("OBSERVE", "receiving", [(r.lot, nil)])
            e["disposition"] = "in_progress"
            e["readPoint"] = ["id": .string(here())]
            e["bizLocation"] = ["id": .string(here())]
        case .certify(let c):
            objectEvent("OBSERVE", "inspecting", [(c.lot, nil)])
            e["certificationInfo"] = .string("ni:///sha-256;" + c.documentSHA256)
            e["trace:scheme"] = .string(c.scheme)
            if let reference = c.reference { e["trace:reference"] = .string(reference) }
            if let until = c.validUntil { e["trace:validUntil"] = .string(until) }
            e["readPoint"] = ["id": .string(here())]
        case .export(let x):
            objectEvent("OBSERVE", "shipping", [(x.lot, nil)])
            e["disposition"] = "in_transit"
            e["readPoint"] = ["id": .string(here())]
            e["trace:country"] = .string(x.country)
            e["trace:buyer"] = .string(x.buyer)
            e["trace:container"] = .string(x.container)
            if let gtin = x.gtin { e["trace:gtin"] = .string(gtin) }
        case .recall(let r):
            objectEvent("OBSERVE", "holding", [(r.lot, nil)])
            e["disposition"] = "recalled"
            e["trace:reason"] = .string(r.reason)
            e["readPoint"] = ["id": .string(here())]
        case .release(let r):
            objectEvent("OBSERVE", nil, [(r.lot, nil)])
            e["readPoint"] = ["id": .string(here())]
        default:
            return nil
        }
        return e
    }

    func quantity(_ epcClass: String, _ mass: Mass?) -> JSONValue {
        var q: [String: JSONValue] = ["epcClass": .string(epcClass)]
        if let mass {
            q["quantity"] = .number(NSDecimalNumber(decimal: mass.kilograms).doubleValue)
            q["uom"] = "KGM"
        }
        return .object(q)
    }

    /// `+07:00` for a time written with that offset; `+00:00` for `Z`.
    static func offset(_ time: String) -> String {
        if time.hasSuffix("Z") || time.hasSuffix("z") { return "+00:00" }
        let tail = String(time.suffix(6))
        return (tail.hasPrefix("+") || tail.hasPrefix("-")) && tail.dropFirst(3).first == ":" ? tail : "+00:00"
    }

    /// A lot's class-level identifier: the GS1 Digital Link of its GTIN and lot code when its
    /// export named a GTIN, else a stable URI from the ledger's origin and the lot code.
    func lotURI(_ code: LotCode, state: DomainState, names: inout Names) -> String {
        if let known = names.lots[code.key] { return known }
        let record = state.lots[code.key]
        let uri =
            record?.export?.gtin.map { DigitalLink.lot(gtin: $0, lot: record?.code.text ?? code.text) }
            ?? names.base + "/lots/" + (record?.code.key ?? code.key)
        names.lots[code.key] = uri
        return uri
    }

    /// A party's place: the GS1 Digital Link of its GLN, else a stable URI under the origin.
    func location(_ id: String, state: DomainState, names: inout Names) -> String {
        let party = state.parties[id]
        let uri = party?.gln.map { "https://id.gs1.org/414/" + $0 } ?? names.base + "/parties/" + id + "/location"
        if names.locations[uri] == nil {
            var attributes: [JSONValue] = [["id": "https://ns.trace.example/epcis/party", "attribute": .string(id)]]
            if let name = party?.name { attributes.append(["id": "https://gs1.org/voc/name", "attribute": .string(name)]) }
            if let address = party?.address {
                attributes.append(["id": "https://gs1.org/voc/address", "attribute": .string(address.line)])
            }
            names.locations[uri] = ["id": .string(uri), "attributes": .array(attributes)]
        }
        return uri
    }

    /// A party as a source or destination: its GLN as a party, else a stable URI under the origin.
    func party(_ id: String, state: DomainState, names: inout Names) -> String {
        let party = state.parties[id]
        let uri = party?.gln.map { "https://id.gs1.org/417/" + $0 } ?? names.base + "/parties/" + id
        if names.parties[uri] == nil {
            var attributes: [JSONValue] = [["id": "https://ns.trace.example/epcis/party", "attribute": .string(id)]]
            // A natural person is named by an opaque id only: the name is personal data.
            if let name = party?.name { attributes.append(["id": "https://gs1.org/voc/name", "attribute": .string(name)]) }
            names.parties[uri] = ["id": .string(uri), "attributes": .array(attributes)]
        }
        return uri
    }

    /// A plot as a location, its GeoJSON carried as a trace extension of its master data.
    func plotURI(_ id: String, state: DomainState, names: inout Names) -> String {
        let uri = names.base + "/plots/" + id
        if names.locations[uri] == nil, let plot = state.plots[id] {
            var attributes: [JSONValue] = [
                ["id": "https://ns.trace.example/epcis/plot", "attribute": .string(id)],
                ["id": "https://ns.trace.example/epcis/crop", "attribute": .string(plot.crop)],
                [
                    "id": "https://ns.trace.example/epcis/areaHa",
                    "attribute": .string(NSDecimalNumber(decimal: plot.areaHa).stringValue),
                ],
                ["id": "https://ns.trace.example/epcis/farm", "attribute": .string(plot.farm)],
            ]
            if let geo = try? CanonicalJSON.parse(plot.geometry.geoJSONText) {
                attributes.append(["id": "https://ns.trace.example/epcis/geometry", "attribute": geo])
            }
            names.locations[uri] = ["id": .string(uri), "attributes": .array(attributes)]
        }
        return uri
    }

    func masterData(_ names: Names, state: DomainState) -> [JSONValue] {
        var classes: [JSONValue] = []
        for (key, uri) in names.lots.sorted(by: { $0.key < $1.key }) {
            guard let lot = state.lots[key] else { continue }
            classes.append([
                "id": .string(uri),
                "attributes": [
                    ["id": "https://gs1.org/voc/productName", "attribute": .string(lot.product)],
                    ["id": "https://ns.trace.example/epcis/lot", "attribute": .string(lot.code.text)],
                ],
            ])
        }
        func sorted(_ d: [String: JSONValue]) -> JSONValue { .array(d.keys.sorted().map { d[$0]! }) }
        return [
            ["type": "urn:epcglobal:epcis:vtype:EPCClass", "vocabularyElementList": .array(classes)],
            ["type": "urn:epcglobal:epcis:vtype:Location", "vocabularyElementList": sorted(names.locations)],
            ["type": "urn:epcglobal:epcis:vtype:Party", "vocabularyElementList": sorted(names.parties)],
        ]
    }
}
