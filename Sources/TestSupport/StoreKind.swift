import Foundation
public import TraceCrypto
public import TraceLedger
import TraceLedgerPostgres
import TraceLedgerSQLite
import TraceLedgerStores

/// Which ledger store a test runs on: the shared suites run on each, with the same assertions.
public enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The embedded default: a SQLite file in a scratch folder.
    case sqlite
    /// The reference store in memory.
    case memory
    /// PostgreSQL, in a schema of its own per store, on the server $TRACE_TEST_POSTGRES names
    /// (`tools/test` starts a throwaway one); left out of `allCases` when none is given.
    case postgres

    /// The stores the shared suites run on: PostgreSQL only where a test server is given and this
    /// build has the Postgres trait (otherwise a skip line on stderr says so, once).
    public static var allCases: [StoreKind] {
        postgresSkipNotice
        return postgresURL == nil ? [.sqlite, .memory] : [.sqlite, .memory, .postgres]
    }

    /// The test server's URL (`postgres://USER@HOST:PORT/DATABASE`), when PostgreSQL tests can run.
    public static let postgresURL: String? = {
        guard LedgerLocation.postgresAvailable, let url = ProcessInfo.processInfo.environment["TRACE_TEST_POSTGRES"],
            !url.isEmpty
        else { return nil }
        return url
    }()

    /// Why PostgreSQL cases are skipped, or nil when they run.
    public static let postgresSkipReason: String? = {
        if !LedgerLocation.postgresAvailable {
            return "PostgreSQL store tests skipped: built without the Postgres trait (tools/test builds with --traits Postgres)"
        }
        if postgresURL == nil { return "PostgreSQL store tests skipped: TRACE_TEST_POSTGRES is not set (tools/test sets it)" }
        return nil
    }()

    private static let postgresSkipNotice: Void = {
        if let reason = postgresSkipReason { FileHandle.standardError.write(Data(("note: " + reason + "\n").utf8)) }
    }()

    /// A fresh ledger location on the test server: a new schema, so every store starts empty.
    public static func newPostgresURL() -> String? {
        postgresURL.map { base in
            let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            return base + (base.contains("?") ? "&" : "?") + "schema=" + schema
        }
    }

    public var description: String { rawValue }

    /// A new, empty store of this kind (a file `trace.db` in `directory` for SQLite).
    public func makeStore(origin: String, operatorKey: VerifierKey, in directory: String) throws -> any LedgerStore {
        switch self {
        case .sqlite: return try SQLiteLedgerStore.create(path: directory + "/trace.db", origin: origin, operatorKey: operatorKey)
        case .memory: return MemoryLedgerStore(origin: origin, operatorKey: operatorKey)
        case .postgres:
            guard let url = Self.newPostgresURL() else {
                throw LedgerError(.store, Self.postgresSkipReason ?? "PostgreSQL store tests cannot run here")
            }
            return try LedgerLocation(url).createStore(origin: origin, operatorKey: operatorKey)
        }
    }

    /// The ledger opened afresh, as another process would: the SQLite file or the PostgreSQL
    /// schema again through a new connection, the same memory store.
    public func reopen(_ ledger: Ledger, in directory: String) throws -> Ledger {
        switch self {
        case .sqlite: return try Ledger(store: SQLiteLedgerStore.open(path: directory + "/trace.db"))
        case .memory: return try Ledger(store: ledger.store)
        case .postgres:
            #if Postgres
                guard let store = ledger.store as? PostgresLedgerStore else { return try Ledger(store: ledger.store) }
                return try Ledger(store: PostgresLedgerStore.open(at: store.location))
            #else
                return try Ledger(store: ledger.store)
            #endif
        }
    }

    /// The round trips a PostgreSQL store has waited for since it was opened; nil for other stores,
    /// whose reads are not round trips.
    public static func roundTrips(of store: any LedgerStore) -> Int? {
        #if Postgres
            (store as? PostgresLedgerStore)?.roundTrips
        #else
            nil
        #endif
    }

    /// A new ledger of this kind, with its genesis entry and first checkpoint.
    public func createLedger(origin: String, operatorKey: PrivateKey, in directory: String) throws -> Ledger {
        let vkey = try VerifierKey(name: origin, publicKey: operatorKey.publicKey)
        return try Ledger.create(in: makeStore(origin: origin, operatorKey: vkey, in: directory), operatorKey: operatorKey)
    }
}
