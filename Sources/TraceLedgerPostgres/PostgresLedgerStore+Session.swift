#if Postgres
    import Logging
    import NIOCore
    import PostgresNIO

    extension PostgresLedgerStore {
        /// One connection's statements for one transaction. postgres-nio runs a connection's
        /// statements in the order they were sent, so a statement whose answer is not needed yet
        /// (BEGIN, the lock, the rows before COMMIT) is sent without waiting, and the next wait
        /// collects it: the caller's thread waits once for several statements.
        final class Session {
            let connection: PostgresConnection
            let logger: Logger
            let location: PostgresLocation
            private var unanswered: [EventLoopFuture<PostgresQueryResult>] = []
            /// How many times the caller's thread waited for the server: the round trips.
            private(set) var waits = 0

            init(connection: PostgresConnection, logger: Logger, location: PostgresLocation) {
                self.connection = connection
                self.logger = logger
                self.location = location
            }

            /// Sends a statement without waiting for its answer; the next `query` reports its failure.
            func send(_ sql: String, _ binds: [any PostgresThrowingDynamicTypeEncodable] = []) {
                do {
                    var bindings = PostgresBindings(capacity: binds.count)
                    for bind in binds { try bindings.append(bind) }
                    unanswered.append(connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger))
                } catch {
                    unanswered.append(connection.eventLoop.makeFailedFuture(error))
                }
            }

            /// Sends a statement and waits for it and for every statement sent before it; the
            /// first failure among them is the one thrown (later ones only say the transaction aborted).
            func query(_ sql: String, _ binds: [any PostgresThrowingDynamicTypeEncodable] = []) throws -> [PostgresRow] {
                send(sql, binds)
                waits += 1
                let waiting = unanswered
                unanswered = []
                var firstFailure: (any Error)?
                var last: [PostgresRow] = []
                for future in waiting {
                    do { last = try future.wait().rows } catch { firstFailure = firstFailure ?? error }
                }
                if let firstFailure { throw firstFailure }
                return last
            }

            func execute(_ sql: String, _ binds: [any PostgresThrowingDynamicTypeEncodable] = []) throws {
                _ = try query(sql, binds)
            }
        }
    }
#endif
