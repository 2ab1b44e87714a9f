import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCrypto
import TraceLedger
import TraceLedgerSQLite

/// `trace init --origin NAME`: a new ledger and its operator key.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a ledger and its operator key; print the operator's verifier key."
    )

    @OptionGroup var options: LedgerOptions

    @Option(
        help: "The ledger's name: the checkpoint origin and the operator key's name (for example tayninh.trace.example/ledger).")
    var origin: String

    @Option(
        name: .customLong("key-out"),
        help: "Where to write the operator's private key (default: beside the ledger, NAME.operator.key).")
    var keyOut: String?

    func run() throws {
        let keyPath = keyOut ?? options.defaultOperatorKeyPath
        guard !FileManager.default.fileExists(atPath: options.path) else {
            throw CLIFailure.input("error: --ledger: a ledger already exists at \(options.path); nothing was written")
        }
        do { try VerifierKey.checkName(origin) } catch let error as CryptoError {
            throw CLIFailure.input("error: --origin: \(error.message)")
        }
        let key = try PrivateKey.generate()
        // The key file first (it refuses to overwrite); if the ledger then fails, remove it so
        // nothing is left half-made.
        try key.write(toFile: keyPath)
        let ledger: Ledger
        do { ledger = try Ledger.create(path: options.path, origin: origin, operatorKey: key) } catch {
            try? FileManager.default.removeItem(atPath: keyPath)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: options.path + suffix) }
            throw error
        }
        let vkey = ledger.metadata.operatorKey
        let note = try ledger.latestCheckpoint()?.note ?? ""
        // The operator's own record of what it signed, outside the store (a new key: any old
        // record at that path belonged to another ledger).
        try SignerState(besideKey: keyPath).save(note: note)
        if options.json {
            try Output.json([
                "ledger": .string(options.path), "origin": .string(origin), "operatorKey": .string(vkey.description),
                "keyFile": .string(keyPath), "checkpoint": .string(note),
            ])
        } else {
            print(vkey.description)
            Output.note("created ledger \(options.path) (origin \(origin)); operator key written to \(keyPath) (mode 0600)")
        }
    }
}
