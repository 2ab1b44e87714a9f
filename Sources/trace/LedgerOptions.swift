import ArgumentParser
import Foundation
import TraceCrypto
import TraceLedger

/// `--ledger PATH` and `--json`, shared by every command.
struct LedgerOptions: ParsableArguments {
    @Option(name: .long, help: "The ledger file (default: $TRACE_LEDGER, else ./trace.db).")
    var ledger: String?

    @Flag(name: .long, help: "Print one JSON document instead of text.")
    var json = false

    /// The ledger path after defaults.
    var path: String {
        ledger ?? ProcessInfo.processInfo.environment["TRACE_LEDGER"] ?? "trace.db"
    }

    /// Where `trace init` puts the operator key when not told: beside the ledger.
    var defaultOperatorKeyPath: String {
        // Keep the path as the user gave it (relative stays relative), only the extension changes.
        let base = (path as NSString).deletingPathExtension
        return base + ".operator.key"
    }

    func open() throws -> Ledger { try Ledger(path: path) }

    /// The signing key: `--key`, else $TRACE_KEY, else `fallback`.
    func signingKey(_ option: String?, fallback: String?) throws -> (key: PrivateKey, path: String)? {
        guard let path = option ?? ProcessInfo.processInfo.environment["TRACE_KEY"] ?? fallback else { return nil }
        if option == nil, ProcessInfo.processInfo.environment["TRACE_KEY"] == nil, !FileManager.default.fileExists(atPath: path) {
            return nil
        }
        return (try PrivateKey(contentsOfFile: path), path)
    }
}
