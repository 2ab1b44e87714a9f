import ArgumentParser
import CanonicalJSON
import Foundation
import TraceClient
import TraceCrypto
import TraceLedger

/// `trace consistency --from SIZE`: proof that an older tree is a prefix of the latest.
struct ConsistencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consistency",
        abstract: "Print an RFC 9162 consistency proof from an older tree size to the latest signed checkpoint."
    )

    @OptionGroup var options: LedgerOptions

    @Option(help: "The older tree size, for example from a checkpoint you saved.")
    var from: UInt64

    func run() throws {
        if let remote = options.remote {
            let proof = try remote.json("/v1/proofs/consistency?from=\(from)")
            let note = proof["checkpoint"]?.stringValue ?? ""
            let checkpoint = try RemoteLedger.checkpoint(note)
            let oldRoot = try Digest(hex: proof["oldRootHash"]?.stringValue ?? "")
            let hashes = try (proof["proof"]?.arrayValue ?? []).map { try Digest(hex: $0.stringValue ?? "") }
            guard
                ConsistencyProof(oldSize: from, newSize: checkpoint.size, hashes: hashes).verify(
                    oldRoot: oldRoot, newRoot: checkpoint.root)
            else { throw CLIFailure.verification("error: --server: the consistency proof the server sent does not check") }
            if options.json {
                try Output.json(proof)
            } else {
                print("consistency \(from) -> \(checkpoint.size)")
                print("old root \(Data(oldRoot.bytes).base64EncodedString())")
                for hash in hashes { print(Data(hash.bytes).base64EncodedString()) }
                print("\n" + note, terminator: "")
            }
            return
        }
        let ledger = try options.open(readOnly: true)
        guard let (checkpoint, note) = try ledger.latestCheckpoint() else {
            throw CLIFailure.input("error: the ledger has no checkpoint yet; run `trace checkpoint` first")
        }
        guard from <= checkpoint.size else {
            throw CLIFailure.input("error: --from: size \(from) is larger than the latest checkpoint (size \(checkpoint.size))")
        }
        if options.json {
            do { try Output.json(ledger.provenConsistency(from: from, checkpoint: checkpoint, note: note)) } catch let error
                as LedgerError where error.code == .rootMismatch
            {
                throw CLIFailure.verification("error: \(error.message)")
            }
            return
        }
        let proof = try ledger.consistencyProof(from: from, to: checkpoint.size)
        let oldRoot = try ledger.root(size: from)
        guard proof.verify(oldRoot: oldRoot, newRoot: checkpoint.root) else {
            throw CLIFailure.verification("error: the consistency proof does not check: the store is damaged; run `trace verify`")
        }
        print("consistency \(from) -> \(checkpoint.size)")
        print("old root \(Data(oldRoot.bytes).base64EncodedString())")
        for hash in proof.hashes { print(Data(hash.bytes).base64EncodedString()) }
        print("\n" + note, terminator: "")
    }
}
