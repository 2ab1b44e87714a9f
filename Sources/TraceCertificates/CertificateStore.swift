import Foundation
public import TraceLedger

/// Certificates an exporter has published through the server: the full one and the redacted
/// one for each lot, as side records beside the ledger (`certificates.published`, outside every
/// hash, like personal data). A certificate is only ever stored after it verified; it cannot
/// change any entry.
public enum CertificateStore {
    static let space = SideSpace("certificates.published")

    /// The record's key: the lot code in capitals and which kind of certificate.
    static func key(lot: String, redacted: Bool) -> String { lot.uppercased() + (redacted ? "|redacted" : "|full") }

    /// Keeps `bytes` as the lot's certificate of that kind, unless a newer one is already kept.
    public static func save(_ bytes: [UInt8], lot: String, redacted: Bool, checkpointSize: UInt64, in store: any LedgerStore)
        throws
    {
        try store.write { writer in
            let key = key(lot: lot, redacted: redacted)
            if let kept = try writer.sideRecord(space, key: key), let keptSize = size(of: kept), keptSize > checkpointSize {
                return
            }
            // The checkpoint size (8 bytes, big-endian), then the certificate file (FORMAT.md).
            let value = (0..<8).map { UInt8(truncatingIfNeeded: checkpointSize >> (56 - 8 * UInt64($0))) } + bytes
            try writer.putSideRecord(space, key: key, value: value)
        }
    }

    /// The lot's published certificate of that kind, if any.
    public static func load(lot: String, redacted: Bool, in store: any LedgerStore) throws -> [UInt8]? {
        guard let kept = try store.read({ try $0.sideRecord(space, key: key(lot: lot, redacted: redacted)) }), kept.count >= 8
        else { return nil }
        return Array(kept[8...])
    }

    private static func size(of record: [UInt8]) -> UInt64? {
        guard record.count >= 8 else { return nil }
        return record[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
