public import CanonicalJSON
import Foundation
public import TraceCrypto

extension InclusionProof {
    /// The proof as `trace prove --json` and the server print it (schemas/proof-v1.schema.json).
    public func json(rootHash: Digest, entryBytes: [UInt8], checkpoint note: String, nodeReads: Int) -> JSONValue {
        [
            "entry": .number(Double(index)), "treeSize": .number(Double(treeSize)), "leafHash": .string(leafHash.hex),
            "rootHash": .string(rootHash.hex), "proof": .array(hashes.map { .string($0.hex) }),
            "entryBytes": .string(Data(entryBytes).base64EncodedString()), "checkpoint": .string(note),
            "nodeReads": .number(Double(nodeReads)),
        ]
    }
}

extension ConsistencyProof {
    /// The proof as `trace consistency --json` and the server print it
    /// (schemas/consistency-v1.schema.json).
    public func json(oldRoot: Digest, newRoot: Digest, checkpoint note: String) -> JSONValue {
        [
            "oldSize": .number(Double(oldSize)), "newSize": .number(Double(newSize)), "oldRootHash": .string(oldRoot.hex),
            "newRootHash": .string(newRoot.hex), "proof": .array(hashes.map { .string($0.hex) }), "checkpoint": .string(note),
        ]
    }
}

extension Ledger {
    /// The inclusion proof of `entry` against the latest signed checkpoint, checked before it is
    /// returned, as proof-v1 JSON; nil when there is no checkpoint or it does not cover the entry.
    public func provenEntry(_ entry: UInt64, checkpoint: Checkpoint, note: String) throws -> JSONValue {
        guard entry < checkpoint.size else {
            throw LedgerError(
                .outOfRange,
                "entry \(entry) is not covered by the latest checkpoint (size \(checkpoint.size)); the operator must sign a new checkpoint",
                entry: entry)
        }
        let (proof, reads) = try inclusionProof(index: entry, treeSize: checkpoint.size)
        let bytes = try self.entry(entry).bytes
        guard proof.verify(root: checkpoint.root) else {
            throw LedgerError(
                .rootMismatch,
                "the proof of entry \(entry) does not lead to the checkpoint's root: the store is damaged; run `trace verify`",
                entry: entry)
        }
        return proof.json(rootHash: checkpoint.root, entryBytes: bytes, checkpoint: note, nodeReads: reads)
    }

    /// The consistency proof from `oldSize` to the checkpoint's size, checked, as consistency-v1 JSON.
    public func provenConsistency(from oldSize: UInt64, checkpoint: Checkpoint, note: String) throws -> JSONValue {
        guard oldSize <= checkpoint.size else {
            throw LedgerError(
                .outOfRange, "size \(oldSize) is larger than the latest checkpoint (size \(checkpoint.size))")
        }
        let proof = try consistencyProof(from: oldSize, to: checkpoint.size)
        let oldRoot = try root(size: oldSize)
        guard proof.verify(oldRoot: oldRoot, newRoot: checkpoint.root) else {
            throw LedgerError(.rootMismatch, "the consistency proof does not check: the store is damaged; run `trace verify`")
        }
        return proof.json(oldRoot: oldRoot, newRoot: checkpoint.root, checkpoint: note)
    }
}
