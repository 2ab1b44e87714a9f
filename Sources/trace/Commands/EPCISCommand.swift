import ArgumentParser
import CanonicalJSON
import Foundation
import TraceDomain
import TraceEPCIS
import TraceLedger

/// `trace epcis ...`: speak GS1 EPCIS 2.0 (docs/EPCIS.md).
struct EPCISCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "epcis", abstract: "Exchange events as GS1 EPCIS 2.0 JSON-LD documents.",
        subcommands: [EPCISExportCommand.self, EPCISImportCommand.self, EPCISHashCommand.self])
}

/// `trace epcis export LOT [--all] [--from T] [--to T] [--out FILE]`.
struct EPCISExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a lot's whole story (or, with --all, every lot event) as an EPCIS 2.0 JSON-LD document.",
        discussion:
            "Each event's eventID is its CBV 2.0 event hash (ni:///sha-256;...?ver=CBV2.0). Ledger entry numbers, signers and the checkpoint are in the header under trace:ledger."
    )

    @OptionGroup var options: LedgerOptions
    @Argument(help: "The lot code (any case); its story runs up to the harvests and down to the exports.") var lot: String?
    @Flag(help: "Every lot event of the ledger instead of one lot's story.") var all = false
    @Option(help: "Only events at or after this RFC 3339 time.") var from: String?
    @Option(help: "Only events before this RFC 3339 time.") var to: String?
    @Option(help: "Write the document here instead of standard output.") var out: String?

    func run() throws {
        guard all != (lot != nil) else { throw CLIFailure.input("error: give a LOT or --all (not both)") }
        func time(_ text: String?, _ field: String) throws -> Int64? {
            guard let text else { return nil }
            guard let ms = Timestamp.parse(text) else {
                throw CLIFailure.input("error: \(field) \"\(text)\" must be an RFC 3339 time, like 2026-07-01T00:00:00+07:00")
            }
            return ms
        }
        let chain = try options.openChainForReading()
        var export = EPCISExport(chain: chain)
        export.from = try time(from, "--from")
        export.to = try time(to, "--to")
        let document = try lot.map { try export.document(lot: $0) } ?? export.documentOfAll()
        let bytes = try CanonicalJSON.encode(document)
        let count = document["epcisBody"]?["eventList"]?.arrayValue?.count ?? 0
        guard let out else {
            FileHandle.standardOutput.write(Data(bytes + [0x0A]))
            return
        }
        do { try Data(bytes).write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
            throw CLIFailure.input("error: --out: cannot write \(out): \(error.localizedDescription)")
        }
        if options.json {
            try Output.json(["file": .string(out), "events": .number(Double(count))])
        } else {
            print("wrote \(out): \(Output.count(count, "EPCIS event", "EPCIS events"))")
        }
    }
}
