import Foundation
import GRDB

/// Brings an older ledger file up to `SQLiteLedgerStore.formatVersion`, in one transaction,
/// when it is opened for writing. Entries, Merkle nodes, checkpoints and metadata never change:
/// a migration only moves what is kept beside them. A file opened read-only is read as it is.
enum SQLiteMigration {
    /// Runs every step from `version` to the current format.
    static func migrate(_ db: Database, from version: Int) throws {
        if version < 2 { try toVersion2(db) }
        if version < 3 { try toVersion3(db) }
        try db.execute(sql: "PRAGMA user_version = \(SQLiteLedgerStore.formatVersion)")
    }

    /// Format 1 kept three kinds of side data in tables of their own: personal data, published
    /// certificates and the rules index. Format 2 keeps all of them as side records, in the
    /// spaces the layers above now read (`domain.personal`, `certificates.published`); the
    /// old rules index is dropped, and rebuilt from the entries on the next open.
    private static func toVersion2(_ db: Database) throws {
        try db.execute(sql: Schema.sideRecordsVersion2)
        let put = try db.makeStatement(sql: "INSERT OR REPLACE INTO side_records (space, key, value) VALUES (?, ?, ?)")
        if try db.hasTable("personal_data") {
            for row in try Row.fetchAll(db, sql: "SELECT commitment, party, field, value, salt FROM personal_data") {
                // The record shape PersonalData reads: a JSON object with sorted keys, the salt in hex.
                let record: [String: String] = [
                    "party": row["party"], "field": row["field"], "value": row["value"],
                    "salt": ([UInt8](row["salt"] as Data)).map { String(format: "%02x", $0) }.joined(),
                ]
                let value = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
                try put.execute(arguments: ["domain.personal", row["commitment"] as String, value])
            }
            try db.execute(sql: "DROP TABLE personal_data")
        }
        if try db.hasTable("certificates") {
            for row in try Row.fetchAll(db, sql: "SELECT lot, redacted, checkpoint_size, bytes FROM certificates") {
                // The record shape CertificateStore reads: the checkpoint size (8 bytes, big-endian), then the file.
                let size = UInt64(row["checkpoint_size"] as Int64)
                let key = (row["lot"] as String) + ((row["redacted"] as Bool) ? "|redacted" : "|full")
                let value =
                    (0..<8).map { UInt8(truncatingIfNeeded: size >> (56 - 8 * UInt64($0))) } + [UInt8](row["bytes"] as Data)
                try put.execute(arguments: ["certificates.published", key, Data(value)])
            }
            try db.execute(sql: "DROP TABLE certificates")
        }
        try db.execute(sql: "DROP TABLE IF EXISTS domain_records; DROP TABLE IF EXISTS domain_meta")
    }

    /// Format 2 kept each side record's space as text; format 3 keeps each space's name once, in
    /// `side_spaces`, and its records under its integer id (about 47 bytes an entry less). Keys
    /// and values are copied as they are. Format 2 also kept each event's id as text beside its
    /// entry, in the row and in a unique index; format 3 keeps a 16-byte key of it instead
    /// (`Schema.eventKey`, about 40 bytes an entry less). The entries' bytes are copied unchanged,
    /// in order; the old table's pages become free pages that later entries reuse.
    private static func toVersion3(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE side_records RENAME TO side_records_version2")
        try db.execute(sql: Schema.sideRecords)
        try db.execute(
            sql: """
                INSERT INTO side_spaces (name) SELECT DISTINCT space FROM side_records_version2 ORDER BY space;
                INSERT INTO side_records (space, key, value)
                    SELECT s.id, r.key, r.value FROM side_records_version2 r JOIN side_spaces s ON s.name = r.space;
                DROP TABLE side_records_version2;
                """)
        // The append-only triggers go with the old table's name; the new table gets its own.
        try db.execute(
            sql: """
                DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete; DROP TRIGGER entries_in_order;
                ALTER TABLE entries RENAME TO entries_version2;
                """)
        try db.execute(sql: Schema.entries)
        let insert = try db.makeStatement(sql: "INSERT INTO entries (seq, event_key, bytes) VALUES (?, ?, ?)")
        let rows = try Row.fetchCursor(db, sql: "SELECT seq, event_id, bytes FROM entries_version2 ORDER BY seq")
        while let row = try rows.next() {
            try insert.execute(arguments: [row[0] as Int64, Schema.eventKey(row[1] as String), row[2] as Data])
        }
        try db.execute(sql: "DROP TABLE entries_version2")
    }
}
