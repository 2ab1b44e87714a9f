import GRDB
import Synchronization

/// The small integer each side-record space is stored under (store format 3), by name.
///
/// Every side record's key once began with its space's name as text, 14 to 24 bytes repeated in
/// each of the three index records an entry writes, about 47 bytes an entry; an integer is one.
/// Ids are only ever added (`side_spaces` rows are never changed or removed), so an id read from
/// a committed row holds for the life of the file, whichever process added it. An id added by a
/// transaction is shared only after that transaction commits: a rolled-back one must not leave
/// behind an id the file does not hold.
final class SideSpaceIDs: Sendable {
    private let committed = Mutex<[String: Int64]>([:])

    /// The id of `name` as committed, looked up in the file when not yet known here.
    func id(_ name: String, _ db: Database, pending: [String: Int64]) throws -> Int64? {
        if let id = committed.withLock({ $0[name] }) ?? pending[name] { return id }
        guard let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM side_spaces WHERE name = ?"), arguments: [name])
        else { return nil }
        // Not in `pending`, so not added by this transaction: the row is committed.
        committed.withLock { $0[name] = id }
        return id
    }

    /// The id of `name`, adding the space to the file (in the open transaction) when it has none.
    func idAdding(_ name: String, _ db: Database, pending: inout [String: Int64]) throws -> Int64 {
        if let id = try id(name, db, pending: pending) { return id }
        try db.cachedStatement(sql: "INSERT INTO side_spaces (name) VALUES (?)").execute(arguments: [name])
        let id = db.lastInsertedRowID
        pending[name] = id
        return id
    }

    /// Shares the ids a transaction added, once it has committed.
    func commit(_ added: [String: Int64]) {
        guard !added.isEmpty else { return }
        committed.withLock { $0.merge(added) { old, _ in old } }
    }
}
