import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCertificates
import TraceCrypto
import TraceDomain
import TraceLedger

/// `trace publish --out DIR`: the log as static C2SP tlog-tiles files any web server can serve.
/// Each kind of publication is one option, so others (open data) can join as their own.
struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish the log as static files: C2SP tlog-tiles (checkpoint, tiles, entry bundles) with --out DIR.",
        discussion: """
            --out DIR writes checkpoint, tile/L/N[.p/W] and tile/entries/N[.p/W] for the latest signed checkpoint, as \
            `trace serve` answers them. Run it again after new entries and a new checkpoint: it adds only the new files \
            and replaces the checkpoint last. Serve DIR with any static web server (tiles as application/octet-stream, \
            immutable; the checkpoint as text/plain; charset=utf-8, not cached); docs/FORMAT.md has an nginx example.
            """)

    @OptionGroup var options: LedgerOptions

    @Option(help: "The folder to write the C2SP tlog-tiles files into (created if missing).")
    var out: String?

    @Option(
        name: .customLong("open-data"),
        help: "The folder to write the open datasets into: stats.csv, stats.json, plots.geojson, catalog.json and its signature.")
    var openData: String?

    @Option(help: "The operator's private key, to sign the open-data catalogue (default: $TRACE_KEY, else beside the ledger).")
    var key: String?

    func validate() throws {
        guard out != nil || openData != nil else {
            throw ValidationError("say what to publish: --out DIR for the log's tiles, --open-data DIR for the datasets")
        }
    }

    func run() throws {
        let ledger = try options.open()
        if let openData { try publishOpenData(ledger, to: openData) }
        if let out {
            let report = try TilePublisher(ledger: ledger, folder: out).publish()
            let size = try ledger.size()
            if options.json {
                try Output.json([
                    "out": .string(out), "checkpointSize": .number(Double(report.checkpoint.size)),
                    "previousSize": report.previousSize.map { .number(Double($0)) } ?? .null,
                    "written": .number(Double(report.written)), "kept": .number(Double(report.kept)),
                    "rootHash": .string(report.checkpoint.root.hex),
                ])
            } else {
                print(
                    "published \(out): checkpoint of \(Output.count(report.checkpoint.size, "entry", "entries")), "
                        + "\(Output.count(report.written, "file", "files")) written, \(Output.count(report.kept)) already there")
            }
            if report.checkpoint.size < size {
                Output.note(
                    "warning: the latest checkpoint covers \(report.checkpoint.size) of \(size) entries; "
                        + "run `trace checkpoint` with the operator's key, then publish again")
            }
        }
    }

    private func publishOpenData(_ ledger: Ledger, to folder: String) throws {
        guard let (operatorKey, _) = try options.signingKey(key, fallback: options.defaultOperatorKeyPath) else {
            throw CLIFailure.input("error: --key: the operator's key is needed to sign the catalogue; pass --key PATH")
        }
        let report = try OpenDataPublisher(chain: SupplyChain(ledger: ledger), operatorKey: operatorKey).publish(to: folder)
        if options.json {
            try Output.json([
                "openData": .string(folder), "checkpointSize": .int(Int(report.size)), "rootHash": .string(report.root),
                "files": .array(
                    report.files.map { ["name": .string($0.name), "sha256": .string($0.sha256), "bytes": .int($0.bytes)] }),
            ])
        } else {
            print("published open data in \(folder) at \(report.size) entries (root \(report.root.prefix(16))...):")
            for file in report.files { print("  \(file.name)  \(file.bytes) bytes  sha256 \(file.sha256)") }
        }
    }
}
