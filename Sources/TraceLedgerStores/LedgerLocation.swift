public import TraceCrypto
public import TraceLedger
public import TraceLedgerPostgres
import TraceLedgerSQLite

/// Where a ledger lives, parsed once from a `--ledger` value (or $TRACE_LEDGER): a `postgres://`
/// URL names a PostgreSQL ledger, anything else a SQLite file.
public enum LedgerLocation: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case postgres(PostgresLocation)

    /// Parses a `--ledger` value; refuses a malformed `postgres://` URL.
    public init(_ value: String) throws {
        self = PostgresLocation.isURL(value) ? .postgres(try PostgresLocation(url: value)) : .file(value)
    }

    /// True when this build can open PostgreSQL ledgers (built with `--traits Postgres`).
    public static var postgresAvailable: Bool {
        #if Postgres
            true
        #else
            false
        #endif
    }

    public var description: String {
        switch self {
        case .file(let path): path
        case .postgres(let location): location.description
        }
    }

    /// Opens the existing ledger's store; `readOnly` refuses every write. `concurrentReads` asks
    /// for reads from several threads at once without queueing (a SQLite file then reads
    /// through a pool of connections; PostgreSQL always does).
    public func openStore(readOnly: Bool = false, concurrentReads: Bool = false) throws -> any LedgerStore {
        switch self {
        case .file(let path):
            return try SQLiteLedgerStore.open(path: path, readOnly: readOnly, concurrentReads: concurrentReads && !readOnly)
        case .postgres(let location):
            #if Postgres
                return try PostgresLedgerStore.open(at: location, readOnly: readOnly)
            #else
                throw Self.noPostgres(location)
            #endif
        }
    }

    /// Creates a new, empty store (no entries yet); refuses where a ledger exists.
    public func createStore(origin: String, operatorKey: VerifierKey) throws -> any LedgerStore {
        switch self {
        case .file(let path): return try SQLiteLedgerStore.create(path: path, origin: origin, operatorKey: operatorKey)
        case .postgres(let location):
            #if Postgres
                return try PostgresLedgerStore.create(at: location, origin: origin, operatorKey: operatorKey)
            #else
                throw Self.noPostgres(location)
            #endif
        }
    }

    static func noPostgres(_ location: PostgresLocation) -> LedgerError {
        LedgerError(
            .store,
            "\(location): this trace was built without PostgreSQL; build it with `swift build --traits Postgres`")
    }
}

extension Ledger {
    /// Opens the ledger at `location` (a file path or a `postgres://` URL).
    public convenience init(at location: LedgerLocation, readOnly: Bool = false) throws {
        try self.init(store: location.openStore(readOnly: readOnly))
    }

    /// Creates a ledger named `origin` at `location`, with its genesis entry and first checkpoint.
    public static func create(at location: LedgerLocation, origin: String, operatorKey: PrivateKey) throws -> Ledger {
        try checkNew(origin: origin, operatorKey: operatorKey)
        let vkey = try VerifierKey(name: origin, publicKey: operatorKey.publicKey)
        return try create(in: location.createStore(origin: origin, operatorKey: vkey), operatorKey: operatorKey)
    }
}
