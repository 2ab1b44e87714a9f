import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceLedger
import TraceLedgerSQLite

/// `trace epcis import --server`: the document is mapped against a checked copy of the server's
/// ledger, the key's party's events are signed on the client and land through the server's
/// rules, and a second import records nothing new.
struct EPCISServerImportTests {
    /// The cooperative harvests X-1 and ships it to an exporter, who receives and exports it.
    func exported() throws -> CLIHarness {
        let h = try CLIHarness()
        try h.addExporter()
        try h.harvestShipAndExport()
        return h
    }

    func eventIDs(_ h: CLIHarness, _ file: String) throws -> [String] {
        let document = try CanonicalJSON.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: h.directory + "/" + file))))
        return (document["epcisBody"]?["eventList"]?.arrayValue ?? []).map { $0["eventID"]?.stringValue ?? "" }
    }

    @Test func eachPartyImportsThroughTheServerAndTheExportKeepsItsEventHashes() throws {
        let source = try exported()
        #expect(try source.run("epcis", "export", "X-1", "--out", "x-1.epcis.json").status == 0)
        let original = try eventIDs(source, "x-1.epcis.json")
        #expect(original.count == 4)

        // A fresh ledger with the same parties (their own keys), served with its operator key.
        let fresh = try CLIHarness()
        try fresh.addExporter()
        try FileManager.default.copyItem(
            atPath: source.directory + "/x-1.epcis.json", toPath: fresh.directory + "/x-1.epcis.json")
        let server = try ServerProcess(["--ledger", fresh.ledger], directory: fresh.directory)
        let elsewhere = try Scratch.directory()
        for name in ["htx-tan-lap.key", "vinarice.key", "x-1.epcis.json"] {
            try FileManager.default.copyItem(atPath: fresh.directory + "/" + name, toPath: elsewhere + "/" + name)
        }
        // Run from a folder without the ledger: everything goes through the server.
        func run(_ arguments: String...) throws -> CommandResult {
            try Command.run(Command.trace, arguments + ["--server", server.url], directory: elsewhere)
        }

        let cooperative = try run("epcis", "import", "x-1.epcis.json", "--key", "htx-tan-lap.key")
        #expect(cooperative.status == 0, "\(cooperative.stderr)")
        #expect(cooperative.stdout.contains("imported 2 events of htx-tan-lap"), "\(cooperative.stdout)")
        #expect(cooperative.stdout.contains("left for vinarice: 2 events"), "\(cooperative.stdout)")
        let exporterImport = try run("epcis", "import", "x-1.epcis.json", "--key", "vinarice.key")
        #expect(exporterImport.status == 0, "\(exporterImport.stderr)")
        #expect(exporterImport.stdout.contains("imported 2 events of vinarice"), "\(exporterImport.stdout)")
        let twice = try run("epcis", "import", "x-1.epcis.json", "--key", "htx-tan-lap.key")
        #expect(twice.stdout.contains("2 already recorded"), "\(twice.stdout)")

        _ = server.stop()
        #expect(try fresh.run("epcis", "export", "X-1", "--out", "again.json").status == 0)
        #expect(try eventIDs(fresh, "again.json") == original)
        #expect(try fresh.run("verify").status == 0)
    }
}
