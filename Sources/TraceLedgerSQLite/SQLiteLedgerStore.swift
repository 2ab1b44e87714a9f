import Foundation
import GRDB
import Synchronization
public import TraceCrypto
public import TraceLedger

/// The embedded default store: one SQLite file in WAL mode, through GRDB.
///
/// Append-only is enforced by the schema as well as the code: triggers refuse UPDATE and
/// DELETE on entries, Merkle nodes and checkpoints, and refuse an entry whose seq is not the
/// next one. Every write transaction is BEGIN IMMEDIATE with synchronous=FULL, so a batch is
/// durable when `write` returns and a crash leaves either all of it or none of it.
public final class SQLiteLedgerStore: LedgerStore {
    /// The store format this code writes; a newer file is refused rather than misread, an
    /// older one is migrated when opened for writing (`SQLiteMigration`).
    public static let formatVersion = 3

    /// A queue (one connection) or, for `concurrentReads`, a pool: a server's size probe is
    /// asked on every request, and one connection made requests queue behind each other.
    private let queue: any DatabaseWriter
    private let spaceIDs = SideSpaceIDs()
    public let path: String
    /// True when opened with `open(path:readOnly:)` set: every write fails, and nothing is
    /// created or changed beside the file.
    public let readOnly: Bool
    public var isReadOnly: Bool { readOnly }
    /// The file's format version as opened (an older read-only file is read as it is).
    public let version: Int
    /// True when the file as opened keeps side records (format 2 and later): a format-1 file
    /// opened read-only is read without them.
    public var hasSideRecords: Bool { version >= 2 }

    private init(path: String, queue: any DatabaseWriter, readOnly: Bool = false, version: Int = formatVersion) {
        self.path = path
        self.queue = queue
        self.readOnly = readOnly
        self.version = version
    }

    private static func configuration() -> Configuration {
        var config = Configuration()
        config.prepareDatabase { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Removed side records (erased personal data) are overwritten, not just unlinked.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // The log otherwise keeps the size of the largest transaction since it was last reset
            // (about 10 MB for a batch of 10,000 events, 43 MB after a 1M-entry benchmark): cut it
            // back to 4 MiB whenever a checkpoint empties it.
            _ = try Int.fetchOne(db, sql: "PRAGMA journal_size_limit = 4194304")
        }
        config.busyMode = .timeout(10)
        return config
    }

    /// Creates a new ledger file; refuses if one exists at `path`.
    public static func create(path: String, origin: String, operatorKey: VerifierKey) throws -> SQLiteLedgerStore {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw LedgerError(.ledgerExists, "a ledger already exists at \(path); choose another --ledger path")
        }
        return try mapErrors(path: path) {
            let queue = try DatabaseQueue(path: path, configuration: configuration())
            try queue.write { db in
                try db.execute(sql: Schema.ledger)
                try db.execute(sql: Schema.sideRecords)
                try db.execute(
                    sql: "INSERT INTO meta (key, value) VALUES ('origin', ?), ('operator_key', ?), ('format', ?)",
                    arguments: [origin, operatorKey.description, String(formatVersion)])
                try db.execute(sql: "PRAGMA user_version = \(formatVersion)")
            }
            return SQLiteLedgerStore(path: path, queue: queue)
        }
    }

    /// Opens an existing ledger, checking its format version. `readOnly` opens it for reading
    /// only, so that an auditor's copy on read-only media (or one that must stay byte-for-byte
    /// as received) can be checked. `concurrentReads` reads through a pool of connections, each
    /// read its own snapshot, so that readers on several threads do not wait for each other.
    public static func open(path: String, readOnly: Bool = false, concurrentReads: Bool = false) throws -> SQLiteLedgerStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LedgerError(
                .noSuchLedger, "no ledger at \(path); create one with `trace init --origin NAME` or pass --ledger PATH")
        }
        return try mapErrors(path: path) {
            let queue: any DatabaseWriter
            if readOnly {
                var config = Configuration()
                config.readonly = true
                config.busyMode = .timeout(10)
                queue = try DatabaseQueue(path: readOnlyLocation(path), configuration: config)
            } else if concurrentReads {
                queue = try DatabasePool(path: path, configuration: configuration())
            } else {
                queue = try DatabaseQueue(path: path, configuration: configuration())
            }
            let version = try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
            guard version != 0 else {
                throw LedgerError(.noSuchLedger, "\(path) is not a trace ledger (no format version)")
            }
            guard version <= formatVersion else {
                throw LedgerError(
                    .newerFormat,
                    "\(path) has ledger format \(version), newer than this trace understands (\(formatVersion)); upgrade trace")
            }
            if version < formatVersion, !readOnly {
                try queue.write { db in try SQLiteMigration.migrate(db, from: version) }
                return SQLiteLedgerStore(path: path, queue: queue)
            }
            return SQLiteLedgerStore(path: path, queue: queue, readOnly: readOnly, version: version)
        }
    }

    /// Where a read-only connection opens `path`. A WAL-mode file with no `-wal` beside it was
    /// closed cleanly and is open nowhere (the last connection to close removes the log): it is
    /// opened immutable, so SQLite creates no `-wal` or `-shm` beside it (it would otherwise,
    /// even for reading, and cannot at all on read-only media). A file that is in use keeps the
    /// ordinary shared locking. (A writer that opens an immutable-opened file during the read
    /// is not locked out; read-only commands are meant for a quiet file or an auditor's copy.)
    static func readOnlyLocation(_ path: String) -> String {
        guard !FileManager.default.fileExists(atPath: path + "-wal") else { return path }
        var escaped = ""
        for character in path.unicodeScalars {
            switch character {
            case "%": escaped += "%25"
            case "?": escaped += "%3f"
            case "#": escaped += "%23"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return "file:\(escaped)?mode=ro&immutable=1"
    }

    public func metadata() throws -> LedgerMetadata {
        try Self.mapErrors(path: path) {
            try queue.read { db in
                var values: [String: String] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT key, value FROM meta") { values[row["key"]] = row["value"] }
                guard let origin = values["origin"], let key = values["operator_key"],
                    let format = values["format"].flatMap(Int.init)
                else { throw LedgerError(.store, "\(path): the ledger's metadata is incomplete") }
                return LedgerMetadata(origin: origin, operatorKey: try VerifierKey(key), formatVersion: format)
            }
        }
    }

    public func read<T>(_ body: (any LedgerReader) throws -> T) throws -> T {
        try Self.mapErrors(path: path) {
            try queue.read { db in try body(Access(db: db, version: version, spaceIDs: spaceIDs)) }
        }
    }

    public func write<T>(_ body: (any LedgerWriter) throws -> T) throws -> T {
        try Self.mapErrors(path: path) {
            try queue.writeWithoutTransaction { db in
                var result: T?
                let access = Access(db: db, version: version, spaceIDs: spaceIDs)
                try db.inTransaction(.immediate) {
                    result = try body(access)
                    return .commit
                }
                spaceIDs.commit(access.addedSpaces)
                return result!
            }
        }
    }

    public func makeScratch() throws -> any ScratchSpace { try SQLiteScratch() }

    /// Copies the write-ahead log into the database and empties it, so that data deleted with
    /// secure_delete leaves no old page copies behind in `-wal`.
    public func scrub() throws {
        try Self.mapErrors(path: path) { try queue.writeWithoutTransaction { _ = try $0.checkpoint(.truncate) } }
    }

    /// Turns GRDB's errors into ledger errors; a trigger's refusal keeps its own words.
    static func mapErrors<T>(path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DatabaseError {
            // A full disk is the store's fault, not the input's: its own code (exit 3, HTTP 507).
            // SQLite says SQLITE_FULL, or only "disk I/O error" when the log or its index could
            // not grow, so an I/O error on a disk with (almost) no space left counts as full too.
            if error.resultCode == .SQLITE_FULL || (error.resultCode == .SQLITE_IOERR && diskIsFull(under: path)) {
                throw LedgerError(
                    .storeFull,
                    "store: the disk holding the ledger is full (\(error.message ?? "SQLITE_FULL")); nothing was written. "
                        + "Free space and run the command again")
            }
            throw LedgerError(.store, "store: \(error.message ?? "\(error.resultCode)")")
        }
    }

    /// True when the file system holding `path` has less than 1 MiB left for this process.
    static func diskIsFull(under path: String) -> Bool {
        let folder = (path as NSString).deletingLastPathComponent
        var info = statvfs()
        guard statvfs(folder.isEmpty ? "." : folder, &info) == 0 else { return false }
        // Root may write into the blocks reserved for it; others may not.
        let blocks = geteuid() == 0 ? UInt64(info.f_bfree) : UInt64(info.f_bavail)
        return blocks * UInt64(info.f_frsize) < 1 << 20
    }

    /// One snapshot or transaction's view, reading through cached prepared statements.
    final class Access: LedgerWriter {
        let db: Database
        /// The file's format: a format-1 file read as it is has no side records, and a format-2
        /// one keeps each record's space as text.
        let version: Int
        private let spaceIDs: SideSpaceIDs
        /// Spaces this transaction added to `side_spaces`, shared with the store once it commits.
        private(set) var addedSpaces: [String: Int64] = [:]
        /// Spaces this snapshot or transaction found absent: an index read of an empty space (no
        /// recalls yet) would otherwise look its name up every time.
        private var absentSpaces: Set<String> = []
        private(set) var nodeReads = 0

        init(db: Database, version: Int, spaceIDs: SideSpaceIDs) {
            self.db = db
            self.version = version
            self.spaceIDs = spaceIDs
        }

        /// The space's stored key: its integer id (format 3), or its name (a format-2 file read as
        /// it is); nil when a format-3 file has no record in the space yet.
        private func storedSpace(_ space: SideSpace) throws -> (any DatabaseValueConvertible)? {
            guard version >= 3 else { return space.name }
            if addedSpaces[space.name] == nil, absentSpaces.contains(space.name) { return nil }
            guard let id = try spaceIDs.id(space.name, db, pending: addedSpaces) else {
                absentSpaces.insert(space.name)
                return nil
            }
            return id
        }

        func size() throws -> UInt64 {
            return UInt64(try Int64.fetchOne(db.cachedStatement(sql: "SELECT IFNULL(MAX(seq) + 1, 0) FROM entries")) ?? 0)
        }

        func entryBytes(_ seq: UInt64) throws -> [UInt8]? {
            let stmt = try db.cachedStatement(sql: "SELECT bytes FROM entries WHERE seq = ?")
            return try Data.fetchOne(stmt, arguments: [Int64(clamping: seq)]).map { [UInt8]($0) }
        }

        func entries(from: UInt64, limit: Int) throws -> [(seq: UInt64, bytes: [UInt8])] {
            let stmt = try db.cachedStatement(sql: "SELECT seq, bytes FROM entries WHERE seq >= ? ORDER BY seq LIMIT ?")
            var out: [(UInt64, [UInt8])] = []
            out.reserveCapacity(limit)
            let rows = try Row.fetchCursor(stmt, arguments: [Int64(clamping: from), limit])
            while let row = try rows.next() {
                let seq: Int64 = row[0]
                let bytes: Data = row[1]
                out.append((UInt64(seq), [UInt8](bytes)))
            }
            return out
        }

        func leafHashes(from: UInt64, limit: Int) throws -> [Digest?] {
            try nodes(level: 0, from: from, limit: limit)
        }

        func nodes(level: Int, from: UInt64, limit: Int) throws -> [Digest?] {
            let stmt = try db.cachedStatement(sql: "SELECT id, hash FROM merkle_nodes WHERE id >= ? AND id < ? ORDER BY id")
            let start = Schema.nodeID(level: level, index: from)
            var out = [Digest?](repeating: nil, count: limit)
            let rows = try Row.fetchCursor(stmt, arguments: [start, start + Int64(limit)])
            while let row = try rows.next() {
                let id: Int64 = row[0]
                let hash: Data = row[1]
                out[Int(id - start)] = try? Digest(bytes: [UInt8](hash))
            }
            return out
        }

        func seq(forEventID id: String) throws -> UInt64? {
            guard version >= 3 else {
                let stmt = try db.cachedStatement(sql: "SELECT seq FROM entries WHERE event_id = ?")
                return try Int64.fetchOne(stmt, arguments: [id]).map(UInt64.init)
            }
            let stmt = try db.cachedStatement(sql: "SELECT seq FROM entries WHERE event_key = ?")
            return try Int64.fetchOne(stmt, arguments: [Schema.eventKey(id)]).map(UInt64.init)
        }

        func checkpoints() throws -> [StoredCheckpoint] {
            try Row.fetchAll(db, sql: "SELECT size, note FROM checkpoints ORDER BY size").map {
                StoredCheckpoint(size: UInt64($0["size"] as Int64), note: $0["note"])
            }
        }

        // A long-running server signs a checkpoint per write: look one up by its key, not by a scan.
        func checkpoint(size: UInt64?) throws -> StoredCheckpoint? {
            let row: Row?
            if let size {
                row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT size, note FROM checkpoints WHERE size = ?"),
                    arguments: [Int64(clamping: size)])
            } else {
                row = try Row.fetchOne(db.cachedStatement(sql: "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1"))
            }
            return row.map { StoredCheckpoint(size: UInt64($0["size"] as Int64), note: $0["note"]) }
        }

        func node(level: Int, index: UInt64) throws -> Digest {
            nodeReads += 1
            let stmt = try db.cachedStatement(sql: "SELECT hash FROM merkle_nodes WHERE id = ?")
            guard let data = try Data.fetchOne(stmt, arguments: [Schema.nodeID(level: level, index: index)]) else {
                throw LedgerError(.store, "Merkle node at level \(level), index \(index) is missing from the store")
            }
            return try Digest(bytes: [UInt8](data))
        }

        func append(_ entry: Entry, nodes: [MerkleAccumulator.Node]) throws {
            let insertEntry = try db.cachedStatement(sql: "INSERT INTO entries (seq, event_key, bytes) VALUES (?, ?, ?)")
            try insertEntry.execute(arguments: [Int64(entry.seq), Schema.eventKey(entry.signed.id), Data(entry.bytes)])
            let insertNode = try db.cachedStatement(sql: "INSERT INTO merkle_nodes (id, hash) VALUES (?, ?)")
            for node in nodes {
                try insertNode.execute(arguments: [Schema.nodeID(level: node.level, index: node.index), Data(node.hash.bytes)])
            }
        }

        func sideRecord(_ space: SideSpace, key: String) throws -> [UInt8]? {
            guard version >= 2, let stored = try storedSpace(space) else { return nil }
            let stmt = try db.cachedStatement(sql: "SELECT value FROM side_records WHERE space = ? AND key = ?")
            return try Data.fetchOne(stmt, arguments: [stored, key]).map { [UInt8]($0) }
        }

        func sideRecords(_ space: SideSpace) throws -> [(key: String, value: [UInt8])] {
            guard version >= 2, let stored = try storedSpace(space) else { return [] }
            let stmt = try db.cachedStatement(sql: "SELECT key, value FROM side_records WHERE space = ? ORDER BY key")
            return try Row.fetchAll(stmt, arguments: [stored]).map { ($0[0], [UInt8]($0[1] as Data)) }
        }

        func putSideRecord(_ space: SideSpace, key: String, value: [UInt8]) throws {
            let id = try spaceIDs.idAdding(space.name, db, pending: &addedSpaces)
            let stmt = try db.cachedStatement(sql: "INSERT OR REPLACE INTO side_records (space, key, value) VALUES (?, ?, ?)")
            try stmt.execute(arguments: [id, key, Data(value)])
        }

        func removeSideRecord(_ space: SideSpace, key: String) throws {
            guard let stored = try storedSpace(space) else { return }
            try db.cachedStatement(sql: "DELETE FROM side_records WHERE space = ? AND key = ?").execute(arguments: [
                stored, key,
            ])
        }

        func clearSideRecords(_ space: SideSpace) throws {
            guard let stored = try storedSpace(space) else { return }
            try db.cachedStatement(sql: "DELETE FROM side_records WHERE space = ?").execute(arguments: [stored])
        }

        func saveCheckpoint(_ checkpoint: StoredCheckpoint) throws {
            try db.execute(
                sql: "INSERT OR IGNORE INTO checkpoints (size, note) VALUES (?, ?)",
                arguments: [Int64(checkpoint.size), checkpoint.note])
        }
    }
}

/// The SQLite schema: the ledger's tables, and the side records version 2 added (keyed by their
/// space's integer id since version 3).
enum Schema {
    /// Records beside the ledger, outside every hash (`SideSpace`); they may be changed and erased.
    /// A space's name is stored once, in `side_spaces`, and its records carry its id.
    static let sideRecords = """
        CREATE TABLE side_spaces (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE side_records (
            space INTEGER NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (space, key)
        ) WITHOUT ROWID;
        """

    /// Format 2's side records, their space as text: what `SQLiteMigration` moves from.
    static let sideRecordsVersion2 = """
        CREATE TABLE IF NOT EXISTS side_records (
            space TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (space, key)
        ) WITHOUT ROWID;
        """

    /// Merkle nodes are keyed by one integer: level in the high bits, index in the low 48.
    static func nodeID(level: Int, index: UInt64) -> Int64 { Int64(level) << 48 | Int64(index) }

    /// The event-id index's key for `id`: the first 16 bytes of SHA-256 of its UTF-8 bytes. It
    /// stands in for the id, which the entry's bytes already hold (39 bytes a typical id, kept
    /// twice: in the row and in its unique index). Two ids share a key only by a 128-bit hash
    /// collision, which no one can make for an id someone else chose.
    static func eventKey(_ id: String) -> Data { Data(SHA256.hash(Array(id.utf8)).bytes.prefix(16)) }

    /// The ledger's tables as this release creates them.
    static let ledger = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        \(entries)
        CREATE TABLE merkle_nodes (id INTEGER PRIMARY KEY, hash BLOB NOT NULL);
        CREATE TABLE checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL);
        CREATE TRIGGER nodes_no_update BEFORE UPDATE ON merkle_nodes
            BEGIN SELECT RAISE(ABORT, 'Merkle nodes are append-only: UPDATE refused'); END;
        CREATE TRIGGER nodes_no_delete BEFORE DELETE ON merkle_nodes
            BEGIN SELECT RAISE(ABORT, 'Merkle nodes are append-only: DELETE refused'); END;
        CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
            BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only: UPDATE refused'); END;
        CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
            BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only: DELETE refused'); END;
        CREATE TRIGGER meta_no_update BEFORE UPDATE ON meta
            BEGIN SELECT RAISE(ABORT, 'ledger metadata is fixed at creation: UPDATE refused'); END;
        CREATE TRIGGER meta_no_delete BEFORE DELETE ON meta
            BEGIN SELECT RAISE(ABORT, 'ledger metadata is fixed at creation: DELETE refused'); END;
        """

    /// The entries table (format 3: the event id's key, `eventKey`, in place of the id as text)
    /// and the triggers that keep it append-only; `SQLiteMigration` builds it from format 2's.
    static let entries = """
        CREATE TABLE entries (
            seq INTEGER PRIMARY KEY,
            event_key BLOB NOT NULL UNIQUE,
            bytes BLOB NOT NULL
        );
        CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
            BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: UPDATE refused'); END;
        CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
            BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: DELETE refused'); END;
        CREATE TRIGGER entries_in_order BEFORE INSERT ON entries
            WHEN NEW.seq IS NOT (SELECT IFNULL(MAX(seq) + 1, 0) FROM entries)
            BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: seq must be the next number'); END;
        """
}

extension Database {
    /// True when the table exists now. GRDB's `tableExists` answers from a per-connection cache,
    /// which does not see a table another process created.
    func hasTable(_ name: String) throws -> Bool {
        try Bool.fetchOne(
            self, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)", arguments: [name])
            ?? false
    }
}
