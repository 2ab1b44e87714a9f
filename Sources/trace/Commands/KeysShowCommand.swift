import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger

/// `trace keys show FILE`.
struct KeysShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: L10n.helpText("Print a private key file's verifier key (to give to the ledger operator)."))
    @Argument(help: L10n.help("The private key file (PKCS#8 PEM).")) var file: String
    @Option(help: L10n.help("The key's name (default: the file's name without .key).")) var name: String?
    @Flag(help: L10n.help("Print one JSON document instead of text.")) var json = false

    func run() throws {
        let key: PrivateKey
        do { key = try PrivateKey(contentsOfFile: file) } catch let error as CryptoError {
            throw CLIFailure.input(L10n.refusal(code: error.code.rawValue, field: "FILE", english: error.message))
        }
        let keyName = name ?? ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        do { try VerifierKey.checkName(keyName) } catch let error as CryptoError {
            throw CLIFailure.input("error: --name: \(error.message)")
        }
        let vkey = try VerifierKey(name: keyName, publicKey: key.publicKey)
        if json {
            try Output.json([
                "verifierKey": .string(vkey.description), "publicKey": .string(Hex.encode(key.publicKey.bytes)),
                "keyFile": .string(file),
            ])
        } else {
            print(vkey.description)
        }
    }
}
