#if Postgres
    import Logging
    import NIOConcurrencyHelpers
    import NIOCore
    import NIOPosix
    import PostgresNIO
    public import TraceCrypto
    public import TraceLedger

    /// A ledger kept in PostgreSQL, through postgres-nio: the same tables, refusals and side records
    /// as the SQLite store, for several processes (CLIs, servers) writing one ledger.
    ///
    /// The seam is synchronous and postgres-nio is asynchronous, so the bridge is deliberate: each
    /// store runs its own one-thread event loop group, and every call blocks the calling thread on
    /// an `EventLoopFuture` until that loop has the answer. This is safe because the caller is never
    /// one of those loops (nor, in the server, one of Hummingbird's: it calls the store off its
    /// loops), and it avoids Swift's cooperative pool, which blocking could starve. One connection
    /// per store, one statement at a time (a lock), as GRDB's queue does for SQLite.
    ///
    /// Writes are serialized across processes by a transaction-scoped advisory lock taken first in
    /// every write transaction, so size, prev and Merkle nodes are read after the previous writer
    /// committed: many writers, one order.
    public final class PostgresLedgerStore: LedgerStore {
        /// The store format this code writes: format 2's tables, side records keyed by their space's
        /// name (the SQLite store moved to format 3, keying them by an integer id; this schema did not).
        public static let formatVersion = 2

        /// Where the ledger lives.
        public let location: PostgresLocation
        public let isReadOnly: Bool
        private let group: MultiThreadedEventLoopGroup
        private let connection: PostgresConnection
        private let logger: Logger
        private let lock = NIOLock()
        private let meta: LedgerMetadata
        /// The advisory lock that serializes writers of this ledger (one per schema).
        private let writerLock: Int64
        private let waits = NIOLockedValueBox(0)

        /// How many round trips this store's reads and writes have waited for since it was opened:
        /// what a story's cost is counted in on a server one loopback (or network) hop away.
        public var roundTrips: Int { waits.withLockedValue { $0 } }

        private init(location: PostgresLocation, readOnly: Bool, creating new: (origin: String, key: VerifierKey)?) throws {
            self.location = location
            self.isReadOnly = readOnly
            var logger = Logger(label: "trace.postgres")
            logger.logLevel = .critical
            self.logger = logger
            writerLock = Self.lockKey("trace.ledger/", location)
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let connection: PostgresConnection
            do {
                connection = try Self.connect(location, on: group.next(), logger: logger)
            } catch {
                try? group.syncShutdownGracefully()
                throw error
            }
            let session = Session(connection: connection, logger: logger, location: location)
            do {
                meta = try Self.mapErrors(location) {
                    if let schema = location.schema {
                        if new != nil { try session.execute("CREATE SCHEMA IF NOT EXISTS \(schema)") }
                        try session.execute("SET search_path TO \(schema)")
                    }
                    if let new {
                        try Self.createTables(
                            session, origin: new.origin, operatorKey: new.key, lock: Self.lockKey("trace.ledger/", location))
                    }
                    return try Self.loadMetadata(session)
                }
            } catch {
                try? connection.close().wait()
                try? group.syncShutdownGracefully()
                throw error
            }
            self.group = group
            self.connection = connection
        }

        deinit {
            try? connection.close().wait()
            try? group.syncShutdownGracefully()
        }

        /// Creates a new ledger's tables at `location`; refuses if that database (or schema) holds one.
        public static func create(at location: PostgresLocation, origin: String, operatorKey: VerifierKey) throws
            -> PostgresLedgerStore
        {
            try PostgresLedgerStore(location: location, readOnly: false, creating: (origin, operatorKey))
        }

        /// Opens the ledger at `location`, checking its format; `readOnly` refuses every write.
        public static func open(at location: PostgresLocation, readOnly: Bool = false) throws -> PostgresLedgerStore {
            try PostgresLedgerStore(location: location, readOnly: readOnly, creating: nil)
        }

        public func metadata() throws -> LedgerMetadata { meta }

        public func read<T>(_ body: (any LedgerReader) throws -> T) throws -> T {
            try lock.withLock {
                try Self.mapErrors(location) {
                    let session = Session(connection: connection, logger: logger, location: location)
                    defer { waits.withLockedValue { $0 += session.waits } }
                    // One snapshot for the whole read, as SQLite's read transaction gives.
                    try session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    do {
                        let result = try body(Access(session, writing: false))
                        try session.execute("COMMIT")
                        return result
                    } catch {
                        try? session.execute("ROLLBACK")
                        throw error
                    }
                }
            }
        }

        public func write<T>(_ body: (any LedgerWriter) throws -> T) throws -> T {
            guard !isReadOnly else { throw LedgerError(.store, "store: the ledger is open for reading only") }
            return try lock.withLock {
                try Self.mapErrors(location) {
                    let session = Session(connection: connection, logger: logger, location: location)
                    defer { waits.withLockedValue { $0 += session.waits } }
                    // Sent without waiting: the first read waits for them too. Read committed: every
                    // statement after the lock sees what the last writer committed.
                    session.send("BEGIN")
                    session.send("SELECT pg_advisory_xact_lock($1)", [writerLock])
                    do {
                        let access = Access(session, writing: true)
                        let result = try body(access)
                        // The buffered rows and COMMIT in one wait; COMMIT rolls back if the rows failed.
                        try access.flush(thenCommit: true)
                        return result
                    } catch {
                        try? session.execute("ROLLBACK")
                        throw error
                    }
                }
            }
        }

        /// Rewrites the side records' table, so removed records (erased personal data) leave no dead
        /// row versions in its files. PostgreSQL's write-ahead log keeps them until it is recycled.
        public func scrub() throws {
            try lock.withLock {
                try Self.mapErrors(location) {
                    try Session(connection: connection, logger: logger, location: location).execute("VACUUM (FULL) side_records")
                }
            }
        }

        /// A lease on signing this ledger's checkpoints: one process of all that share the database holds it.
        public func signerLease() throws -> (any SignerLease)? {
            PostgresSignerLease(location: location, logger: logger)
        }

        /// A new connection to `location`'s database.
        static func connect(_ location: PostgresLocation, on loop: any EventLoop, logger: Logger) throws -> PostgresConnection {
            let configuration = PostgresConnection.Configuration(
                host: location.host, port: location.port, username: location.user, password: location.password,
                database: location.database, tls: .disable)
            return try mapErrors(location) {
                try PostgresConnection.connect(on: loop, configuration: configuration, id: 1, logger: logger).wait()
            }
        }

        /// One advisory lock key per ledger and purpose: `tag` (`trace.ledger/` for writers,
        /// `trace.signer/` for the signer) and the schema's name, hashed with FNV-1a 64.
        static func lockKey(_ tag: String, _ location: PostgresLocation) -> Int64 {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in (tag + (location.schema ?? "public")).utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            return Int64(bitPattern: hash)
        }

        static func createTables(_ session: Session, origin: String, operatorKey: VerifierKey, lock: Int64) throws {
            try session.execute("BEGIN")
            do {
                try session.execute("SELECT pg_advisory_xact_lock($1)", [lock])
                let exists = try session.query("SELECT to_regclass('meta') IS NOT NULL")[0].decode(Bool.self)
                guard !exists else {
                    throw LedgerError(
                        .ledgerExists, "a ledger already exists at \(session.location); choose another database or ?schema=")
                }
                for statement in PostgresSchema.statements { try session.execute(statement) }
                for (key, value) in [
                    ("origin", origin), ("operator_key", operatorKey.description), ("format", String(formatVersion)),
                ] {
                    try session.execute("INSERT INTO meta (key, value) VALUES ($1, $2)", [key, value])
                }
                try session.execute("COMMIT")
            } catch {
                try? session.execute("ROLLBACK")
                throw error
            }
        }

        static func loadMetadata(_ session: Session) throws -> LedgerMetadata {
            guard try session.query("SELECT to_regclass('meta') IS NOT NULL")[0].decode(Bool.self) else {
                throw LedgerError(
                    .noSuchLedger,
                    "no ledger at \(session.location); create one with `trace init --origin NAME --ledger \(session.location)`")
            }
            var values: [String: String] = [:]
            for row in try session.query("SELECT key, value FROM meta") {
                let (key, value) = try row.decode((String, String).self)
                values[key] = value
            }
            guard let origin = values["origin"], let key = values["operator_key"], let format = values["format"].flatMap(Int.init)
            else { throw LedgerError(.store, "\(session.location): the ledger's metadata is incomplete") }
            guard format <= formatVersion else {
                throw LedgerError(
                    .newerFormat,
                    "\(session.location) has ledger format \(format), newer than this trace understands (\(formatVersion)); upgrade trace"
                )
            }
            return LedgerMetadata(origin: origin, operatorKey: try VerifierKey(key), formatVersion: format)
        }

        /// Turns postgres-nio's errors into ledger errors, keeping the server's own words (a trigger's
        /// refusal among them); every other error passes through as it is.
        static func mapErrors<T>(_ location: PostgresLocation, _ body: () throws -> T) throws -> T {
            do { return try body() } catch let error as PSQLError {
                guard let info = error.serverInfo else {
                    throw LedgerError(.store, "store: PostgreSQL at \(location): \(error.code) (is the server running there?)")
                }
                let message = info[.message] ?? "\(error.code)"
                // 53100 disk_full: the store's fault, not the input's, as SQLite's SQLITE_FULL.
                if info[.sqlState] == "53100" {
                    throw LedgerError(
                        .storeFull,
                        "store: the disk holding the ledger is full (\(message)); nothing was written. Free space and run the command again"
                    )
                }
                throw LedgerError(.store, "store: \(message)")
            }
        }

    }
#endif
