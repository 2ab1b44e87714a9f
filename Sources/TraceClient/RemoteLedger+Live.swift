import CanonicalJSON
import Foundation
public import TraceCertificates
public import TraceCrypto
public import TraceDomain
public import TraceLedger

/// A server as the certificate's live ledger: its answers are proofs, judged by
/// `CertificateVerifier.liveChecks` against the operator key the buyer trusts.
extension RemoteLedger: LiveLedger {
    /// The server's latest signed checkpoint and the consistency proof to it from `oldSize`, in one answer.
    public func consistency(from oldSize: UInt64) throws -> (note: String, proof: [Digest]) {
        let answer = try json("/v1/proofs/consistency?from=\(oldSize)")
        guard let note = answer["checkpoint"]?.stringValue,
            let hashes = try? (answer["proof"]?.arrayValue ?? []).map({ try Digest(hex: $0.stringValue ?? "") })
        else { throw RemoteError(.unreadable, "the consistency proof the server sent is not readable") }
        return (note, hashes)
    }

    /// `party`'s keys as the server lists them, and the size of its latest checkpoint.
    public func keys(of party: String) throws -> (keys: [KeyRecord], size: UInt64) {
        let keys = try (json("/v1/parties/\(Self.segment(party))")["keys"]?.arrayValue ?? []).map { k -> KeyRecord in
            // A key whose end cannot be read is refused, never taken as still current.
            guard let vkey = k["vkey"]?.stringValue, let from = k["fromEntry"]?.intValue, from >= 0,
                k["untilEntry"] == .null || (k["untilEntry"]?.intValue ?? -1) >= 0
            else { throw RemoteError(.unreadable, "the server's record of \(party)'s keys is not readable") }
            return KeyRecord(vkey: vkey, from: UInt64(from), until: k["untilEntry"]?.intValue.map { UInt64($0) })
        }
        return (keys, try Self.checkpoint(try text("/v1/checkpoint")).size)
    }

    /// `lot`'s story as the server sends it, checked here against `operatorKey`.
    public func lotVerification(_ lot: String, operatorKey: VerifierKey) throws -> LotVerification {
        let story = try Self.story(try json("/v1/lots/" + Self.segment(lot) + "/story"))
        return LotVerifier.check(story, lot: lot, operatorKey: operatorKey)
    }
}
