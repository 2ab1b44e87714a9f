import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCrypto
import TraceLedger

/// `--witness VKEY` (repeatable) and `--witness-quorum K`: the witnesses a client trusts and how
/// many of them must have cosigned the checkpoint it relies on.
struct WitnessOptions: ParsableArguments {
    @Option(help: "A witness's verifier key (name+hash+key, type 0x04) you trust (repeatable).")
    var witness: [String] = []

    @Option(name: .customLong("witness-quorum"), help: "How many of the --witness keys must have cosigned (default: all).")
    var quorum: Int?

    /// The policy, or nil when no witness is named.
    func policy() throws -> WitnessPolicy? {
        guard !witness.isEmpty else {
            if quorum != nil { throw CLIFailure.input("error: --witness-quorum: name the witnesses with --witness VKEY") }
            return nil
        }
        let keys = try witness.map { text in
            do { return try CosignerKey(text) } catch let error as CryptoError {
                throw CLIFailure.input("error: --witness: \(error.message)")
            }
        }
        do { return try WitnessPolicy(witnesses: keys, quorum: quorum ?? keys.count) } catch let error as LedgerError {
            throw CLIFailure.input("error: \(error.message)")
        }
    }

    /// The newest checkpoint among `notes` with a quorum, and a consistency proof from it to
    /// `latest` that verifies; a verification failure (exit 1) naming the missing witnesses otherwise.
    static func witnessed(
        _ policy: WitnessPolicy, notes: [String], latest: Checkpoint, keys: OperatorKeys,
        proof: (UInt64) throws -> [Digest]
    ) throws -> Checkpoint {
        // Each note is opened with the operator key in force at its size (the chain of rotations).
        let signed = notes.filter { (try? keys.open($0)) != nil }
        guard
            let (witnessed, _) = policy.newest(
                of: signed.filter { note in
                    (try? Checkpoint(text: SignedNote(parsing: note).text)).map { $0.size <= latest.size } ?? false
                })
        else {
            // Name who is missing on the latest checkpoint the client was shown.
            let newest = signed.max { a, b in
                ((try? Checkpoint(text: SignedNote(parsing: a).text).size) ?? 0)
                    < ((try? Checkpoint(text: SignedNote(parsing: b).text).size) ?? 0)
            }
            do {
                try policy.check(try SignedNote(parsing: newest ?? ""))
            } catch let error as LedgerError {
                throw CLIFailure.verification("NOT VERIFIED: no checkpoint meets the witness quorum: \(error.message)")
            }
            throw CLIFailure.verification("NOT VERIFIED: no checkpoint meets the witness quorum")
        }
        let consistency = ConsistencyProof(oldSize: witnessed.size, newSize: latest.size, hashes: try proof(witnessed.size))
        guard witnessed.origin == latest.origin, consistency.verify(oldRoot: witnessed.root, newRoot: latest.root) else {
            throw CLIFailure.verification(
                "NOT VERIFIED: the checkpoint of size \(latest.size) does not extend the witnessed one of size \(witnessed.size): "
                    + "the log has forked")
        }
        return witnessed
    }
}
