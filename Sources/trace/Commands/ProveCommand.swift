import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCrypto
import TraceLedger

/// `trace prove --entry N`: an inclusion proof against the latest checkpoint.
struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Print an RFC 9162 inclusion proof of an entry against the latest signed checkpoint.",
        discussion: "Text output is a C2SP tlog-proof (c2sp.org/tlog-proof@v1) whose extra line is the entry's bytes."
    )

    @OptionGroup var options: LedgerOptions

    @Option(help: "The entry's sequence number.")
    var entry: UInt64

    func run() throws {
        let ledger = try options.open()
        guard let (checkpoint, note) = try ledger.latestCheckpoint() else {
            throw CLIFailure.input("error: the ledger has no checkpoint yet; run `trace checkpoint` first")
        }
        guard entry < checkpoint.size else {
            throw CLIFailure.input(
                "error: --entry: entry \(entry) is not covered by the latest checkpoint (size \(checkpoint.size)); run `trace checkpoint` first"
            )
        }
        let (proof, reads) = try ledger.inclusionProof(index: entry, treeSize: checkpoint.size)
        let bytes = try ledger.entry(entry).bytes
        guard proof.verify(root: checkpoint.root) else {
            throw CLIFailure.verification(
                "error: the proof of entry \(entry) does not lead to the checkpoint's root: the store is damaged; run `trace verify`"
            )
        }
        if options.json {
            try Output.json([
                "entry": .number(Double(entry)), "treeSize": .number(Double(checkpoint.size)),
                "leafHash": .string(proof.leafHash.hex), "rootHash": .string(checkpoint.root.hex),
                "proof": .array(proof.hashes.map { .string($0.hex) }),
                "entryBytes": .string(Data(bytes).base64EncodedString()),
                "checkpoint": .string(note), "nodeReads": .number(Double(reads)),
            ])
        } else {
            var text = "c2sp.org/tlog-proof@v1\nextra \(Data(bytes).base64EncodedString())\nindex \(entry)\n"
            for hash in proof.hashes { text += Data(hash.bytes).base64EncodedString() + "\n" }
            print(text + "\n" + note, terminator: "")
        }
    }
}
