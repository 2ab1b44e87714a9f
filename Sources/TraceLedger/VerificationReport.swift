public import TraceCrypto

/// What `Ledger.verify` found: the counts it checked and the first failure, if any.
public struct VerificationReport: Sendable {
    /// Entries read and checked.
    public let entries: UInt64
    /// Signatures checked (one per entry read before any failure).
    public let signatures: UInt64
    /// The root recomputed from the entries.
    public let root: Digest
    /// Checkpoints whose signature and root were checked.
    public let checkpointsChecked: Int
    /// The latest checkpoint, if the ledger has one.
    public let latestCheckpoint: Checkpoint?
    /// The first problem found; nil means the ledger verified.
    public let failure: LedgerError?
    /// What the caller's own check threw for the entry `failure` names, if that is what stopped it.
    public var refusal: (any Error)? = nil

    /// True when nothing failed.
    public var ok: Bool { failure == nil }
}
