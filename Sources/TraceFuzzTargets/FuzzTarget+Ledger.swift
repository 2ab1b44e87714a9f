import CanonicalJSON
import Foundation
import Synchronization
public import TraceCrypto
import TraceDomain
import TraceLedger

extension FuzzTarget {
    /// The operator key of the ledger the seed corpus came from (Fuzz/corpus/operator.vkey, passed
    /// by tools/fuzz in TRACE_FUZZ_OPERATOR, or set by a test), so that seeds with real signatures
    /// reach the code behind a signature check.
    public static var operatorKey: VerifierKey? {
        get { configuredOperatorKey.withLock { $0 } }
        set { configuredOperatorKey.withLock { $0 = newValue } }
    }

    private static let configuredOperatorKey = Mutex<VerifierKey?>(
        ProcessInfo.processInfo.environment["TRACE_FUZZ_OPERATOR"].flatMap { try? VerifierKey($0) })

    /// Ledger entries as a replica, `trace verify` or a proof's reader gets them: a parsed
    /// canonical entry is rebuilt from its members to the same bytes.
    static let entry = FuzzTarget(name: "entry") { bytes in
        _ = try? Entry(bytes: bytes, canonical: false)
        guard let entry = try? Entry(bytes: bytes, expectedSeq: nil, canonical: true) else { return }
        _ = entry.leafHash()
        _ = entry.signed.hasValidSignature()
        let rebuilt = try? Entry(seq: entry.seq, recorded: entry.recorded, prev: entry.prev, signed: entry.signed)
        try require(rebuilt?.bytes == bytes, "a canonical entry does not rebuild to its own bytes")
        try require(rebuilt?.eventBytes == entry.eventBytes, "a canonical entry's event bytes differ when rebuilt")
    }

    /// A submitted signed event (`POST /v1/events`, `trace submit`): shape checks, then the
    /// signature over the canonical event.
    static let signedEvent = FuzzTarget(name: "signed-event") { bytes in
        guard let json = try? CanonicalJSON.parse(bytes), let signed = try? SignedEvent(json: json) else { return }
        _ = signed.hasValidSignature()
        let again = try? SignedEvent(json: signed.json)
        try require(again == signed, "a signed event does not survive its own JSON")
    }

    /// C2SP signed notes, checkpoints inside them and verifier keys, as a witness, a server's
    /// answer or `--checkpoint FILE` brings them.
    static let note = FuzzTarget(name: "note") { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? VerifierKey(text)
        _ = try? Checkpoint(text: text)
        guard let note = try? SignedNote(parsing: text) else { return }
        let again = try? SignedNote(parsing: note.encoded)
        try require(again == note, "a signed note does not survive its own encoding")
        if let operatorKey { _ = try? note.open(with: operatorKey) }
        for signature in note.signatures {
            if let key = try? VerifierKey(name: signature.name, publicKey: operatorKey?.publicKey ?? PublicKey(bytes: [])) {
                _ = try? note.open(with: key)
            }
        }
        guard let checkpoint = try? Checkpoint(text: note.text) else { return }
        try require(checkpoint.text == note.text, "a checkpoint does not survive its own text")
    }

    /// Proofs as a server sends them to `trace prove --server`, `consistency --server` and
    /// `verify-lot --server` (proof-v1, consistency-v1 and a lot's story), read the way the CLI
    /// reads them; bytes that are not JSON drive the RFC 9162 arithmetic directly.
    static let proof = FuzzTarget(name: "proof") { bytes in
        guard let json = try? CanonicalJSON.parse(bytes) else {
            try proofArithmetic(bytes)
            return
        }
        let note = json["checkpoint"]?.stringValue ?? ""
        let hashes = (json["proof"]?.arrayValue ?? []).compactMap { try? Digest(hex: $0.stringValue ?? "") }
        let checkpoint = try? Checkpoint(text: SignedNote(parsing: note).text)
        if let checkpoint, let index = json["entry"]?.intValue, index >= 0,
            let entryBytes = json["entryBytes"]?.stringValue.flatMap({ Data(base64Encoded: $0) }),
            let entry = try? Entry(bytes: Array(entryBytes), expectedSeq: UInt64(index))
        {
            _ = InclusionProof(index: UInt64(index), treeSize: checkpoint.size, leafHash: entry.leafHash(), hashes: hashes)
                .verify(root: checkpoint.root)
        }
        if let checkpoint, let oldSize = json["oldSize"]?.intValue, oldSize >= 0,
            let oldRoot = try? Digest(hex: json["oldRootHash"]?.stringValue ?? "")
        {
            _ = ConsistencyProof(oldSize: UInt64(oldSize), newSize: checkpoint.size, hashes: hashes).verify(
                oldRoot: oldRoot, newRoot: checkpoint.root)
        }
        if let items = json["entries"]?.arrayValue, let operatorKey {
            let story = LotStory(
                note: note,
                entries: items.compactMap { item in
                    guard let seq = item["seq"]?.intValue, seq >= 0 else { return nil }
                    return LotStory.Item(
                        seq: UInt64(seq),
                        bytes: item["entryBytes"]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) },
                        path: (item["proof"]?.arrayValue ?? []).compactMap { try? Digest(hex: $0.stringValue ?? "") })
                })
            _ = LotVerifier.check(story, lot: json["lot"]?.stringValue ?? "", operatorKey: operatorKey)
        }
    }

    /// Inclusion and consistency checks on sizes and paths a hostile server chose: two sizes,
    /// then 32-byte hashes.
    static func proofArithmetic(_ bytes: [UInt8]) throws {
        guard bytes.count >= 16 else { return }
        func number(_ at: Int) -> UInt64 { bytes[at..<(at + 8)].reduce(0) { $0 << 8 | UInt64($1) } }
        let (a, b) = (number(0), number(8))
        var hashes: [Digest] = []
        var at = 16
        while at + 32 <= bytes.count, let hash = try? Digest(bytes: Array(bytes[at..<(at + 32)])) {
            hashes.append(hash)
            at += 32
        }
        let leaf = hashes.first ?? .zero
        let root = MerkleVerification.rootFromInclusionProof(
            index: a, size: b, leafHash: leaf, proof: Array(hashes.dropFirst()))
        if let root {
            try require(
                InclusionProof(index: a, treeSize: b, leafHash: leaf, hashes: Array(hashes.dropFirst())).verify(root: root),
                "an inclusion proof does not verify against the root it computes")
        }
        _ = ConsistencyProof(oldSize: a, newSize: b, hashes: hashes).verify(oldRoot: leaf, newRoot: root ?? leaf)
    }
}
