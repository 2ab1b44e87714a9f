import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceLedger
import TraceLedgerSQLite

/// `trace epcis export` and `trace epcis import` through the real binary: a lot's story round
/// trips into a fresh ledger with the same event hashes, and a document with an event that cannot
/// map is refused whole, naming the event, with nothing written.
struct EPCISCLITests {
    /// A ledger whose cooperative harvests X-1 and ships it to an exporter, who receives and
    /// exports it with a GTIN; or, with `events: false`, the same parties and plot and no events.
    static func ledger(events: Bool = true) throws -> CLIHarness {
        let h = try CLIHarness()
        try h.addExporter()
        if events { try h.harvestShipAndExport() }
        return h
    }

    static func document(_ h: CLIHarness, _ file: String) throws -> JSONValue {
        try CanonicalJSON.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: h.directory + "/" + file))))
    }

    static func eventIDs(_ document: JSONValue) -> [String] {
        (document["epcisBody"]?["eventList"]?.arrayValue ?? []).map { $0["eventID"]?.stringValue ?? "" }
    }

    static func write(_ document: JSONValue, to path: String) throws {
        try Data(try CanonicalJSON.encode(document)).write(to: URL(fileURLWithPath: path))
    }

    @Test func aLotExportedAndImportedIntoAFreshLedgerExportsWithTheSameEventHashes() throws {
        let h = try Self.ledger()
        let export = try h.run("epcis", "export", "X-1", "--out", "x-1.epcis.json")
        #expect(export.status == 0, "\(export.stderr)")
        let original = try Self.document(h, "x-1.epcis.json")
        #expect(Self.eventIDs(original).count == 4)
        let problem = try FormatSchemaCheck.problem(try CanonicalJSON.encode(original), against: "epcis-2.0.schema.json")
        #expect(problem == nil, "\(problem ?? "")")

        // A fresh ledger with the same origin, parties and plot (its own keys): each party imports in turn.
        let fresh = try Self.ledger(events: false)
        try Self.write(original, to: fresh.directory + "/x-1.epcis.json")
        let cooperative = try fresh.run("epcis", "import", "x-1.epcis.json", "--key", "htx-tan-lap.key")
        #expect(cooperative.status == 0, "\(cooperative.stderr)")
        #expect(cooperative.stdout.contains("imported 2 events of htx-tan-lap"), "\(cooperative.stdout)")
        #expect(cooperative.stdout.contains("left for vinarice: 2 events"), "\(cooperative.stdout)")
        let exporter = try fresh.run("epcis", "import", "x-1.epcis.json", "--key", "vinarice.key")
        #expect(exporter.status == 0, "\(exporter.stderr)")
        #expect(exporter.stdout.contains("imported 2 events of vinarice"), "\(exporter.stdout)")

        let again = try fresh.run("epcis", "export", "X-1", "--out", "again.json")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(Self.eventIDs(try Self.document(fresh, "again.json")) == Self.eventIDs(original))
        #expect(try fresh.run("verify").status == 0)

        // The same document a second time records nothing new.
        let size = try Ledger(path: fresh.ledger).size()
        let twice = try fresh.run("epcis", "import", "x-1.epcis.json", "--key", "htx-tan-lap.key")
        #expect(twice.status == 0, "\(twice.stderr)")
        #expect(twice.stdout.contains("2 already recorded"), "\(twice.stdout)")
        #expect(try Ledger(path: fresh.ledger).size() == size)
    }

    @Test(arguments: [
        (2, "bizStep", JSONValue.string("harvesting")), (1, "eventTime", .string("2026-07-01 08:00")),
        (3, "quantityList", .array([["epcClass": "urn:epc:id:sgtin:0614141.107346.2017"]])),
    ])
    func aDocumentWithAnEventThatCannotMapIsRefusedWholeNamingTheEvent(index: Int, field: String, value: JSONValue) throws {
        let h = try Self.ledger()
        #expect(try h.run("epcis", "export", "X-1", "--out", "x-1.epcis.json").status == 0)
        guard case .object(var document) = try Self.document(h, "x-1.epcis.json"),
            case .object(var body) = document["epcisBody"], var events = body["eventList"]?.arrayValue,
            case .object(var event) = events[index]
        else {
            Issue.record("the export is not an EPCIS document")
            return
        }
        event[field] = value
        events[index] = .object(event)
        body["eventList"] = .array(events)
        document["epcisBody"] = .object(body)

        let fresh = try Self.ledger(events: false)
        try Self.write(.object(document), to: fresh.directory + "/bad.json")
        let size = try Ledger(path: fresh.ledger).size()
        for extra in [[], ["--dry-run"]] {
            let result = try Command.run(
                Command.trace, ["epcis", "import", "bad.json", "--key", "htx-tan-lap.key"] + extra, directory: fresh.directory)
            #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("event \(index):"), "\(result.stderr)")
            #expect(result.stderr.contains(field), "\(result.stderr)")
            #expect(result.stderr.contains("nothing was written"), "\(result.stderr)")
        }
        #expect(try Ledger(path: fresh.ledger).size() == size)
    }

    @Test func aDryRunPrintsTheMappingAndWritesNothing() throws {
        let h = try Self.ledger()
        #expect(try h.run("epcis", "export", "--all", "--out", "all.json").status == 0)
        let fresh = try Self.ledger(events: false)
        try Self.write(try Self.document(h, "all.json"), to: fresh.directory + "/all.json")
        let size = try Ledger(path: fresh.ledger).size()
        let result = try fresh.run("epcis", "import", "all.json", "--key", "htx-tan-lap.key", "--dry-run")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("event 0 (htx-tan-lap): "), "\(result.stdout)")
        #expect(result.stdout.contains("event 3 (vinarice) left for vinarice: "), "\(result.stdout)")
        #expect(try Ledger(path: fresh.ledger).size() == size)
    }

    @Test func hashPrintsEachEventsIDAsTheExportWroteIt() throws {
        let h = try Self.ledger()
        #expect(try h.run("epcis", "export", "X-1", "--out", "x-1.epcis.json").status == 0)
        // The export's eventIDs are removed: the hash is computed from the events themselves.
        guard case .object(var document) = try Self.document(h, "x-1.epcis.json"),
            case .object(var body) = document["epcisBody"], let events = body["eventList"]?.arrayValue
        else {
            Issue.record("the export is not an EPCIS document")
            return
        }
        let ids = Self.eventIDs(.object(document))
        body["eventList"] = .array(
            events.map { event in
                guard case .object(var o) = event else { return event }
                o["eventID"] = nil
                return .object(o)
            })
        document["epcisBody"] = .object(body)
        try Self.write(.object(document), to: h.directory + "/bare.json")
        let hash = try h.run("epcis", "hash", "bare.json")
        #expect(hash.status == 0, "\(hash.stderr)")
        #expect(hash.stdout.split(separator: "\n").map(String.init) == ids)
        let missing = try h.run("epcis", "hash", "nothing.json")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("DOC"), "\(missing.stderr)")
    }
}
