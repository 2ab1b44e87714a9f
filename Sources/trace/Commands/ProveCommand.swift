import ArgumentParser
import CanonicalJSON
import Foundation
import TraceClient
import TraceCrypto
import TraceDomain
import TraceLedger

/// `trace prove --entry N` or `--lot LOT`: inclusion proofs against the latest checkpoint.
struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract:
            "Print RFC 9162 inclusion proofs of an entry, or of every entry of a lot, against the latest signed checkpoint.",
        discussion: """
            With --entry, text output is a C2SP tlog-proof (c2sp.org/tlog-proof@v1) whose extra line is the entry's bytes. \
            With --lot, one proof per entry of the lot's history; --json gives them all with the checkpoint.
            """
    )

    @OptionGroup var options: LedgerOptions

    @Option(help: "The entry's sequence number.")
    var entry: UInt64?

    @Option(help: "A lot: prove every entry of its history.")
    var lot: String?

    func run() throws {
        if let remote = options.remote, let entry, lot == nil {
            // The server's proof is checked here before it is printed: the path must lead from
            // the entry's own bytes to the root of the checkpoint it came with.
            let proof = try remote.json("/v1/proofs/inclusion?entry=\(entry)")
            let note = proof["checkpoint"]?.stringValue ?? ""
            let checkpoint = try RemoteLedger.checkpoint(note)
            let bytes = [UInt8](Data(base64Encoded: proof["entryBytes"]?.stringValue ?? "") ?? Data())
            let hashes = try (proof["proof"]?.arrayValue ?? []).map { try Digest(hex: $0.stringValue ?? "") }
            let leaf = try Entry(bytes: bytes, expectedSeq: entry).leafHash()
            guard
                InclusionProof(index: entry, treeSize: checkpoint.size, leafHash: leaf, hashes: hashes).verify(
                    root: checkpoint.root)
            else {
                throw CLIFailure.verification(
                    "error: --server: the proof of entry \(entry) does not lead to the checkpoint's root")
            }
            if options.json {
                try Output.json(proof)
            } else {
                var text = "c2sp.org/tlog-proof@v1\nextra \(Data(bytes).base64EncodedString())\nindex \(entry)\n"
                for hash in hashes { text += Data(hash.bytes).base64EncodedString() + "\n" }
                print(text + "\n" + note, terminator: "")
            }
            return
        }
        let ledger = try options.open(readOnly: true)
        guard let (checkpoint, note) = try ledger.latestCheckpoint() else {
            throw CLIFailure.input("error: the ledger has no checkpoint yet; run `trace checkpoint` first")
        }
        guard (entry == nil) != (lot == nil) else {
            throw CLIFailure.input("error: give either --entry N or --lot LOT")
        }
        if let lot {
            try proveLot(lot, ledger: ledger, checkpoint: checkpoint, note: note)
            return
        }
        guard let entry else { return }
        guard entry < checkpoint.size else {
            throw CLIFailure.input(
                "error: --entry: entry \(entry) is not covered by the latest checkpoint (size \(checkpoint.size)); run `trace checkpoint` first"
            )
        }
        if options.json {
            do { try Output.json(ledger.provenEntry(entry, checkpoint: checkpoint, note: note)) } catch let error
                as LedgerError where error.code == .rootMismatch
            {
                throw CLIFailure.verification("error: \(error.message)")
            }
            return
        }
        let (proof, _) = try ledger.inclusionProof(index: entry, treeSize: checkpoint.size)
        let bytes = try ledger.entry(entry).bytes
        guard proof.verify(root: checkpoint.root) else {
            throw CLIFailure.verification(
                "error: the proof of entry \(entry) does not lead to the checkpoint's root: the store is damaged; run `trace verify`"
            )
        }
        var text = "c2sp.org/tlog-proof@v1\nextra \(Data(bytes).base64EncodedString())\nindex \(entry)\n"
        for hash in proof.hashes { text += Data(hash.bytes).base64EncodedString() + "\n" }
        print(text + "\n" + note, terminator: "")
    }

    /// One proof per entry of the lot's history, each checked before it is printed.
    private func proveLot(_ code: String, ledger: Ledger, checkpoint: Checkpoint, note: String) throws {
        let chain = try SupplyChain(ledger: ledger)
        let lineage = try Lineage(chain: chain, lot: code)
        let seqs = Array(Set(lineage.root.entries)).sorted()
        guard let last = seqs.last, last < checkpoint.size else {
            throw CLIFailure.input(
                "error: --lot: lot \(code)'s entries reach beyond the latest checkpoint (size \(checkpoint.size)); run `trace checkpoint` first"
            )
        }
        var proofs: [JSONValue] = []
        for seq in seqs {
            let (proof, _) = try ledger.inclusionProof(index: seq, treeSize: checkpoint.size)
            guard proof.verify(root: checkpoint.root) else {
                throw CLIFailure.verification(
                    "error: the proof of entry \(seq) does not lead to the checkpoint's root; run `trace verify`")
            }
            let bytes = try ledger.entry(seq).bytes
            if options.json {
                proofs.append([
                    "entry": .number(Double(seq)), "leafHash": .string(proof.leafHash.hex),
                    "proof": .array(proof.hashes.map { .string($0.hex) }),
                    "entryBytes": .string(Data(bytes).base64EncodedString()),
                ])
            } else {
                print(
                    "entry \(seq): leaf \(proof.leafHash.hex), \(proof.hashes.count) proof hashes to the root of \(checkpoint.size) entries: verified"
                )
            }
        }
        if options.json {
            try Output.json([
                "lot": .string(lineage.root.code.text), "treeSize": .number(Double(checkpoint.size)),
                "rootHash": .string(checkpoint.root.hex), "checkpoint": .string(note), "proofs": .array(proofs),
            ])
        }
    }
}
