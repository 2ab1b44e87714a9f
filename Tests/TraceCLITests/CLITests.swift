import CanonicalJSON
import Foundation
import GRDB
import TestSupport
import Testing
import TraceCrypto
import TraceLedger
import TraceLedgerSQLite

struct CLITests {
    @Test func initMakesALedgerAndAnOperatorKeyOpenSSLReads() throws {
        let h = try CLIHarness()
        let vkey = try VerifierKey(h.operatorVKey)
        #expect(vkey.name == "longan.trace.example/ledger")
        let mode = try FileManager.default.attributesOfItem(atPath: h.operatorKeyPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try Command.run("openssl", ["pkey", "-in", h.operatorKeyPath, "-noout"]).status == 0)
        #expect(try PrivateKey(contentsOfFile: h.operatorKeyPath).publicKey == vkey.publicKey)
        // A second init refuses and leaves the first ledger and key as they were.
        let keyBefore = try String(contentsOfFile: h.operatorKeyPath, encoding: .utf8)
        let again = try h.run("init", "--origin", "other")
        #expect(again.status == 2)
        #expect(again.stderr.contains("already exists"))
        #expect(again.stderr.split(separator: "\n").count == 1)
        #expect(try String(contentsOfFile: h.operatorKeyPath, encoding: .utf8) == keyBefore)
        #expect(try h.run("verify").status == 0)
    }

    @Test func initRefusesABadOriginWritingNothing() throws {
        let dir = try Scratch.directory()
        let result = try Command.run(Command.trace, ["init", "--origin", "Hợp tác xã"], directory: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--origin"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func initJSONHasStableFields() throws {
        let dir = try Scratch.directory()
        let result = try Command.run(
            Command.trace, ["init", "--origin", "o.example/l", "--ledger", "x.db", "--key-out", "op.pem", "--json"],
            directory: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try CanonicalJSON.parse(result.stdout)
        #expect(json["ledger"]?.stringValue == "x.db")
        #expect(json["keyFile"]?.stringValue == "op.pem")
        #expect(try VerifierKey(json["operatorKey"]?.stringValue ?? "").name == "o.example/l")
        #expect(json["checkpoint"]?.stringValue?.hasPrefix("o.example/l\n1\n") == true)
    }

    @Test func keysNewWritesAKeyAndNeverOverwrites() throws {
        let h = try CLIHarness()
        let made = try h.json("keys", "new", "--name", "htx-tan-lap", "--out", "coop.key")
        let vkey = try VerifierKey(made["verifierKey"]?.stringValue ?? "")
        #expect(vkey.name == "htx-tan-lap")
        #expect(try PrivateKey(contentsOfFile: h.directory + "/coop.key").publicKey == vkey.publicKey)
        let again = try h.run("keys", "new", "--name", "htx-tan-lap", "--out", "coop.key")
        #expect(again.status == 2)
        #expect(again.stderr.contains("coop.key"))
        #expect(try h.run("keys", "new", "--name", "bad name", "--out", "x.key").status == 2)
    }

    @Test func checkpointSignsNewEntriesAndOpensWithTheOperatorKey() throws {
        let h = try CLIHarness()
        try h.appendEvents(9)
        let result = try h.run("checkpoint")
        #expect(result.status == 0, "\(result.stderr)")
        let checkpoint = try Checkpoint.open(result.stdout, operatorKey: try VerifierKey(h.operatorVKey))
        #expect(checkpoint.size == 13)
        #expect(checkpoint.root == (try Ledger(path: h.ledger).root(size: 13)))
        // Without the operator key, a stale checkpoint is shown with a warning.
        try FileManager.default.moveItem(atPath: h.operatorKeyPath, toPath: h.directory + "/elsewhere.key")
        try h.appendEvents(2, from: 100)
        let stale = try h.run("checkpoint")
        #expect(stale.status == 0)
        #expect(stale.stderr.contains("covers 13 of 15"))
        let signed = try h.json("checkpoint", "--key", "elsewhere.key")
        #expect(signed["size"]?.intValue == 15)
        // A key that is not the operator's is refused, naming the operator.
        try h.appendEvents(1, from: 200)
        let wrong = try h.run("checkpoint", "--key", "htx-tan-lap.key")
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("not the operator key"))
    }

    @Test func proveAndConsistencyOutputsVerify() throws {
        let h = try CLIHarness()
        try h.appendEvents(20)
        _ = try h.run("checkpoint")
        let vkey = try VerifierKey(h.operatorVKey)
        for n in [0, 7, 20] {
            let p = try h.json("prove", "--entry", String(n))
            let checkpoint = try Checkpoint.open(p["checkpoint"]?.stringValue ?? "", operatorKey: vkey)
            let bytes = [UInt8](Data(base64Encoded: p["entryBytes"]?.stringValue ?? "")!)
            let proof = InclusionProof(
                index: UInt64(n), treeSize: checkpoint.size, leafHash: Merkle.leafHash(bytes),
                hashes: try (p["proof"]?.arrayValue ?? []).map { try Digest(hex: $0.stringValue ?? "") })
            #expect(proof.verify(root: checkpoint.root), "entry \(n)")
        }
        let text = try h.run("prove", "--entry", "7").stdout
        #expect(text.hasPrefix("c2sp.org/tlog-proof@v1\nextra "))
        #expect(text.contains("\nindex 7\n"))
        let c = try h.json("consistency", "--from", "5")
        let proof = ConsistencyProof(
            oldSize: 5, newSize: 24, hashes: try (c["proof"]?.arrayValue ?? []).map { try Digest(hex: $0.stringValue ?? "") })
        #expect(
            proof.verify(
                oldRoot: try Digest(hex: c["oldRootHash"]?.stringValue ?? ""),
                newRoot: try Digest(hex: c["newRootHash"]?.stringValue ?? "")))
        // Out of range is bad input, exit 2, naming the option.
        let beyond = try h.run("prove", "--entry", "24")
        #expect(beyond.status == 2)
        #expect(beyond.stderr.contains("--entry"))
        #expect(try h.run("consistency", "--from", "25").status == 2)
        #expect(try h.run("prove", "--entry", "-1").status == 2)
    }

    @Test func verifyPassesThenFailsNamingTheTamperedEntry() throws {
        let h = try CLIHarness()
        try h.appendEvents(30)
        _ = try h.run("checkpoint")
        let ok = try h.json("verify", "--operator", h.operatorVKey)
        #expect(ok["ok"]?.boolValue == true)
        #expect(ok["entries"]?.intValue == 34)
        // Someone with write access edits entry 12 behind the ledger's back.
        let queue = try DatabaseQueue(path: h.ledger)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER entries_no_update")
            try db.execute(
                sql:
                    "UPDATE entries SET bytes = CAST(replace(CAST(bytes AS TEXT), 'LA-ST25-9\"', 'LA-ST25-99\"') AS BLOB) WHERE seq = 12"
            )
        }
        let bad = try h.run("verify")
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("entry 12"))
        let json = try CanonicalJSON.parse(try h.run("verify", "--json").stdout)
        #expect(json["ok"]?.boolValue == false)
        #expect(json["failure"]?["entry"]?.intValue == 12)
        #expect(json["failure"]?["code"]?.stringValue == "ledger.entry_changed")
    }

    @Test func badInputIsExitTwoWithOneLine() throws {
        let h = try CLIHarness()
        for args in [
            ["verify", "--operator", "nonsense"], ["verify", "--ledger", "missing.db"], ["prove"], ["frobnicate"],
            ["consistency", "--from", "x"],
        ] {
            let result = try Command.run(Command.trace, args, directory: h.directory)
            #expect(result.status == 2, "\(args)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(args): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(args)")
        }
        let other = try VerifierKey(name: "longan.trace.example/ledger", publicKey: try PrivateKey.generate().publicKey)
        #expect(try h.run("verify", "--operator", other.description).status == 1)
    }

    @Test func theLedgerEnvironmentVariableIsTheDefault() throws {
        let h = try CLIHarness()
        let elsewhere = try Scratch.directory()
        let result = try Command.run(Command.trace, ["verify"], environment: ["TRACE_LEDGER": h.ledger], directory: elsewhere)
        #expect(result.status == 0, "\(result.stderr)")
    }
}
