import Foundation
import GRDB
public import TraceLedger

/// A replay's scratch space in SQLite's private temporary file: deleted when closed, even by a
/// crash, and written without a journal or syncs, since nothing in it needs to survive.
public final class SQLiteScratch: ScratchSpace {
    private let queue: DatabaseQueue

    /// A new, empty temporary file.
    public init() throws {
        var config = Configuration()
        config.prepareDatabase { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = OFF")
            try db.execute(sql: "PRAGMA synchronous = OFF")
        }
        do {
            // An empty path is SQLite's private temporary file, removed when the connection closes.
            queue = try DatabaseQueue(path: "", configuration: config)
            try queue.write {
                try $0.execute(
                    sql:
                        "CREATE TABLE records (kind INTEGER NOT NULL, key TEXT NOT NULL, record BLOB NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID"
                )
            }
        } catch {
            throw LedgerError(.store, "cannot create the replay's temporary file: \(error)")
        }
    }

    public func put(_ records: [(kind: Int, key: String, value: [UInt8])]) throws {
        try queue.inTransaction { db in
            let put = try db.cachedStatement(sql: "INSERT OR REPLACE INTO records (kind, key, record) VALUES (?, ?, ?)")
            for record in records { try put.execute(arguments: [record.kind, record.key, Data(record.value)]) }
            return .commit
        }
    }

    public func get(kind: Int, key: String) throws -> [UInt8]? {
        try queue.inDatabase { db in
            try Data.fetchOne(
                db.cachedStatement(sql: "SELECT record FROM records WHERE kind = ? AND key = ?"), arguments: [kind, key]
            ).map { [UInt8]($0) }
        }
    }
}
