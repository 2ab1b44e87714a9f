import CanonicalJSON
import ChainFixtures
import TestSupport
import Testing
import TraceDomain
import TraceEPCIS
import TraceLedger

/// `EPCISExport` writes a lot's story as an EPCIS 2.0 document that GS1's JSON Schema accepts
/// (formats checked), whose events carry their own CBV 2.0 hashes as IDs.
struct ExportTests {
    /// Harvest, drying, shipment to the exporter, certification and export of RICE-1's rice.
    static func chain() throws -> ChainFixture {
        let f = try ChainFixture()
        try f.harvest("RICE-1")
        try f.harvest("RICE-2", "800")
        try f.submit(
            "htx-tan-lap", "transform",
            [
                "process": "drying",
                "inputs": [["lot": "RICE-1", "quantity": "1200"], ["lot": "RICE-2", "quantity": "800"]],
                "outputs": [["lot": "DRY-1", "quantity": "1500.5", "product": "Lúa ST25 sấy"]], "yieldLimit": "0.9",
            ])
        try f.submit("htx-tan-lap", "ship", ["lot": "DRY-1", "to": "vinarice-export"])
        try f.submit("vinarice-export", "receive", ["lot": "DRY-1"])
        try f.submit(
            "vietgap-cert", "certify",
            ["lot": "DRY-1", "scheme": "VietGAP", "documentSha256": .string(String(repeating: "ab", count: 32))])
        try f.submit(
            "vinarice-export", "export",
            [
                "lot": "DRY-1", "buyer": "Hamburg Foods GmbH", "country": "DE", "container": "MSCU1234565",
                "gtin": "08935000000014",
            ])
        _ = try f.chain.ledger.checkpoint(signingWith: f.operatorKey)
        return f
    }

    @Test func aLotsStoryIsAnEPCISDocumentThatGS1sSchemaAccepts() throws {
        let f = try Self.chain()
        let document = try EPCISExport(chain: f.chain).document(lot: "RICE-1")
        let events = document["epcisBody"]?["eventList"]?.arrayValue ?? []
        #expect(events.count == 6)
        #expect(document["@context"]?.arrayValue?.first == .string(EPCISExport.standardContext))
        let problem = try FormatSchemaCheck.problem(try CanonicalJSON.encode(document), against: "epcis-2.0.schema.json")
        #expect(problem == nil, "\(problem ?? "")")
        for event in events {
            #expect(event["eventID"]?.stringValue == EventHash.id(event, namespaces: ["trace": EPCISExport.namespace]))
            let time = event["eventTime"]?.stringValue ?? ""
            let offset = event["eventTimeZoneOffset"]?.stringValue ?? "?"
            #expect(time.hasSuffix(offset) || (time.hasSuffix("Z") && offset == "+00:00"), "\(time) \(offset)")
        }
        // The exported lot is named by its GS1 Digital Link, with kilograms in quantityList.
        let exported = events.last
        #expect(
            exported?["quantityList"]?.arrayValue?.first?["epcClass"]?.stringValue
                == "https://id.gs1.org/01/08935000000014/10/DRY-1")
        let harvest = events.first
        #expect(harvest?["quantityList"]?.arrayValue?.first?["uom"] == "KGM")
        #expect(harvest?["quantityList"]?.arrayValue?.first?["quantity"] == .number(1200))
        #expect(
            harvest?["quantityList"]?.arrayValue?.first?["epcClass"]?.stringValue
                == "https://longan.trace.example/ledger/lots/RICE-1")
        // Trace's own facts are in the header, one per event.
        #expect(document["epcisHeader"]?["trace:ledger"]?["events"]?.arrayValue?.count == events.count)
    }

    @Test func theWholeLedgerAndATimeWindowExportToo() throws {
        let f = try Self.chain()
        var export = EPCISExport(chain: f.chain)
        let all = try export.documentOfAll()
        #expect(all["epcisBody"]?["eventList"]?.arrayValue?.count == 7)
        export.from = Timestamp.parse("2999-01-01T00:00:00Z")
        #expect(try export.documentOfAll()["epcisBody"]?["eventList"]?.arrayValue?.isEmpty == true)
        let problem = try FormatSchemaCheck.problem(try CanonicalJSON.encode(all), against: "epcis-2.0.schema.json")
        #expect(problem == nil, "\(problem ?? "")")
    }
}
