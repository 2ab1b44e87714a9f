import CanonicalJSON
import Foundation
import TraceCrypto
public import TraceLedger

/// The clear personal data behind the ledger's commitments: side records beside the ledger
/// (`domain.personal`, keyed by commitment), outside the hashed entries, so `trace forget` can
/// erase a person's values and salts without touching any hash, signature or proof.
public enum PersonalData {
    static let space = SideSpace("domain.personal")

    /// One clear value as stored: a JSON object with sorted keys, the salt in hex (FORMAT.md).
    struct Record: Codable {
        let party: String
        let field: String
        let value: String
        let salt: String
    }

    /// Stores clear values, inside the transaction that appends their commitments.
    static func store(_ values: [(party: String, field: String, commitment: Commitment)], in writer: any LedgerWriter) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for v in values {
            let record = Record(party: v.party, field: v.field, value: v.commitment.value, salt: Hex.encode(v.commitment.salt))
            try writer.putSideRecord(space, key: v.commitment.digest.hex, value: [UInt8](try encoder.encode(record)))
        }
    }

    /// The clear value and salt behind a commitment, if still held (and still opening it).
    public static func lookup(_ commitment: String, in store: any LedgerStore) throws -> (value: String, salt: [UInt8])? {
        guard let bytes = try store.read({ try $0.sideRecord(space, key: commitment) }),
            let record = try? JSONDecoder().decode(Record.self, from: Data(bytes)),
            let salt = Hex.decode(record.salt),
            let digest = try? Digest(hex: commitment), Commitment.opens(digest, value: record.value, salt: salt)
        else { return nil }
        return (record.value, salt)
    }

    /// Erases every clear value of a person; returns how many were erased.
    public static func forget(party: String, in store: any LedgerStore) throws -> Int {
        let erased = try store.write { writer -> Int in
            var erased = 0
            for (key, bytes) in try writer.sideRecords(space) {
                guard let record = try? JSONDecoder().decode(Record.self, from: Data(bytes)), record.party == party else {
                    continue
                }
                try writer.removeSideRecord(space, key: key)
                erased += 1
            }
            return erased
        }
        // Old copies of the erased values must not linger in the store's files either.
        try store.scrub()
        return erased
    }
}
