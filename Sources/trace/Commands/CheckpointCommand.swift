import ArgumentParser
import CanonicalJSON
import Foundation
import TraceClient
import TraceCrypto
import TraceLedger

/// `trace checkpoint`: the operator's signed view of the log.
struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Print the signed checkpoint (C2SP tlog-checkpoint as a signed note), signing a new one if entries were added.",
        discussion: "A new checkpoint needs the operator key: --key, $TRACE_KEY, or the key `trace init` wrote beside the ledger."
    )

    @OptionGroup var options: LedgerOptions

    @Option(help: "The operator's private key file.")
    var key: String?

    func run() throws {
        if let remote = options.remote {
            let note = try remote.text("/v1/checkpoint")
            try show(RemoteLedger.checkpoint(note), note)
            return
        }
        // Without a key it only prints, so it opens the ledger read-only.
        let signer = try options.signingKey(key, fallback: options.defaultOperatorKeyPath)
        let ledger = try options.open(readOnly: signer == nil)
        let size = try ledger.size()
        var current = try ledger.latestCheckpoint()
        // With the key, always through the signer's record: even with nothing new to sign, a
        // ledger behind or forked from what the operator already signed is refused, not shown.
        // On a store servers share (PostgreSQL), the CLI signs only when it can take the signer
        // lock for the moment it signs; while a server holds it, that server signs, not the CLI.
        let lease = signer == nil ? nil : try ledger.store.signerLease()
        if let lease, !lease.holdsOrTakes() {
            Output.note(
                "note: not signed here: a trace serve holds the signer lock of \(ledger.metadata.origin) and signs its checkpoints; "
                    + "this is the latest one it signed")
        } else if let signer {
            current = try ledger.checkpoint(signingWith: signer.key, state: SignerState(besideKey: signer.path))
        } else if current?.checkpoint.size != size {
            if let stale = current {
                Output.note(
                    "warning: the latest checkpoint covers \(stale.checkpoint.size) of \(size) entries; pass the operator's --key to sign a new one"
                )
            }
        }
        guard let (checkpoint, note) = current else {
            throw CLIFailure.input("error: the ledger has no checkpoint yet; pass the operator's --key to sign one")
        }
        try show(checkpoint, note)
        withExtendedLifetime(lease) {}
    }

    private func show(_ checkpoint: Checkpoint, _ note: String) throws {
        if options.json {
            try Output.json([
                "origin": .string(checkpoint.origin), "size": .number(Double(checkpoint.size)),
                "rootHash": .string(checkpoint.root.hex), "note": .string(note),
            ])
        } else {
            print(note, terminator: "")
        }
    }
}
