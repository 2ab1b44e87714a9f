public import TraceCrypto
public import TraceLedger

extension Ledger {
    /// Opens the SQLite ledger at `path`; `readOnly` for commands that only read, which then
    /// work on read-only media and leave the file untouched.
    public convenience init(path: String, readOnly: Bool = false) throws {
        try self.init(store: SQLiteLedgerStore.open(path: path, readOnly: readOnly))
    }

    /// Creates a SQLite ledger named `origin` whose operator holds `operatorKey`, writing the
    /// genesis entry (signed by the operator) and a first checkpoint.
    public static func create(path: String, origin: String, operatorKey: PrivateKey) throws -> Ledger {
        try checkNew(origin: origin, operatorKey: operatorKey)
        let vkey = try VerifierKey(name: origin, publicKey: operatorKey.publicKey)
        return try create(in: SQLiteLedgerStore.create(path: path, origin: origin, operatorKey: vkey), operatorKey: operatorKey)
    }
}
