public import TraceCrypto
public import TraceDomain
public import TraceLedger

/// What the certificate's live checks read from a ledger running now: a local file, the server's
/// own ledger, or a `trace serve` reached over the network. A remote one's answers are proofs
/// the checks verify; nothing it says is taken on trust.
public protocol LiveLedger {
    /// The latest checkpoint note the operator signed, and the RFC 9162 consistency proof from a
    /// tree of `oldSize` entries to it.
    func consistency(from oldSize: UInt64) throws -> (note: String, proof: [Digest])
    /// `party`'s keys as the ledger lists them now, and the ledger's size when they were read.
    func keys(of party: String) throws -> (keys: [KeyRecord], size: UInt64)
    /// `lot`'s story proved against the latest signed checkpoint and checked with `operatorKey`.
    func lotVerification(_ lot: String, operatorKey: VerifierKey) throws -> LotVerification
}

extension SupplyChain: LiveLedger {
    /// The consistency proof from `oldSize` to this ledger's latest signed checkpoint.
    public func consistency(from oldSize: UInt64) throws -> (note: String, proof: [Digest]) {
        guard let (current, note) = try ledger.latestCheckpoint() else {
            throw CertificateError(.notCheckpointed, "the ledger has no signed checkpoint yet")
        }
        let proof = current.size >= oldSize ? try ledger.consistencyProof(from: oldSize, to: current.size).hashes : []
        return (note, proof)
    }

    /// `party`'s keys as replayed in this ledger's state.
    public func keys(of party: String) throws -> (keys: [KeyRecord], size: UInt64) {
        (state.parties[party]?.keys ?? [], state.size)
    }

    /// `lot`'s story read from this ledger and checked as a buyer's `verify-lot` checks it.
    public func lotVerification(_ lot: String, operatorKey: VerifierKey) throws -> LotVerification {
        try LotVerifier(chain: self).verify(lot: lot, operatorKey: operatorKey)
    }
}
