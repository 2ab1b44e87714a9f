/// A refusal or failure in the ledger layer: a stable code, a message a clerk can act on,
/// and the entry it concerns when there is one.
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable reason; new codes may be added.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let badEvent = Code(rawValue: "ledger.bad_event")
        public static let badSignature = Code(rawValue: "ledger.bad_signature")
        public static let eventIDConflict = Code(rawValue: "ledger.event_id_conflict")
        public static let badEntry = Code(rawValue: "ledger.bad_entry")
        public static let chainBroken = Code(rawValue: "ledger.chain_broken")
        public static let entryMissing = Code(rawValue: "ledger.entry_missing")
        public static let entryChanged = Code(rawValue: "ledger.entry_changed")
        public static let rootMismatch = Code(rawValue: "ledger.root_mismatch")
        public static let badCheckpoint = Code(rawValue: "ledger.bad_checkpoint")
        public static let badNote = Code(rawValue: "ledger.bad_note")
        public static let badProof = Code(rawValue: "ledger.bad_proof")
        public static let outOfRange = Code(rawValue: "ledger.out_of_range")
        public static let noSuchLedger = Code(rawValue: "ledger.no_such_ledger")
        public static let ledgerExists = Code(rawValue: "ledger.exists")
        public static let newerFormat = Code(rawValue: "ledger.newer_format")
        public static let store = Code(rawValue: "ledger.store")
        public static let refused = Code(rawValue: "ledger.refused")
        /// The store could not be written for lack of space (SQLITE_FULL, ENOSPC); nothing was written.
        public static let storeFull = Code(rawValue: "ledger.store_full")
    }

    public let code: Code
    public let message: String
    /// The sequence number of the entry concerned, if any.
    public let entry: UInt64?

    public init(_ code: Code, _ message: String, entry: UInt64? = nil) {
        self.code = code
        self.message = message
        self.entry = entry
    }

    public var description: String { message }
}
