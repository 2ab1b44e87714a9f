import ArgumentParser
import Foundation
import TraceClient
import TraceCrypto
import TraceLedger
import TraceLedgerPostgres
import TraceLedgerSQLite
import TraceLedgerStores

/// `--ledger PATH` and `--json`, shared by every command.
struct LedgerOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "The ledger: a file, or postgres://USER@HOST:PORT/DB[?schema=NAME] (default: $TRACE_LEDGER, else ./trace.db).")
    var ledger: String?

    @Flag(name: .long, help: "Print one JSON document instead of text.")
    var json = false

    @Option(name: .long, help: "A running `trace serve` to talk to instead of a local file (default: $TRACE_SERVER).")
    var server: String?

    /// The server to talk to, if any: --server, else $TRACE_SERVER when no --ledger is given.
    var remote: RemoteLedger? {
        (server ?? (ledger == nil ? ProcessInfo.processInfo.environment["TRACE_SERVER"] : nil)).map { RemoteLedger($0) }
    }

    @Option(
        name: .customLong("checkpoint"),
        help: "A signed checkpoint note you hold: refuse (exit 1) a ledger shorter than it or not extending it.")
    var knownCheckpoint: String?

    /// The ledger path after defaults.
    var path: String {
        ledger ?? ProcessInfo.processInfo.environment["TRACE_LEDGER"] ?? "trace.db"
    }

    /// Where `trace init` puts the operator key when not told: beside the ledger.
    var defaultOperatorKeyPath: String {
        // A PostgreSQL ledger has no folder: the key goes in the current one, named after the database.
        if PostgresLocation.isURL(path), let location = try? PostgresLocation(url: path) {
            return location.localName + ".operator.key"
        }
        // Keep the path as the user gave it (relative stays relative), only the extension changes.
        let base = (path as NSString).deletingPathExtension
        return base + ".operator.key"
    }

    /// Opens the local ledger; `readOnly` for commands that only read (verify, show, prove, ...):
    /// they then work on read-only media and leave the file and its folder untouched.
    func open(readOnly: Bool = false) throws -> Ledger {
        guard remote == nil else {
            throw CLIFailure.input("error: --server: this command works on a local ledger only; pass --ledger PATH instead")
        }
        let ledger = try Ledger(at: LedgerLocation(path), readOnly: readOnly)
        try requireNoLostTail(ledger)
        return ledger
    }

    /// Refuses a ledger shorter than (or forked from) a checkpoint already signed: the operator's
    /// last one, kept beside its key, and the one given with --checkpoint. A tail lost with a
    /// torn write-ahead log or a restored backup must never pass in silence. Exit 1, both sizes named.
    func requireNoLostTail(_ ledger: Ledger) throws {
        let state = SignerState(besideKey: defaultOperatorKeyPath)
        if let signed = try state.load(keys: ledger.operatorKeys()) {
            try ledger.requireExtends(signed.checkpoint, recordedIn: state.path)
        }
        guard let file = knownCheckpoint else { return }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIFailure.input("error: --checkpoint: cannot read \(file)")
        }
        let given: Checkpoint
        do {
            given = try ledger.operatorKeys().open(String(decoding: data, as: UTF8.self))
        } catch let error as LedgerError {
            throw CLIFailure.verification(
                "verification FAILED: --checkpoint: \(file) is not a checkpoint signed by the operator: \(error.message)")
        }
        try ledger.requireExtends(given, recordedIn: file)
    }

    /// The signing key: `--key`, else $TRACE_KEY, else `fallback`.
    func signingKey(_ option: String?, fallback: String?) throws -> (key: PrivateKey, path: String)? {
        guard let path = option ?? ProcessInfo.processInfo.environment["TRACE_KEY"] ?? fallback else { return nil }
        if option == nil, ProcessInfo.processInfo.environment["TRACE_KEY"] == nil, !FileManager.default.fileExists(atPath: path) {
            return nil
        }
        return (try PrivateKey(contentsOfFile: path), path)
    }
}
