import CanonicalJSON
import Foundation
import GRDB
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceLedgerSQLite

/// The supply-chain commands through the real binary.
struct DomainCLITests {
    @Test func aSignedEntryThatBreaksARuleIsFoundByVerify() throws {
        let h = try CLIHarness()
        try h.appendEvents(3)
        // A stolen cooperative key, and write access to the file: an entry that ships a lot the
        // cooperative gave to nobody, over a lot that does not exist, appended straight into the store.
        let key = try PrivateKey(contentsOfFile: h.directory + "/htx-tan-lap.key")
        let planted = try SignedEvent.sign(
            SupplyChain.event("ship", actor: "htx-tan-lap", ["lot": "LA-ST25-404", "to": "trang-trai-bay"]), with: key,
            keyName: "htx-tan-lap")
        let ledger = try Ledger(path: h.ledger)
        try ledger.store.write { writer in
            let size = try writer.size()
            try writer.append(try Entry(seq: size, recorded: Timestamp.now(), prev: try writer.lastLeafHash(), signed: planted))
        }
        let result = try h.run("verify")
        #expect(result.status == 1)
        #expect(result.stderr.contains("entry 7 breaks a rule"), "\(result.stderr)")
        #expect(result.stderr.contains("there is no lot LA-ST25-404"))
        let json = try CanonicalJSON.parse(try h.run("verify", "--json").stdout)
        #expect(json["failure"]?["entry"]?.intValue == 7)
        #expect(json["failure"]?["code"]?.stringValue == "domain.unknown_lot")
    }

    @Test func submitReportsEveryBadLineAndWritesNothing() throws {
        let h = try CLIHarness()
        let lines = [
            #"{"type":"harvest","lot":"S-1","product":"Lúa ST25","quantity":"100","unit":"kg","plot":"P-001","harvested":"2026-07-01"}"#,
            #"{"type":"harvest","lot":"S-2","product":"Lúa ST25","quantity":"abc","unit":"kg","plot":"P-001","harvested":"2026-07-01"}"#,
            #"not json"#,
            #"{"type":"harvest","lot":"S-1","product":"Lúa ST25","quantity":"5","unit":"kg","plot":"P-001","harvested":"2026-07-01"}"#,
            #"{"type":"harvest","lot":"S-4","product":"Lúa ST25","quantity":"5","unit":"kg","plot":"P-404","harvested":"2026-07-01"}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: h.directory + "/batch.jsonl", atomically: true, encoding: .utf8)
        let before = try Ledger(path: h.ledger).size()
        let result = try h.run("submit", "--key", "htx-tan-lap.key", "--file", "batch.jsonl")
        #expect(result.status == 2)
        for expected in [
            "line 2:", "\"abc\" is not a quantity", "line 3:", "line 4:", "S-1 is already used", "line 5:", "no plot P-404",
            "nothing was written",
        ] {
            #expect(result.stderr.contains(expected), "\(expected) in \(result.stderr)")
        }
        #expect(!result.stderr.contains("line 1:"))
        #expect(try Ledger(path: h.ledger).size() == before)
        // The good lines alone land together; sending them again records nothing new.
        let good = lines[0].replacingOccurrences(
            of: #"{"type""#, with: #"{"id":"coop-s-1","time":"2026-07-01T08:00:00+07:00","type""#)
        try (good + "\n").write(toFile: h.directory + "/good.jsonl", atomically: true, encoding: .utf8)
        let ok = try h.json("submit", "--key", "htx-tan-lap.key", "--file", "good.jsonl")
        #expect(ok["new"]?.intValue == 1)
        let size = try Ledger(path: h.ledger).size()
        let again = try h.run("submit", "--key", "htx-tan-lap.key", "--file", "good.jsonl")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("1 already recorded"))
        #expect(try Ledger(path: h.ledger).size() == size)
    }

    @Test func anEventIDMakesARetryIdempotent() throws {
        let h = try CLIHarness()
        let args = [
            "add", "--key", "htx-tan-lap.key", "--lot", "R-1", "--product", "Lúa", "--quantity", "10", "--plot", "P-001",
            "--harvested", "2026-07-01", "--event-id", "coop-2026-07-01-001", "--json",
        ]
        let run = try Command.run(Command.trace, args, directory: h.directory)
        try #require(run.status == 0, "\(run.stderr)")
        let first = try CanonicalJSON.parse(run.stdout)
        let second = try CanonicalJSON.parse(try Command.run(Command.trace, args, directory: h.directory).stdout)
        #expect(first["entry"] == second["entry"])
        #expect(second["duplicate"]?.boolValue == true)
        #expect(try Ledger(path: h.ledger).size() == UInt64(CLIHarness.setupEntries + 1))
    }

    @Test func recallBlocksExportUntilReleaseAndForgetKeepsTheLedgerValid() throws {
        let h = try CLIHarness()
        let exporter = try h.run("keys", "new", "--name", "vinarice", "--out", "vinarice.key").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(
            try h.run("party", "add", "--id", "vinarice", "--name", "Công ty Gạo Việt", "--role", "exporter", "--vkey", exporter)
                .status == 0)
        let farmer = try h.run("keys", "new", "--name", "nong-ho-bay", "--out", "bay.key").stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(
            try h.run(
                "party", "add", "--id", "p-4f7k2m9q", "--person", "--name", "Nguyễn Văn Bảy", "--phone", "0909123456",
                "--role", "farm", "--member-of", "htx-tan-lap", "--vkey", farmer
            ).status == 0)
        #expect(
            try h.run(
                "add", "--key", "htx-tan-lap.key", "--lot", "X-1", "--product", "Lúa", "--quantity", "10", "--plot", "P-001",
                "--harvested", "2026-07-01"
            ).status == 0)
        #expect(try h.run("ship", "--key", "htx-tan-lap.key", "--lot", "X-1", "--to", "vinarice").status == 0)
        #expect(try h.run("receive", "--key", "vinarice.key", "--lot", "x-1").status == 0)
        let recall = try h.run("recall", "X-1", "--reason", "lab test failed")
        #expect(recall.status == 0, "\(recall.stderr)")
        #expect(recall.stdout.contains("notify vinarice: X-1"))
        let export = [
            "export", "--key", "vinarice.key", "--lot", "X-1", "--buyer", "Hamburg", "--country", "de", "--container",
            "MSCU1234565",
        ]
        let refused = try Command.run(Command.trace, export, directory: h.directory)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("on hold"))
        #expect(try h.run("release", "X-1").status == 0)
        #expect(try Command.run(Command.trace, export, directory: h.directory).status == 0)
        // The farmer asks to be forgotten: the name goes, the ledger still verifies.
        let db = try String(contentsOfFile: h.ledger, encoding: .isoLatin1)
        #expect(db.contains("0909123456"))
        let forget = try h.run("forget", "--person", "p-4f7k2m9q")
        #expect(forget.status == 0)
        #expect(forget.stdout.contains("erased 2 values"))
        // Gone from the file and its log, not just from the table.
        let after =
            try String(contentsOfFile: h.ledger, encoding: .isoLatin1)
            + ((try? String(contentsOfFile: h.ledger + "-wal", encoding: .isoLatin1)) ?? "")
        #expect(!after.contains("0909123456"))
        #expect(!after.contains("Nguy"))
        #expect(try h.run("verify").status == 0)
        #expect(try h.run("forget", "--person", "htx-tan-lap").status == 2)
    }
}

struct ProveLotTests {
    @Test func everyEntryOfALotIsProvedAgainstTheCheckpoint() throws {
        let h = try CLIHarness()
        try h.appendEvents(3)
        #expect(try h.run("ship", "--key", "htx-tan-lap.key", "--lot", "LA-ST25-2", "--to", "trang-trai-bay").status == 0)
        #expect(try h.run("checkpoint").status == 0)
        let result = try h.json("prove", "--lot", "la-st25-2")
        let checkpoint = try Checkpoint.open(
            result["checkpoint"]?.stringValue ?? "", operatorKey: try VerifierKey(h.operatorVKey))
        let proofs = result["proofs"]?.arrayValue ?? []
        #expect(proofs.map { $0["entry"]?.intValue } == [5, 7])
        for p in proofs {
            let bytes = [UInt8](Data(base64Encoded: p["entryBytes"]?.stringValue ?? "")!)
            let proof = InclusionProof(
                index: UInt64(p["entry"]?.intValue ?? 0), treeSize: checkpoint.size, leafHash: Merkle.leafHash(bytes),
                hashes: try (p["proof"]?.arrayValue ?? []).map { try Digest(hex: $0.stringValue ?? "") })
            #expect(proof.verify(root: checkpoint.root))
        }
        #expect(try h.run("prove", "--lot", "NO-SUCH").status == 2)
        #expect(try h.run("prove", "--lot", "LA-ST25-2", "--entry", "1").status == 2)
    }
}

struct VerifyLotTests {
    @Test func aBuyerChecksOneLotAndOnlyItsStory() throws {
        let h = try CLIHarness()
        try h.appendEvents(6)  // lots LA-ST25-1..6 at entries 4..9
        #expect(
            try h.run("merge", "--key", "htx-tan-lap.key", "--lot", "LA-ST25-1", "--lot", "LA-ST25-2", "--into", "M-12").status
                == 0)
        #expect(try h.run("checkpoint").status == 0)
        let ok = try h.json("verify-lot", "m-12", "--operator", h.operatorVKey)
        #expect(ok["ok"]?.boolValue == true)
        // Genesis, the cooperative, the farm, the plot, two harvests and the merge.
        #expect(ok["entriesChecked"]?.intValue == 7)
        #expect(try h.run("verify-lot", "M-12").stdout.contains("origin: lot LA-ST25-1, plot P-001"))

        // Tampering outside the lot's story: the buyer's check still passes, the full check fails.
        try tamper(h, seq: 8, "LA-ST25-5", "LA-ST25-9")
        #expect(try h.run("verify-lot", "M-12").status == 0)
        #expect(try h.run("verify").status == 1)
        // Tampering inside it: named.
        try tamper(h, seq: 5, "\"1200\"", "\"9200\"")
        let bad = try h.run("verify-lot", "M-12")
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("entry 5"), "\(bad.stderr)")
        // An event after the last checkpoint must be covered first: not verified yet.
        #expect(try h.run("ship", "--key", "htx-tan-lap.key", "--lot", "LA-ST25-3", "--to", "trang-trai-bay").status == 0)
        let pending = try h.run("verify-lot", "LA-ST25-3")
        #expect(pending.status == 1)
        #expect(pending.stderr.contains("beyond the latest checkpoint"), "\(pending.stderr)")
    }

    func tamper(_ h: CLIHarness, seq: Int, _ from: String, _ to: String) throws {
        try DatabaseQueue(path: h.ledger).writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS entries_no_update")
            try db.execute(
                sql: "UPDATE entries SET bytes = CAST(replace(CAST(bytes AS TEXT), ?, ?) AS BLOB) WHERE seq = ?",
                arguments: [from, to, seq])
        }
    }
}
