import CanonicalJSON
import Foundation
import GRDB
import Testing
import TraceCrypto
import TraceLedgerSQLite

@testable import TraceLedger

struct LedgerStoreTests {
    @Test func createAppendReopen() throws {
        let f = try LedgerFixture(events: 5)
        #expect(try f.ledger.size() == 6)  // genesis + 5
        let reopened = try Ledger(path: f.path)
        #expect(reopened.metadata.origin == "test.trace.example/ledger")
        #expect(try reopened.size() == 6)
        let entry = try reopened.entry(3)
        #expect(entry.seq == 3)
        #expect(entry.prev == (try reopened.entry(2)).leafHash())
        #expect(entry.signed.hasValidSignature())
        let r = try reopened.verify()
        #expect(r.ok, "\(String(describing: r.failure))")
        #expect(try f.ledger.entry(1).signed.hasValidSignature())
    }

    @Test func creatingOverAnExistingLedgerIsRefused() throws {
        let f = try LedgerFixture()
        let error = #expect(throws: LedgerError.self) { try Ledger.create(path: f.path, origin: "x", operatorKey: f.operatorKey) }
        #expect(error?.code == .ledgerExists)
        let missing = #expect(throws: LedgerError.self) { try Ledger(path: f.directory + "/nope.db") }
        #expect(missing?.code == .noSuchLedger)
    }

    @Test func theSchemaRefusesUpdateAndDelete() throws {
        let f = try LedgerFixture(events: 3)
        let queue = try DatabaseQueue(path: f.path)
        for sql in [
            "UPDATE entries SET bytes = x'00' WHERE seq = 1", "DELETE FROM entries WHERE seq = 2",
            "UPDATE merkle_nodes SET hash = x'00'", "DELETE FROM checkpoints",
            "INSERT INTO entries (seq, event_key, bytes) VALUES (10, x'00', x'00')",
            "UPDATE meta SET value = 'other' WHERE key = 'origin'",
        ] {
            #expect(throws: DatabaseError.self, "\(sql)") { try queue.write { try $0.execute(sql: sql) } }
        }
        #expect(try f.ledger.verify().ok)
    }

    @Test func aBatchLandsWholeOrNotAtAll() throws {
        let f = try LedgerFixture(events: 2)
        let batch = try (10..<15).map { try f.event($0) }
        struct Refusal: Error {}
        #expect(throws: Refusal.self) {
            _ = try f.ledger.append(batch) { entry, _ in
                if entry.signed.id == "ev-13" { throw Refusal() }
            }
        }
        #expect(try f.ledger.size() == 3)
        let results = try f.ledger.append(batch)
        #expect(results.map(\.entry.seq) == [3, 4, 5, 6, 7])
        #expect(try f.ledger.verify().ok)
    }

    @Test func aBadSignatureRefusesTheWholeBatch() throws {
        let f = try LedgerFixture(events: 1)
        var batch = try (20..<24).map { try f.event($0) }
        let forged = batch[2]
        batch[2] = SignedEvent(
            event: ["id": "ev-22", "type": "test.harvest", "lot": "FORGED"], key: forged.key, signature: forged.signature)
        let error = #expect(throws: LedgerError.self) { try f.ledger.append(batch) }
        #expect(error?.code == .badSignature)
        #expect(error?.message.contains("ev-22") == true)
        #expect(try f.ledger.size() == 2)
    }

    @Test func resubmissionReturnsTheOriginalEntry() throws {
        let f = try LedgerFixture(events: 3)
        let again = try f.ledger.append([try f.event(2), try f.event(99), try f.event(99)])
        #expect(again[0].duplicate && again[0].entry.seq == 2)
        #expect(!again[1].duplicate && again[1].entry.seq == 4)
        #expect(again[2].duplicate && again[2].entry.seq == 4)
        #expect(try f.ledger.size() == 5)
        // The same id for a different event is a conflict, not a silent duplicate.
        let conflicting = try SignedEvent.sign(
            ["id": "ev-2", "type": "test.harvest", "lot": "OTHER"], with: f.partyKey, keyName: "htx-tan-lap")
        let error = #expect(throws: LedgerError.self) { try f.ledger.append([conflicting]) }
        #expect(error?.code == .eventIDConflict)
        #expect(error?.entry == 2)
    }

    @Test func aNewerFormatIsRefused() throws {
        let f = try LedgerFixture()
        try DatabaseQueue(path: f.path).write { try $0.execute(sql: "PRAGMA user_version = 99") }
        let error = #expect(throws: LedgerError.self) { try Ledger(path: f.path) }
        #expect(error?.code == .newerFormat)
        #expect(error?.message.contains("99") == true)
    }

    @Test func badEventsAreRefusedNamingTheField() throws {
        let f = try LedgerFixture()
        for (event, field) in [
            (["type": "x"] as JSONValue, "\"id\""), (["id": "a b", "type": "x"], "event id"),
            (["id": "ok"], "\"type\""), (.array([]), "object"),
        ] {
            let error = #expect(throws: LedgerError.self) { try SignedEvent.sign(event, with: f.partyKey, keyName: "p") }
            #expect(error?.code == .badEvent)
            #expect(error?.message.contains(field) == true, "\(error?.message ?? "")")
        }
    }

    @Test func proofsFromTheStoreVerifyAndReadFewNodes() throws {
        let f = try LedgerFixture(events: 300)
        let (checkpoint, _) = try f.ledger.checkpoint(signingWith: f.operatorKey)
        #expect(checkpoint.size == 301)
        for index: UInt64 in [0, 1, 150, 299, 300] {
            let (proof, reads) = try f.ledger.inclusionProof(index: index, treeSize: 301)
            #expect(proof.verify(root: checkpoint.root))
            #expect(proof.leafHash == (try f.ledger.entry(index)).leafHash())
            #expect(reads <= 2 * 9 + 1, "\(reads) node reads for entry \(index)")
        }
        for old: UInt64 in [1, 7, 64, 300] {
            let proof = try f.ledger.consistencyProof(from: old, to: 301)
            #expect(proof.verify(oldRoot: try f.ledger.root(size: old), newRoot: checkpoint.root))
        }
        #expect(throws: LedgerError.self) { try f.ledger.inclusionProof(index: 301, treeSize: 301) }
        #expect(throws: LedgerError.self) { try f.ledger.consistencyProof(from: 10, to: 400) }
    }
}
