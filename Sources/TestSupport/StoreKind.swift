public import TraceCrypto
public import TraceLedger
import TraceLedgerSQLite

/// Which ledger store a test runs on: the shared suites run on each, with the same assertions.
public enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The embedded default: a SQLite file in a scratch folder.
    case sqlite
    /// The reference store in memory.
    case memory

    public var description: String { rawValue }

    /// A new, empty store of this kind (a file `trace.db` in `directory` for SQLite).
    public func makeStore(origin: String, operatorKey: VerifierKey, in directory: String) throws -> any LedgerStore {
        switch self {
        case .sqlite: try SQLiteLedgerStore.create(path: directory + "/trace.db", origin: origin, operatorKey: operatorKey)
        case .memory: MemoryLedgerStore(origin: origin, operatorKey: operatorKey)
        }
    }

    /// A new ledger of this kind, with its genesis entry and first checkpoint.
    public func createLedger(origin: String, operatorKey: PrivateKey, in directory: String) throws -> Ledger {
        let vkey = try VerifierKey(name: origin, publicKey: operatorKey.publicKey)
        return try Ledger.create(in: makeStore(origin: origin, operatorKey: vkey, in: directory), operatorKey: operatorKey)
    }
}
