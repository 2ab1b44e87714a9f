extension LedgerError.Code {
    /// A checkpoint lacks cosignatures from enough of the witnesses a client requires.
    public static let witnessQuorum = Self(rawValue: "ledger.witness_quorum")
    /// A witness refused a checkpoint (not extending its last one, a bad proof, an unknown log).
    public static let witnessRefused = Self(rawValue: "ledger.witness_refused")
}
