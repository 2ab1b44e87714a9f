import CanonicalJSON
import Foundation
import GRDB
import Testing
import TraceCrypto
import TraceLedgerSQLite

@testable import TraceLedger

/// `Ledger.verify` applies the Ed25519 acceptance rule (FORMAT.md section 3.1): an entry whose
/// signature is another spelling of a valid one (S + L) is named, even with its leaf rewritten.
struct SignatureRuleTests {
    @Test func aMalleatedSignatureIsNamedByVerify() throws {
        let f = try LedgerFixture(events: 39)
        #expect(try f.ledger.verify(chunkSize: 8).ok)
        let original = try f.ledger.entry(17)
        // S + L, little-endian: the same equation holds for it, and the rule refuses it.
        let order: [UInt8] =
            [0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14]
            + [UInt8](repeating: 0, count: 15) + [0x10]
        var signature = original.signed.signature
        var carry = 0
        for i in 0..<32 {
            let sum = Int(signature[32 + i]) + Int(order[i]) + carry
            signature[32 + i] = UInt8(sum & 0xff)
            carry = sum >> 8
        }
        let signed = SignedEvent(event: original.signed.event, key: original.signed.key, signature: signature)
        let changed = try Entry(seq: 17, recorded: original.recorded, prev: original.prev, signed: signed)
        try f.tamper { db in
            try db.execute(sql: "UPDATE entries SET bytes = ? WHERE seq = 17", arguments: [Data(changed.bytes)])
            try db.execute(sql: "UPDATE merkle_nodes SET hash = ? WHERE id = 17", arguments: [Data(changed.leafHash().bytes)])
        }
        let failure = try Ledger(path: f.path).verify(chunkSize: 8).failure
        #expect(failure?.code == .badSignature)
        #expect(failure?.entry == 17)
        #expect(!signed.hasValidSignature())
    }
}
