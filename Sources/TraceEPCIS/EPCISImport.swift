public import CanonicalJSON
import Foundation
public import TraceDomain
import TraceLedger

/// An EPCIS 2.0 document read for import: each event mapped to a trace event, or refused whole
/// with its index and the reason; the events sorted by the party they belong to.
public struct EPCISImport {
    /// One mapped event: its index in the document, the party it belongs to, and the trace event.
    public struct Mapped: Sendable {
        public let index: Int
        public let party: String
        public let event: JSONValue
        public let eventID: String
    }

    /// An event that cannot map, with why.
    public struct Refusal: Sendable, Error {
        public let index: Int
        public let reason: String
    }

    public let mapped: [Mapped]

    /// Maps every event of `document` against the ledger's parties and origin; throws the first
    /// refusal (nothing is imported when one event cannot map).
    public init(document: JSONValue, chain: SupplyChain) throws {
        guard document["type"]?.stringValue == "EPCISDocument" else {
            throw Refusal(index: -1, reason: "type: an EPCIS document has \"type\": \"EPCISDocument\"")
        }
        guard let events = document["epcisBody"]?["eventList"]?.arrayValue else {
            throw Refusal(index: -1, reason: "epcisBody.eventList: an EPCIS document lists its events there")
        }
        let namespaces = EventHash.namespaces(context: document["@context"])
        var header: [String: String] = [:]
        for fact in document["epcisHeader"]?["trace:ledger"]?["events"]?.arrayValue ?? [] {
            if let id = fact["eventID"]?.stringValue, let actor = fact["actor"]?.stringValue { header[id] = actor }
        }
        let mapper = Mapper(chain: chain, masterData: Self.productNames(document), namespaces: namespaces, header: header)
        mapped = try events.enumerated().map { i, event in
            do { return try mapper.map(event, index: i) } catch let reason as Mapper.Failure {
                throw Refusal(index: i, reason: reason.text)
            }
        }
    }

    /// Product names by class identifier, from the header's EPCClass master data.
    static func productNames(_ document: JSONValue) -> [String: String] {
        var out: [String: String] = [:]
        for vocabulary in document["epcisHeader"]?["epcisMasterData"]?["vocabularyList"]?.arrayValue ?? [] {
            for element in vocabulary["vocabularyElementList"]?.arrayValue ?? [] {
                guard let id = element["id"]?.stringValue else { continue }
                for attribute in element["attributes"]?.arrayValue ?? []
                where attribute["id"]?.stringValue == "https://gs1.org/voc/productName" {
                    out[id] = attribute["attribute"]?.stringValue
                }
            }
        }
        return out
    }
}

/// The mapping of one EPCIS event to one trace event (docs/EPCIS.md, "Import").
struct Mapper {
    struct Failure: Error { let text: String }

    let chain: SupplyChain
    let masterData: [String: String]
    let namespaces: [String: String]
    let header: [String: String]
    var base: String { "https://" + chain.ledger.metadata.origin }

    /// The CBV 2.0 business steps (bare form).
    static let bizSteps: Set<String> = [
        "accepting", "arriving", "assembling", "collecting", "commissioning", "consigning", "creating_class_instance",
        "cycle_counting", "decommissioning", "departing", "destroying", "disassembling", "dispensing", "encoding",
        "entering_exiting", "holding", "inspecting", "installing", "killing", "loading", "other", "packing", "picking",
        "receiving", "removing", "repackaging", "repairing", "replacing", "reserving", "retail_selling", "sampling",
        "sensor_reporting", "shipping", "staging_outbound", "stock_taking", "stocking", "storing", "transporting",
        "unloading", "unpacking", "void_shipping",
    ]

    func fail(_ text: String) -> Failure { Failure(text: text) }

    func map(_ event: JSONValue, index: Int) throws -> EPCISImport.Mapped {
        guard let o = event.objectValue, let type = o["type"]?.stringValue else { throw fail("\"type\" is missing") }
        guard let time = o["eventTime"]?.stringValue else { throw fail("eventTime is missing") }
        guard Timestamp.parse(time) != nil else { throw fail("eventTime \"\(time)\" is not an RFC 3339 time") }
        guard o["eventTimeZoneOffset"]?.stringValue != nil else { throw fail("eventTimeZoneOffset is missing") }
        var step = o["bizStep"]?.stringValue
        if let s = step {
            if s.hasPrefix("https://ref.gs1.org/cbv/BizStep-") { step = String(s.dropFirst(32)) }
            if s.hasPrefix("urn:epcglobal:cbv:bizstep:") { step = String(s.dropFirst(26)) }
            guard let bare = step, Self.bizSteps.contains(bare) || bare.contains(":") else {
                throw fail("bizStep \"\(s)\" is not a CBV 2.0 business step; a step of another vocabulary must be a full URI")
            }
        }
        let hex = EventHash.hex(event, namespaces: namespaces)
        let eventID = o["eventID"]?.stringValue ?? "ni:///sha-256;\(hex)?ver=\(EventHash.version)"
        let kind = o["trace:type"]?.stringValue ?? guessKind(type: type, step: step, o)
        var fields: [String: JSONValue] = ["epcisEventID": .string(eventID)]
        let party: String
        switch kind {
        case "harvest":
            let (lot, mass) = try quantity(o["quantityList"], field: "quantityList", needsQuantity: true)
            guard let plotURI = o["readPoint"]?["id"]?.stringValue, plotURI.hasPrefix(base + "/plots/") else {
                throw fail(
                    "commissioning: readPoint.id must be a plot of this ledger (\(base)/plots/ID); a harvest comes from a registered plot"
                )
            }
            guard let harvested = o["ilmd"]?["trace:harvested"]?.stringValue else {
                throw fail("commissioning: ilmd trace:harvested (the harvest date) is missing")
            }
            fields["lot"] = .string(lot)
            fields["quantity"] = .string(mass!)
            fields["unit"] = "kg"
            fields["plot"] = .string(String(plotURI.dropFirst(base.count + 7)))
            fields["harvested"] = .string(harvested)
            fields["product"] = .string(try product(o["quantityList"], ilmd: o["ilmd"]))
            party = try owner(event, o, location: o["bizLocation"]?["id"]?.stringValue)
        case "transform", "split", "merge":
            let inputs = try lines(o["inputQuantityList"], field: "inputQuantityList", needsQuantity: kind != "merge")
            let outputs = try lines(o["outputQuantityList"], field: "outputQuantityList", needsQuantity: kind != "merge")
            switch kind {
            case "transform":
                guard let process = o["trace:process"]?.stringValue ?? step else {
                    throw fail("a transformation names its process (bizStep or trace:process)")
                }
                guard let limit = o["trace:yieldLimit"]?.stringValue else {
                    throw fail("a transformation needs trace:yieldLimit, the most output per input it claims")
                }
                fields["process"] = .string(process)
                fields["yieldLimit"] = .string(limit)
                fields["inputs"] = .array(
                    inputs.map { ["lot": .string($0.lot), "quantity": .string($0.kg ?? ""), "unit": "kg"] })
                fields["outputs"] = .array(
                    try outputs.map {
                        [
                            "lot": .string($0.lot), "quantity": .string($0.kg ?? ""), "unit": "kg",
                            "product": .string(try product(.array([["epcClass": .string($0.uri)]]), ilmd: nil)),
                        ]
                    })
            case "split":
                guard inputs.count == 1 else { throw fail("a split has one input") }
                fields["lot"] = .string(inputs[0].lot)
                fields["outputs"] = .array(
                    outputs.map { ["lot": .string($0.lot), "quantity": .string($0.kg ?? ""), "unit": "kg"] })
            default:
                guard outputs.count == 1 else { throw fail("a merge has one output") }
                fields["inputs"] = .array(inputs.map { .string($0.lot) })
                fields["output"] = .string(outputs[0].lot)
            }
            party = try owner(event, o, location: o["bizLocation"]?["id"]?.stringValue)
        case "ship", "export":
            let (lot, _) = try quantity(o["quantityList"], field: "quantityList", needsQuantity: false)
            fields["lot"] = .string(lot)
            if kind == "export" {
                for key in ["country", "buyer", "container"] {
                    guard let v = o["trace:" + key]?.stringValue else { throw fail("an export needs trace:\(key)") }
                    fields[key] = .string(v)
                }
                if let gtin = o["trace:gtin"]?.stringValue { fields["gtin"] = .string(gtin) }
            } else {
                guard let to = o["destinationList"]?.arrayValue?.first?["destination"]?.stringValue else {
                    throw fail("shipping: destinationList names no receiving party")
                }
                fields["to"] = .string(try partyID(to, field: "destinationList"))
            }
            let source = o["sourceList"]?.arrayValue?.first?["source"]?.stringValue
            party = try owner(event, o, location: o["readPoint"]?["id"]?.stringValue, party: source)
        case "receive", "recall", "release", "certify":
            let (lot, _) = try quantity(o["quantityList"], field: "quantityList", needsQuantity: false)
            fields["lot"] = .string(lot)
            if kind == "recall" { fields["reason"] = .string(o["trace:reason"]?.stringValue ?? "recalled (EPCIS holding)") }
            if kind == "certify" {
                guard let info = o["certificationInfo"]?.stringValue, info.hasPrefix("ni:///sha-256;") else {
                    throw fail("inspecting: certificationInfo must be ni:///sha-256;<hex of the document>")
                }
                fields["documentSha256"] = .string(String(info.dropFirst(14)))
                fields["scheme"] = .string(o["trace:scheme"]?.stringValue ?? "EPCIS inspection")
                if let r = o["trace:reference"]?.stringValue { fields["reference"] = .string(r) }
                if let v = o["trace:validUntil"]?.stringValue { fields["validUntil"] = .string(v) }
            }
            party = try owner(event, o, location: o["bizLocation"]?["id"]?.stringValue ?? o["readPoint"]?["id"]?.stringValue)
        default:
            throw fail(
                "a \(type)\(step.map { " with bizStep \($0)" } ?? "") does not map to a trace event (see docs/EPCIS.md, Import)")
        }
        let id = "epcis-" + hex
        var traceEvent = SupplyChain.event(kind, actor: party, id: id, fields)
        if case .object(var e) = traceEvent {
            e["time"] = .string(time)
            traceEvent = .object(e)
        }
        return EPCISImport.Mapped(index: index, party: party, event: traceEvent, eventID: eventID)
    }

    /// What a foreign event is, from its type, step and action.
    func guessKind(type: String, step: String?, _ o: [String: JSONValue]) -> String {
        switch (type, step, o["action"]?.stringValue) {
        case ("ObjectEvent", "commissioning", "ADD"): "harvest"
        case ("ObjectEvent", "shipping", _): "ship"
        case ("ObjectEvent", "receiving", _): "receive"
        case ("ObjectEvent", "inspecting", _): "certify"
        case ("ObjectEvent", "holding", _): "recall"
        case ("TransformationEvent", _, _): "transform"
        default: "unmapped"
        }
    }

    /// The one lot of a quantity list, and its kilograms when given.
    func quantity(_ list: JSONValue?, field: String, needsQuantity: Bool) throws -> (String, String?) {
        let items = try lines(list, field: field, needsQuantity: needsQuantity)
        guard items.count == 1 else { throw fail("\(field) must name exactly one lot (it names \(items.count))") }
        return (items[0].lot, items[0].kg)
    }

    func lines(_ list: JSONValue?, field: String, needsQuantity: Bool) throws -> [(uri: String, lot: String, kg: String?)] {
        guard let items = list?.arrayValue, !items.isEmpty else {
            throw fail(
                "\(field) is missing: trace records lots (class-level identifiers with quantities), not instance-level EPCs")
        }
        return try items.enumerated().map { i, item in
            guard let uri = item["epcClass"]?.stringValue else { throw fail("\(field)[\(i)].epcClass is missing") }
            let lot = try lotCode(uri, field: "\(field)[\(i)].epcClass")
            var kg: String?
            if let q = item["quantity"], case .number(let n) = q {
                let uom = item["uom"]?.stringValue
                guard uom == "KGM" || uom == "TNE" else {
                    throw fail("\(field)[\(i)].uom \"\(uom ?? "(missing)")\" must be KGM or TNE (a mass)")
                }
                var d = Decimal(string: String(n)) ?? Decimal(n)
                if uom == "TNE" { d *= 1000 }
                kg = NSDecimalNumber(decimal: d).stringValue
            } else if needsQuantity {
                throw fail("\(field)[\(i)].quantity is missing")
            }
            return (uri, lot, kg)
        }
    }

    /// The lot code a class identifier names: a Digital Link's lot, or the code of a lot URI of this ledger.
    func lotCode(_ uri: String, field: String) throws -> String {
        if uri.hasPrefix(base + "/lots/") { return String(uri.dropFirst(base.count + 6)) }
        if let link = DigitalLink.canonical(uri), let range = link.range(of: "/10/") {
            return String(link[range.upperBound...]).removingPercentEncoding ?? String(link[range.upperBound...])
        }
        throw fail("\(field) \"\(uri)\" names no lot (an LGTIN, a Digital Link with /10/<lot>, or \(base)/lots/<lot>)")
    }

    func product(_ list: JSONValue?, ilmd: JSONValue?) throws -> String {
        if let p = ilmd?["trace:product"]?.stringValue { return p }
        if let uri = list?.arrayValue?.first?["epcClass"]?.stringValue, let p = masterData[uri] { return p }
        throw fail("the product is not named (master data productName of the class, or ilmd trace:product)")
    }

    /// The party a party or location identifier names: a GLN one of our parties has, or an id under our origin.
    func partyID(_ uri: String, field: String) throws -> String {
        if uri.hasPrefix(base + "/parties/") {
            let rest = uri.dropFirst(base.count + 9)
            return String(rest.hasSuffix("/location") ? rest.dropLast(9) : rest)
        }
        if let link = DigitalLink.canonical(uri) {
            let parts = link.split(separator: "/")
            if parts.count >= 4, parts[2] == "414" || parts[2] == "417" {
                let gln = String(parts[3])
                if let party = chain.state.parties.loaded.first(where: { $0.gln == gln }) { return party.id }
                throw fail("\(field): no party of this ledger has GLN \(gln)")
            }
        }
        throw fail("\(field) \"\(uri)\" is not a party of this ledger (a GLN or \(base)/parties/<id>)")
    }

    /// The party an event belongs to: the trace header's actor for a document we exported, else
    /// the source party, or the GLN of its business location or read point.
    func owner(_ event: JSONValue, _ o: [String: JSONValue], location: String?, party: String? = nil) throws -> String {
        if let id = o["eventID"]?.stringValue, let actor = header[id] { return actor }
        if let party { return try partyID(party, field: "sourceList") }
        guard let location else { throw fail("no bizLocation, readPoint or source names the party this event belongs to") }
        return try partyID(location, field: "bizLocation")
    }
}
