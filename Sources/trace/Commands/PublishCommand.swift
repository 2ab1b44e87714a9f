import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCrypto
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

    func validate() throws {
        guard out != nil else { throw ValidationError("say what to publish: --out DIR for the log's tiles") }
    }

    func run() throws {
        let ledger = try options.open()
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
}
