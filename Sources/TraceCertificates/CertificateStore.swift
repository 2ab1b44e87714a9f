import Foundation
import GRDB
public import TraceLedger

/// Certificates an exporter has published through the server: the full one and the redacted
/// one for each lot, in a table beside the ledger (outside every hash, like personal data). A
/// certificate is only ever stored after it verified; it cannot change any entry.
public enum CertificateStore {
    static let schema = """
        CREATE TABLE IF NOT EXISTS certificates (
            lot TEXT NOT NULL,
            redacted INTEGER NOT NULL,
            checkpoint_size INTEGER NOT NULL,
            bytes BLOB NOT NULL,
            PRIMARY KEY (lot, redacted)
        );
        """

    /// Keeps `bytes` as the lot's certificate of that kind, unless a newer one is already kept.
    public static func save(_ bytes: [UInt8], lot: String, redacted: Bool, checkpointSize: UInt64, in store: any LedgerStore)
        throws
    {
        try store.write { writer in
            guard let db = (writer as? any SQLiteAccess)?.database else { return }
            try db.execute(sql: schema)
            try db.execute(
                sql: """
                    INSERT INTO certificates (lot, redacted, checkpoint_size, bytes) VALUES (?, ?, ?, ?)
                    ON CONFLICT (lot, redacted) DO UPDATE SET checkpoint_size = excluded.checkpoint_size, bytes = excluded.bytes
                    WHERE excluded.checkpoint_size >= certificates.checkpoint_size
                    """, arguments: [lot.uppercased(), redacted, Int64(checkpointSize), Data(bytes)])
        }
    }

    /// The lot's published certificate of that kind, if any.
    public static func load(lot: String, redacted: Bool, in store: any LedgerStore) throws -> [UInt8]? {
        try store.read { reader in
            guard let db = (reader as? any SQLiteAccess)?.database, try db.hasTable("certificates") else { return nil }
            return try Data.fetchOne(
                db, sql: "SELECT bytes FROM certificates WHERE lot = ? AND redacted = ?", arguments: [lot.uppercased(), redacted]
            ).map { [UInt8]($0) }
        }
    }
}
