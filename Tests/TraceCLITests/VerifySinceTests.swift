import CanonicalJSON
import Foundation
import GRDB
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceLedgerSQLite

/// `trace verify --since CHECKPOINT`: only what came after a checkpoint the auditor trusts.
struct VerifySinceTests {
    func ledgerWithSavedCheckpoint() throws -> (CLIHarness, String) {
        let h = try CLIHarness()
        try h.appendEvents(10)
        let note = try h.run("checkpoint").stdout
        let path = h.directory + "/trusted.note"
        try note.write(toFile: path, atomically: true, encoding: .utf8)
        try h.appendEvents(3, from: 100)
        #expect(try h.run("ship", "--key", "htx-tan-lap.key", "--lot", "LA-ST25-4", "--to", "trang-trai-bay").status == 0)
        #expect(try h.run("checkpoint").status == 0)
        return (h, path)
    }

    @Test func onlyTheNewEntriesAreChecked() throws {
        let (h, note) = try ledgerWithSavedCheckpoint()
        let json = try h.json("verify", "--since", note, "--operator", h.operatorVKey)
        #expect(json["ok"]?.boolValue == true)
        #expect(json["since"]?.intValue == 14)
        #expect(json["newEntries"]?.intValue == 4)
        // A checkpoint not signed by the operator is refused.
        try "garbage\n".write(toFile: h.directory + "/bad.note", atomically: true, encoding: .utf8)
        #expect(try h.run("verify", "--since", "bad.note").status == 1)
    }

    @Test func aNewEntryThatBreaksARuleIsNamed() throws {
        let (h, note) = try ledgerWithSavedCheckpoint()
        // With the cooperative's stolen key, straight into the store: a ship of a lot shipped already.
        let key = try PrivateKey(contentsOfFile: h.directory + "/htx-tan-lap.key")
        let planted = try SignedEvent.sign(
            SupplyChain.event("ship", actor: "htx-tan-lap", ["lot": "LA-ST25-4", "to": "trang-trai-bay"]), with: key,
            keyName: "htx-tan-lap")
        let ledger = try Ledger(path: h.ledger)
        try ledger.store.write { w in
            let size = try w.size()
            try w.append(try Entry(seq: size, recorded: Timestamp.now(), prev: try w.lastLeafHash(), signed: planted))
        }
        let result = try h.run("verify", "--since", note)
        #expect(result.status == 1)
        #expect(result.stderr.contains("entry 18"), "\(result.stderr)")
        #expect(result.stderr.contains("in transit"))
    }

    @Test func aForkedHistoryIsCaught() throws {
        let (h, note) = try ledgerWithSavedCheckpoint()
        // The operator (whose key signs checkpoints) rebuilds the ledger with entry 9 replaced
        // and signs a new checkpoint: each note verifies alone, but the new one does not extend
        // the one the auditor saved.
        let original = try Ledger(path: h.ledger)
        let forgedPath = h.directory + "/forged.db"
        let forged = try SQLiteLedgerStore.create(
            path: forgedPath, origin: original.metadata.origin, operatorKey: original.metadata.operatorKey)
        let coop = try PrivateKey(contentsOfFile: h.directory + "/htx-tan-lap.key")
        try forged.write { w in
            var prev = Digest.zero
            for seq in 0..<(try original.size()) {
                let e = try original.entry(seq)
                let signed =
                    seq == 9
                    ? try SignedEvent.sign(
                        SupplyChain.event(
                            "harvest", actor: "htx-tan-lap", id: "ev-6",
                            [
                                "lot": "LA-ST25-6", "product": "Lúa ST25", "quantity": "9999", "unit": "kg", "plot": "P-001",
                                "harvested": "2026-07-01",
                            ]), with: coop, keyName: "htx-tan-lap") : e.signed
                prev = try w.append(try Entry(seq: seq, recorded: e.recorded, prev: prev, signed: signed))
            }
        }
        let operatorKey = try PrivateKey(contentsOfFile: h.operatorKeyPath)
        _ = try Ledger(store: forged).checkpoint(signingWith: operatorKey)
        let result = try Command.run(Command.trace, ["verify", "--ledger", forgedPath, "--since", note], directory: h.directory)
        #expect(result.status == 1)
        #expect(result.stderr.contains("rewritten"), "\(result.stderr)")
    }
}
