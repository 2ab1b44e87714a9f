import CanonicalJSON
import Foundation
import GRDB
import Testing
import TraceCrypto
import TraceLedgerSQLite

@testable import TraceLedger

/// An entry that re-wraps an earlier event (its id again) or respells an event's bytes
/// (non-canonical JSON) is named by `verify`, though its signature still checks.
struct ReusedIdentityTamperTests {
    @Test func aReplayedEventIDIsNamed() throws {
        // Someone re-wraps entry 5's signed event as a new last entry, bypassing the store's index.
        let f = try LedgerFixture(events: 9)
        let last = try f.ledger.entry(9)
        let replay = try Entry(seq: 10, recorded: last.recorded, prev: last.leafHash(), signed: try f.ledger.entry(5).signed)
        try f.tamper { db in
            try db.execute(sql: "CREATE TABLE e2 AS SELECT * FROM entries; DROP TABLE entries; ALTER TABLE e2 RENAME TO entries")
            try db.execute(
                sql: "INSERT INTO entries (seq, event_key, bytes) VALUES (10, x'05', ?)", arguments: [Data(replay.bytes)])
            try db.execute(sql: "INSERT INTO merkle_nodes (id, hash) VALUES (10, ?)", arguments: [Data(replay.leafHash().bytes)])
        }
        let failure = try Ledger(path: f.path).verify().failure
        #expect(failure?.code == .eventIDConflict)
        #expect(failure?.entry == 10)
        #expect(failure?.message.contains("entry 5") == true)
    }

    @Test func nonCanonicalSpellingsAreRefused() throws {
        let f = try LedgerFixture(events: 1)
        let entry = try f.ledger.entry(1)
        let text = String(decoding: entry.bytes, as: UTF8.self)
        // The same signature bytes with a non-zero padding bit: another spelling of one entry.
        let sig = Data(entry.signed.signature).base64EncodedString()
        var chars = Array(sig)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let last = alphabet.firstIndex(of: chars[chars.count - 3])!
        chars[chars.count - 3] = alphabet[last | 1 == last ? last ^ 1 : last | 1]
        let respelled = text.replacingOccurrences(of: sig, with: String(chars))
        #expect(throws: LedgerError.self) { try Entry(bytes: Array(respelled.utf8)) }
        // A key hash written in capitals is another spelling too (use a key whose hash has letters).
        var key = try PrivateKey.generate()
        while !Hex.encode(VerifierKey.keyHash(name: "p", publicKey: key.publicKey)).contains(where: \.isLetter) {
            key = try PrivateKey.generate()
        }
        let lettered = try Entry(
            seq: 1, recorded: entry.recorded, prev: entry.prev,
            signed: try SignedEvent.sign(entry.signed.event, with: key, keyName: "p"))
        let hash = Hex.encode(lettered.signed.key.keyHash)
        let upper = String(decoding: lettered.bytes, as: UTF8.self).replacingOccurrences(
            of: "p+\(hash)+", with: "p+\(hash.uppercased())+")
        #expect(upper != String(decoding: lettered.bytes, as: UTF8.self))
        #expect(throws: LedgerError.self) { try Entry(bytes: Array(upper.utf8)) }
    }

    @Test func eventsCarryOnlyIntegerNumbersAndOneGenesis() throws {
        let f = try LedgerFixture()
        let error = #expect(throws: LedgerError.self) {
            try SignedEvent.sign(
                ["id": "q", "type": "t", "lines": [["quantity": .number(1200.5)]]], with: f.partyKey, keyName: "p")
        }
        #expect(error?.message.contains("lines[0].quantity") == true)
        #expect(throws: Never.self) {
            try SignedEvent.sign(["id": "q", "type": "t", "count": 12], with: f.partyKey, keyName: "p")
        }
        let second = try SignedEvent.sign(
            ["id": "g2", "type": "ledger.genesis"], with: f.operatorKey, keyName: "test.trace.example/ledger")
        #expect(throws: LedgerError.self) { try f.ledger.append([second]) }
        #expect(try f.ledger.size() == 1)
    }
}
