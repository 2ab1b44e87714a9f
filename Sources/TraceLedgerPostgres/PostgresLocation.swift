import Foundation
import TraceLedger

/// Where a PostgreSQL ledger lives, parsed once from a `--ledger` value of the form
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]`. Compiled in every build, so
/// a build without the Postgres trait can still recognise such a value and say what to do.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public let user: String
    public let password: String?
    public let host: String
    public let port: Int
    public let database: String
    /// The schema holding the ledger's tables (several ledgers may share one database); nil for `public`.
    public let schema: String?

    /// True when `value` names a PostgreSQL ledger rather than a file.
    public static func isURL(_ value: String) -> Bool {
        value.hasPrefix("postgres://") || value.hasPrefix("postgresql://")
    }

    /// Parses a `postgres://` URL; refuses one without a user, host or database, or with a schema
    /// name that is not a plain identifier (it is put into SQL as a name, never as a value).
    public init(url value: String) throws {
        func refuse(_ why: String) -> LedgerError {
            LedgerError(
                .noSuchLedger,
                "--ledger: \(Self.redacted(value)) is not a PostgreSQL ledger URL: \(why) "
                    + "(expected postgres://USER@HOST:PORT/DATABASE[?schema=NAME])")
        }
        guard Self.isURL(value), let parts = URLComponents(string: value) else { throw refuse("it does not parse") }
        guard let user = parts.user, !user.isEmpty else { throw refuse("no user") }
        guard let host = parts.host, !host.isEmpty else { throw refuse("no host") }
        let database = String(parts.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw refuse("no database name after the host") }
        var schema: String?
        for item in parts.queryItems ?? [] {
            guard item.name == "schema", let name = item.value else { throw refuse("unknown option \(item.name)") }
            guard Self.isIdentifier(name) else {
                throw refuse("schema \(name) must be lower-case letters, digits and _, starting with a letter")
            }
            schema = name
        }
        self.user = user
        self.password = parts.password
        self.host = host
        self.port = parts.port ?? 5432
        self.database = database
        self.schema = schema
    }

    /// The URL without its password, for messages.
    public var description: String {
        "postgres://\(user)@\(host):\(port)/\(database)" + (schema.map { "?schema=\($0)" } ?? "")
    }

    /// A name for files kept beside the ledger (the operator key, its signer state): the database
    /// and schema, since a URL has no folder.
    public var localName: String { database + (schema.map { "-" + $0 } ?? "") }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.unicodeScalars.count <= 63 else {
            return false
        }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    static func redacted(_ value: String) -> String {
        guard var parts = URLComponents(string: value), parts.password != nil else { return value }
        parts.password = "***"
        return parts.string ?? value
    }
}
