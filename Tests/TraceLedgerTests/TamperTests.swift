import CanonicalJSON
import Foundation
import GRDB
import Testing
import TraceCrypto
import TraceLedgerSQLite

@testable import TraceLedger

/// Each way of rewriting history is caught by `verify`, which names the first bad entry.
/// Chunks of 8 make the failures fall inside, at the edge of, and across parallel chunks.
struct TamperTests {
    static let size = 40  // genesis + 39 events

    func fixture() throws -> LedgerFixture {
        let f = try LedgerFixture(events: Self.size - 1)
        _ = try f.ledger.checkpoint(signingWith: f.operatorKey)
        #expect(try f.ledger.verify(chunkSize: 8).ok)
        return f
    }

    func failure(_ f: LedgerFixture) throws -> LedgerError? {
        let fresh = try Ledger(path: f.path)
        let one = try fresh.verify(chunkSize: 8).failure
        // The answer does not depend on how the work is split.
        let other = try fresh.verify(chunkSize: 5).failure
        #expect(one == other)
        return one
    }

    @Test(arguments: [1, 8, 17, 39])
    func aChangedEntryIsNamed(_ seq: Int) throws {
        let f = try fixture()
        var text = String(decoding: try f.bytes(seq), as: UTF8.self)
        text = text.replacingOccurrences(of: "1200.5", with: "9200.5")
        try f.tamper { try $0.execute(sql: "UPDATE entries SET bytes = ? WHERE seq = ?", arguments: [Data(text.utf8), seq]) }
        let failure = try self.failure(f)
        #expect(failure?.code == .entryChanged)
        #expect(failure?.entry == UInt64(seq))
    }

    @Test func aChangedEntryWithItsLeafRewrittenFailsItsSignature() throws {
        let f = try fixture()
        var text = String(decoding: try f.bytes(17), as: UTF8.self)
        text = text.replacingOccurrences(of: "1200.5", with: "9200.5")
        let leaf = Merkle.leafHash(Array(text.utf8))
        try f.tamper { db in
            try db.execute(sql: "UPDATE entries SET bytes = ? WHERE seq = 17", arguments: [Data(text.utf8)])
            try db.execute(sql: "UPDATE merkle_nodes SET hash = ? WHERE id = 17", arguments: [Data(leaf.bytes)])
        }
        let failure = try self.failure(f)
        #expect(failure?.code == .badSignature)
        #expect(failure?.entry == 17)
    }

    @Test func aChangedUnsignedFieldBreaksTheChainAtTheNextEntry() throws {
        let f = try fixture()
        let original = try f.ledger.entry(17)
        let changed = try Entry(seq: 17, recorded: "2020-01-01T00:00:00.000Z", prev: original.prev, signed: original.signed)
        try f.tamper { db in
            try db.execute(sql: "UPDATE entries SET bytes = ? WHERE seq = 17", arguments: [Data(changed.bytes)])
            try db.execute(sql: "UPDATE merkle_nodes SET hash = ? WHERE id = 17", arguments: [Data(changed.leafHash().bytes)])
        }
        let failure = try self.failure(f)
        #expect(failure?.code == .chainBroken)
        #expect(failure?.entry == 18)
        #expect(failure?.message.contains("entry 17 hashes to") == true)
    }

    @Test(arguments: [1, 16, 39])
    func aDroppedEntryIsNamed(_ seq: Int) throws {
        let f = try fixture()
        try f.tamper { try $0.execute(sql: "DELETE FROM entries WHERE seq = ?", arguments: [seq]) }
        let failure = try self.failure(f)
        #expect(failure?.code == .entryMissing)
        #expect(failure?.entry == UInt64(seq))
    }

    @Test func reorderedEntriesAreNamed() throws {
        let f = try fixture()
        let a = try f.bytes(17)
        let b = try f.bytes(18)
        try f.tamper { db in
            try db.execute(sql: "UPDATE entries SET bytes = ?, event_key = x'01' WHERE seq = 17", arguments: [Data(b)])
            try db.execute(sql: "UPDATE entries SET bytes = ?, event_key = x'02' WHERE seq = 18", arguments: [Data(a)])
        }
        let failure = try self.failure(f)
        #expect(failure?.code == .chainBroken)
        #expect(failure?.entry == 17)
        #expect(failure?.message.contains("says it is entry 18") == true)
    }

    @Test func anInsertedEntryIsNamed() throws {
        let f = try fixture()
        let before = try f.ledger.entry(16)
        let intruder = try Entry(
            seq: 17, recorded: before.recorded, prev: before.leafHash(), signed: try f.event(500, note: "inserted"))
        try f.tamper { db in
            for seq in stride(from: Self.size - 1, through: 17, by: -1) {
                try db.execute(sql: "UPDATE entries SET seq = seq + 1 WHERE seq = ?", arguments: [seq])
            }
            try db.execute(
                sql: "INSERT INTO entries (seq, event_key, bytes) VALUES (17, x'03', ?)", arguments: [Data(intruder.bytes)])
        }
        let failure = try self.failure(f)
        #expect(failure?.code == .entryChanged)
        #expect(failure?.entry == 17)
    }

    @Test func aConsistentRewriteIsCaughtByTheSignedCheckpoint() throws {
        // An attacker with the party's key and write access rebuilds the ledger, stored Merkle
        // nodes included, with entry 25 replaced: only the operator's checkpoint can tell.
        let f = try LedgerFixture(events: 20)
        _ = try f.ledger.checkpoint(signingWith: f.operatorKey)  // size 21
        _ = try f.ledger.append((21..<40).map { try f.event($0) })
        _ = try f.ledger.checkpoint(signingWith: f.operatorKey)  // size 40
        let forgedPath = f.directory + "/forged.db"
        let forged = try SQLiteLedgerStore.create(
            path: forgedPath, origin: f.ledger.metadata.origin, operatorKey: f.ledger.metadata.operatorKey)
        let notes = try f.ledger.store.read { try $0.checkpoints() }
        try forged.write { writer in
            var prev = Digest.zero
            for seq in 0..<40 {
                let original = try f.ledger.entry(UInt64(seq))
                let signed = seq == 25 ? try f.event(25, note: "rewritten") : original.signed
                prev = try writer.append(try Entry(seq: UInt64(seq), recorded: original.recorded, prev: prev, signed: signed))
            }
            for note in notes { try writer.saveCheckpoint(note) }
        }
        let failure = try Ledger(path: forgedPath).verify(chunkSize: 8).failure
        #expect(failure?.code == .rootMismatch)
        #expect(failure?.message.contains("checkpoint at size 40") == true)
        #expect(failure?.message.contains("from 21 to 39") == true)
    }

    @Test func aCheckpointSignedByAnotherKeyIsRefused() throws {
        let f = try fixture()
        let intruder = try PrivateKey.generate()
        let vkey = try VerifierKey(name: f.ledger.metadata.origin, publicKey: intruder.publicKey)
        let note = try Checkpoint(origin: f.ledger.metadata.origin, size: 40, root: try f.ledger.root(size: 40)).sign(
            with: intruder, as: vkey
        ).encoded
        try f.tamper {
            try $0.execute(sql: "DELETE FROM checkpoints; INSERT INTO checkpoints (size, note) VALUES (40, ?)", arguments: [note])
        }
        let failure = try self.failure(f)
        #expect(failure?.code == .badCheckpoint)
        #expect(failure?.message.contains("checkpoint at size 40") == true)
    }

    @Test func trustingAnotherOperatorKeyFails() throws {
        let f = try fixture()
        let other = try VerifierKey(name: f.ledger.metadata.origin, publicKey: try PrivateKey.generate().publicKey)
        #expect(try f.ledger.verify(trusting: other).failure?.code == .badCheckpoint)
        #expect(try f.ledger.verify(trusting: f.ledger.metadata.operatorKey).ok)
    }
}
