import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCrypto
import TraceLedger

/// `trace operator rotate`: the operator key names its successor (docs/OPERATIONS.md).
struct OperatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator", abstract: "The operator key's life.", subcommands: [Rotate.self])

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Append an entry, signed by the operator key in force, naming the next key; then sign with the new key.",
            discussion: """
                Make the new key first: `trace keys new --name ORIGIN --out NEW.key` (the log's name). After this entry \
                the old key signs nothing; checkpoints are signed by the new key, and verifiers follow the chain from the \
                genesis key. Put NEW.key where the old key was (and tell the witnesses the new verifier key).
                """)
        @OptionGroup var options: EventOptions
        @Option(name: .customLong("new-key"), help: "The new operator's private key file.") var newKey: String

        func run() throws {
            let key: PrivateKey
            do { key = try PrivateKey(contentsOfFile: newKey) } catch let error as CryptoError {
                throw CLIFailure.input("error: --new-key: \(error.message)")
            }
            let ledger = try options.ledger.open()
            // On a store servers share (PostgreSQL), the rotation takes the signer lock and holds
            // it until the new key has signed, as `trace checkpoint --key` does: no server signs
            // with the old key between the rotation entry and the new key's first checkpoint.
            let lease = try ledger.store.signerLease()
            defer { withExtendedLifetime(lease) {} }
            if let lease, !lease.holdsOrTakes() {
                throw CLIFailure.input(
                    "error: a trace serve holds the signer lock of \(ledger.metadata.origin) and signs with the operator key in force; "
                        + "stop it, rotate, then start it with the new key")
            }
            let vkey = try VerifierKey(name: ledger.metadata.origin, publicKey: key.publicKey)
            var options = self.options
            options.eventID = OperatorKeys.eventID(try ledger.operatorKeys().links.count)
            let result = try options.append(
                OperatorKeys.rotationType, ["key": .string(vkey.description)], operatorFallback: true,
                summary: "the operator key is now \(vkey)")
            guard !result.duplicate else { return }
            let state = SignerState(besideKey: options.ledger.defaultOperatorKeyPath)
            let signed = try ledger.checkpoint(signingWith: key, state: state)
            Output.note(
                "signed the checkpoint of size \(signed.checkpoint.size) with the new key; keep \(newKey) where the operator key "
                    + "was, take the old key offline, and give witnesses the new verifier key (`trace witness serve --log`)")
        }
    }
}
