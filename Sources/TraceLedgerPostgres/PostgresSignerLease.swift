#if Postgres
    import Logging
    import NIOConcurrencyHelpers
    import NIOCore
    import NIOPosix
    import PostgresNIO
    public import TraceLedger

    /// The right to sign one PostgreSQL ledger's checkpoints: the session-level advisory lock
    /// `pg_try_advisory_lock(FNV-1a-64("trace.signer/" + schema))`, taken on a connection of its
    /// own and held until the process stops (or the connection drops: PostgreSQL then releases it,
    /// and another keyed process takes it). Never waited for: a process that finds it taken serves
    /// without signing and tries again later.
    /// @unchecked Sendable: `connection` and `held` are only touched under `lock`.
    public final class PostgresSignerLease: SignerLease, @unchecked Sendable {
        /// The ledger whose signing this lease guards.
        public let location: PostgresLocation
        /// The advisory lock's key.
        public let key: Int64
        private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        private let logger: Logger
        private let lock = NIOLock()
        private var connection: PostgresConnection?
        private var held = false

        init(location: PostgresLocation, logger: Logger) {
            self.location = location
            self.logger = logger
            key = PostgresLedgerStore.lockKey("trace.signer/", location)
        }

        deinit {
            try? connection?.close().wait()
            try? group.syncShutdownGracefully()
        }

        public func holdsOrTakes() -> Bool {
            lock.withLock {
                do {
                    if held, let connection {
                        // A statement answered on the lock's own session proves the session, and so the lock, is alive.
                        _ = try connection.query("SELECT 1", logger: logger).wait()
                        return true
                    }
                    let connection =
                        try self.connection ?? PostgresLedgerStore.connect(location, on: group.next(), logger: logger)
                    self.connection = connection
                    let rows = try connection.query(
                        PostgresQuery(unsafeSQL: "SELECT pg_try_advisory_lock($1)", binds: Self.bindings(key)), logger: logger
                    ).wait().rows
                    held = try rows.first?.decode(Bool.self) ?? false
                    return held
                } catch {
                    // The session is gone, and the lock with it: a new connection tries next time.
                    held = false
                    try? connection?.close().wait()
                    connection = nil
                    return false
                }
            }
        }

        public func leaderRuns() -> Bool {
            lock.withLock {
                if held { return true }
                do {
                    let connection =
                        try self.connection ?? PostgresLedgerStore.connect(location, on: group.next(), logger: logger)
                    self.connection = connection
                    // A bigint advisory key shows in pg_locks as its high and low 32 bits.
                    let bits = UInt64(bitPattern: key)
                    let rows = try connection.query(
                        PostgresQuery(
                            unsafeSQL: """
                                SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
                                    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                                    AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 1)
                                """, binds: Self.bindings(Int64(bits >> 32), Int64(bits & 0xffff_ffff))), logger: logger
                    ).wait().rows
                    return try rows.first?.decode(Bool.self) ?? false
                } catch {
                    try? connection?.close().wait()
                    connection = nil
                    return false
                }
            }
        }

        private static func bindings(_ values: Int64...) -> PostgresBindings {
            var bindings = PostgresBindings(capacity: values.count)
            for value in values { bindings.append(value) }
            return bindings
        }
    }
#endif
