import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceLedger
import TraceLedgerSQLite

/// The operator key's rotation: an entry signed by the old key names the new one, checkpoints
/// after it are signed by the new key, and verifiers that trust only the genesis key follow the chain.
struct OperatorRotationTests {
    @Test func verifiersFollowTheOperatorKeyChainFromGenesisAndTheOldKeySignsNothingAfter() throws {
        let h = try CLIHarness()
        try h.appendEvents(2)
        let origin = "longan.trace.example/ledger"
        let made = try h.run("keys", "new", "--name", origin, "--out", "new.key")
        #expect(made.status == 0, "\(made.stderr)")
        let newVKey = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let rotated = try h.run("operator", "rotate", "--new-key", "new.key")
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let rotation = UInt64(CLIHarness.setupEntries + 2)
        #expect(rotated.stdout.contains("entry \(rotation): the operator key is now \(newVKey)"))
        try h.appendEvents(2, from: 3)

        // Checkpoints are now the new key's; the old one is refused.
        let old = try h.run("checkpoint", "--key", "trace.operator.key")
        #expect(old.status != 0)
        #expect(old.stderr.contains("not the operator key of \(origin) in force (\(newVKey))"), "\(old.stderr)")
        let signed = try h.run("checkpoint", "--key", "new.key")
        #expect(signed.status == 0, "\(signed.stderr)")
        let note = try SignedNote(parsing: signed.stdout)
        #expect(note.signatures.map(\.keyHash) == [try VerifierKey(newVKey).keyHash])

        // A verifier that trusts only the genesis key follows the chain.
        let verify = try h.run("verify", "--operator", h.operatorVKey)
        #expect(verify.status == 0, "\(verify.stderr)")
        for lot in ["LA-ST25-1", "LA-ST25-4"] {
            let check = try h.run("verify-lot", lot, "--operator", h.operatorVKey)
            #expect(check.status == 0, "\(lot): \(check.stderr)")
        }

        // A checkpoint the old key signs after the rotation is not the operator's: a stolen old
        // key cannot vouch for this ledger's new entries.
        let ledger = try Ledger(path: h.ledger)
        let size = try ledger.size()
        let forged = try Checkpoint(origin: origin, size: size, root: try ledger.root(size: size))
            .sign(with: try PrivateKey(contentsOfFile: h.operatorKeyPath), as: try VerifierKey(h.operatorVKey)).encoded
        #expect(throws: LedgerError.self) { try ledger.operatorKeys().open(forged) }
        try forged.write(toFile: h.directory + "/forged.note", atomically: true, encoding: .utf8)
        let refused = try h.run("verify", "--checkpoint", "forged.note")
        #expect(refused.status == 1, "\(refused.stderr)")

        // The old key no longer registers parties.
        let key = try h.run("keys", "new", "--name", "late", "--out", "late.key").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let late = try h.run(
            "party", "add", "--key", "trace.operator.key", "--id", "late", "--name", "Late", "--role", "farm", "--vkey", key,
            "--member-of", "htx-tan-lap")
        #expect(late.status == 2, "\(late.stderr)")
        let accepted = try h.run(
            "party", "add", "--key", "new.key", "--id", "late", "--name", "Late", "--role", "farm", "--vkey", key, "--member-of",
            "htx-tan-lap")
        #expect(accepted.status == 0, "\(accepted.stderr)")
    }

    @Test func aRotationMustBeSignedByTheKeyInForceAndNameTheLog() throws {
        let genesis = try PrivateKey.generate()
        let origin = "example.test/log"
        let keys = OperatorKeys(genesis: try VerifierKey(name: origin, publicKey: genesis.publicKey))
        let next = try PrivateKey.generate()
        func rotation(signedBy signer: PrivateKey, naming name: String) throws -> SignedEvent {
            try SignedEvent.sign(
                [
                    "id": .string(OperatorKeys.eventID(1)), "type": .string(OperatorKeys.rotationType), "actor": "operator",
                    "time": "2026-11-30T00:00:00Z",
                    "key": .string(try VerifierKey(name: name, publicKey: next.publicKey).description),
                ], with: signer, keyName: origin)
        }
        #expect(
            try keys.rotation(try rotation(signedBy: genesis, naming: origin), origin: origin, seq: 9).publicKey == next.publicKey
        )
        let stranger = #expect(throws: LedgerError.self) {
            try keys.rotation(try rotation(signedBy: try PrivateKey.generate(), naming: origin), origin: origin, seq: 9)
        }
        #expect(stranger?.message.contains("not by the operator key then in force") == true)
        let misnamed = #expect(throws: LedgerError.self) {
            try keys.rotation(try rotation(signedBy: genesis, naming: "other.test/log"), origin: origin, seq: 9)
        }
        #expect(misnamed?.message.contains("must be named as the log") == true)
    }
}
