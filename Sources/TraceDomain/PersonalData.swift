import CanonicalJSON
import Foundation
import GRDB
import TraceCrypto
public import TraceLedger

/// The clear personal data behind the ledger's commitments: a table beside the ledger in the
/// same SQLite file, outside the hashed entries, so `trace forget` can erase a person's values
/// and salts without touching any hash, signature or proof.
public enum PersonalData {
    static let schema = """
        CREATE TABLE IF NOT EXISTS personal_data (
            commitment TEXT PRIMARY KEY,
            party TEXT NOT NULL,
            field TEXT NOT NULL,
            value TEXT NOT NULL,
            salt BLOB NOT NULL
        );
        CREATE INDEX IF NOT EXISTS personal_data_party ON personal_data (party);
        """

    /// Stores clear values, inside the transaction that appends their commitments.
    static func store(_ values: [(party: String, field: String, commitment: Commitment)], in access: any LedgerReader) throws {
        guard let db = (access as? any SQLiteAccess)?.database else { return }
        try db.execute(sql: schema)
        for v in values {
            try db.execute(
                sql: "INSERT OR REPLACE INTO personal_data (commitment, party, field, value, salt) VALUES (?, ?, ?, ?, ?)",
                arguments: [v.commitment.digest.hex, v.party, v.field, v.commitment.value, Data(v.commitment.salt)])
        }
    }

    /// The clear value and salt behind a commitment, if still held (and still opening it).
    public static func lookup(_ commitment: String, in store: any LedgerStore) throws -> (value: String, salt: [UInt8])? {
        try store.read { reader in
            guard let db = (reader as? any SQLiteAccess)?.database,
                try db.hasTable("personal_data"),
                let row = try Row.fetchOne(
                    db, sql: "SELECT value, salt FROM personal_data WHERE commitment = ?", arguments: [commitment])
            else { return nil }
            let value: String = row["value"]
            let salt = [UInt8](row["salt"] as Data)
            guard let digest = try? Digest(hex: commitment), Commitment.opens(digest, value: value, salt: salt) else {
                return nil
            }
            return (value, salt)
        }
    }

    /// Erases every clear value of a person; returns how many were erased.
    public static func forget(party: String, in store: any LedgerStore) throws -> Int {
        let erased = try store.write { writer -> Int in
            guard let db = (writer as? any SQLiteAccess)?.database, try db.hasTable("personal_data") else { return 0 }
            // Overwrite the freed space too, so erased values do not linger in the file.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: "DELETE FROM personal_data WHERE party = ?", arguments: [party])
            return db.changesCount
        }
        try (store as? SQLiteLedgerStore)?.truncateWAL()
        return erased
    }
}
