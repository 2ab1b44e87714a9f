import ArgumentParser
import CanonicalJSON
import TraceCrypto
import TraceLedger

/// `trace keys new`: key pairs for parties.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage signing keys.",
        subcommands: [New.self, KeysShowCommand.self]
    )

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new",
            abstract: "Make a party key (PKCS#8 PEM, mode 0600); print its verifier key."
        )

        @Option(help: "The key's name, as it appears in signatures (no spaces or '+').")
        var name: String

        @Option(help: "Where to write the private key; an existing file is never overwritten.")
        var out: String

        @Flag(help: "Print one JSON document instead of text.")
        var json = false

        @Flag(help: "A witness key: print its cosignature/v1 verifier key (signature type 0x04).")
        var witness = false

        func run() throws {
            do { try VerifierKey.checkName(name) } catch let error as CryptoError {
                throw CLIFailure.input("error: --name: \(error.message)")
            }
            let key = try PrivateKey.generate()
            let vkey: any CustomStringConvertible =
                witness
                ? try CosignerKey(name: name, publicKey: key.publicKey) : try VerifierKey(name: name, publicKey: key.publicKey)
            do { try key.write(toFile: out) } catch let error as CryptoError {
                throw CLIFailure.input("error: --out: \(error.message)")
            }
            if json {
                try Output.json(["name": .string(name), "verifierKey": .string(vkey.description), "keyFile": .string(out)])
            } else {
                print(vkey.description)
                Output.note("private key written to \(out) (mode 0600); give the verifier key above to the ledger operator")
            }
        }
    }
}
