import CanonicalJSON
import ChainFixtures
import Foundation
import Testing
import TraceDomain
import TraceEPCIS
import TraceLedger

/// `EPCISImport` maps an EPCIS document back to trace events: our own exports round trip with the
/// same event hashes, and events that cannot map are refused with their index and reason.
struct ImportTests {
    /// Imports `document` into `f`'s ledger, each party in turn with its own key.
    static func importAll(_ document: JSONValue, into f: ChainFixture) throws -> Int {
        let mapping = try EPCISImport(document: document, chain: f.chain)
        var order: [String] = []
        for m in mapping.mapped where !order.contains(m.party) { order.append(m.party) }
        var fresh = 0
        for party in order {
            let key = party == "operator" ? f.operatorKey : f.keys[party]!
            let events = try mapping.mapped.filter { $0.party == party }.map { try f.chain.sign($0.event, with: key) }
            fresh += try f.chain.submit(events).filter { !$0.duplicate }.count
        }
        return fresh
    }

    @Test func anExportImportedIntoAFreshLedgerExportsWithTheSameEventHashes() throws {
        let original = try ExportTests.chain()
        let document = try EPCISExport(chain: original.chain).documentOfAll()
        let fresh = try ChainFixture()
        #expect(try Self.importAll(document, into: fresh) == 7)
        let again = try EPCISExport(chain: fresh.chain).documentOfAll()
        let ids = { (d: JSONValue) in (d["epcisBody"]?["eventList"]?.arrayValue ?? []).map { $0["eventID"]?.stringValue ?? "" } }
        #expect(ids(again).sorted() == ids(document).sorted())
        #expect(ids(again).count == 7)
        // Importing the same document twice records it once.
        #expect(try Self.importAll(document, into: fresh) == 0)
        #expect(fresh.chain.state.lot("DRY-1")?.status == .exported)
    }

    @Test func anEventThatCannotMapRefusesTheWholeDocumentNamingItsIndex() throws {
        let f = try ChainFixture()
        let document: JSONValue = [
            "@context": EPCISExport.context, "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2026-07-01T00:00:00Z",
            "epcisBody": [
                "eventList": [
                    [
                        "type": "ObjectEvent", "eventTime": "2026-07-01T08:00:00+07:00", "eventTimeZoneOffset": "+07:00",
                        "action": "OBSERVE", "bizStep": "shipping", "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"],
                    ]
                ]
            ],
        ]
        #expect {
            _ = try EPCISImport(document: document, chain: f.chain)
        } throws: { error in
            let refusal = error as? EPCISImport.Refusal
            return refusal?.index == 0 && refusal?.reason.contains("instance-level") == true
        }
        var bad = document
        if case .object(var o) = bad {
            o["epcisBody"] = [
                "eventList": [
                    [
                        "type": "ObjectEvent", "eventTime": "yesterday", "eventTimeZoneOffset": "+07:00", "action": "OBSERVE",
                    ]
                ]
            ]
            bad = .object(o)
        }
        #expect(throws: EPCISImport.Refusal.self) { _ = try EPCISImport(document: bad, chain: f.chain) }
    }

    /// GS1's published examples (Vectors/gs1): instance-level shipping and receiving (9.6.1), a
    /// receiving of a lot at a location no party here has (9.6.2), and a transformation with a
    /// quantity in no unit (9.6.4). Trace records none of them, and says why.
    @Test(arguments: [
        ("Example_9.6.1-ObjectEvent.jsonld", "instance-level"),
        ("Example_9.6.2-ObjectEvent.jsonld", "no party of this ledger has GLN"),
        ("Example_9.6.4-TransformationEvent.jsonld", "inputQuantityList[1].uom"),
    ])
    func gs1PublishedExamplesTraceCannotRecordAreRefusedWithTheReason(_ name: String, _ reason: String) throws {
        let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Vectors/gs1")!
        let document = try CanonicalJSON.parse([UInt8](try Data(contentsOf: url)))
        let f = try ChainFixture()
        #expect {
            _ = try EPCISImport(document: document, chain: f.chain)
        } throws: { error in
            let refusal = error as? EPCISImport.Refusal
            return refusal?.index == 0 && refusal?.reason.contains(reason) == true
        }
    }
}
