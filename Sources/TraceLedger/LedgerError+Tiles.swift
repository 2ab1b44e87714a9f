extension LedgerError.Code {
    /// An entry too large for a tile's entry bundle (its length is a 16-bit number).
    public static let entryTooLarge = LedgerError.Code(rawValue: "ledger.entry_too_large")
    /// A stored inner Merkle node that does not match the entries below it.
    public static let nodeChanged = LedgerError.Code(rawValue: "ledger.node_changed")
    /// Signing would give a second checkpoint for a size already signed, or one that does not
    /// extend the last signed one: the store was rolled back or rewritten.
    public static let fork = LedgerError.Code(rawValue: "ledger.fork")
    /// The ledger holds fewer entries than a checkpoint already signed or given covers.
    public static let behind = LedgerError.Code(rawValue: "ledger.behind")
    /// The signer's record of its last checkpoint cannot be read or written.
    public static let signerState = LedgerError.Code(rawValue: "ledger.signer_state")
}
