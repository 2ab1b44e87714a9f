import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCrypto
import TraceLedger
import TraceLedgerStores

/// `trace copy --from SRC --to DST`: the ledger copied between stores (a file, a postgres:// URL).
struct CopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a ledger between stores (SQLite file, postgres:// URL), verified on both sides.",
        discussion: """
            Copies the entries the destination lacks (creating it when absent), the signed checkpoints, personal \
            data and published certificates; the rules index is rebuilt from the entries. Refused (nothing written) \
            when the destination holds another ledger.
            """
    )

    @Option(help: "The ledger to copy: a file or postgres://USER@HOST:PORT/DB[?schema=NAME].")
    var from: String

    @Option(help: "Where to copy it: a file or postgres://USER@HOST:PORT/DB[?schema=NAME].")
    var to: String

    @Flag(name: .long, help: "Print one JSON document instead of text.")
    var json = false

    @Flag(name: .long, help: "Draw no progress bar (none is drawn anyway when standard error is not a terminal).")
    var quiet = false

    /// The side records that cannot be rebuilt from the entries (`PersonalData`, `CertificateStore`).
    static let spaces = [SideSpace("domain.personal"), SideSpace("certificates.published")]

    func run() throws {
        let source: LedgerLocation
        let destination: LedgerLocation
        do { source = try LedgerLocation(from) } catch let error as LedgerError {
            throw CLIFailure.input("error: --from: \(error.message)")
        }
        do { destination = try LedgerLocation(to) } catch let error as LedgerError {
            throw CLIFailure.input("error: --to: \(error.message)")
        }
        guard source != destination else { throw CLIFailure.input("error: --to: is the same ledger as --from (\(from))") }
        // One bar per pass (source verified, entries copied, copy verified), each on its own line's place.
        var bar: (stage: LedgerCopy.Stage, bar: ProgressBar)?
        let drawn = !quiet && !json
        let outcome = try LedgerCopy.copy(from: source, to: destination, spaces: Self.spaces) { stage, done, total in
            guard drawn else { return }
            if bar?.stage != stage {
                bar?.bar.finish()
                bar = (stage, ProgressBar(label: stage.rawValue, enabled: true))
            }
            bar?.bar.update(done: done, total: total)
        }
        bar?.bar.finish()
        if json {
            try Output.json([
                "from": .string(source.description), "to": .string(destination.description),
                "copied": .number(Double(outcome.copied)),
                "size": .number(Double(outcome.size)), "root": .string(outcome.root.hex),
            ])
        } else {
            print(
                "copied \(outcome.copied) entries; \(destination) holds \(outcome.size) entries, root \(outcome.root.hex), verified"
            )
        }
    }
}
