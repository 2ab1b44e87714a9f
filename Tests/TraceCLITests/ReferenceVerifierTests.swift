import Foundation
import GRDB
import TestSupport
import Testing

/// tools/verify-ledger.py was written from docs/FORMAT.md alone, in Python with `cryptography`:
/// it agreeing with us on ledgers the real CLI made is the test that the document suffices.
struct ReferenceVerifierTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let python: String? = {
        guard let python = Command.which("python3"),
            (try? Command.run(python, ["-c", "import cryptography"]))?.status == 0
        else { return nil }
        return python
    }()

    func verifier(_ args: [String]) throws -> CommandResult {
        try Command.run(Self.python!, [Self.root + "/tools/verify-ledger.py"] + args)
    }

    @Test(.enabled(if: python != nil, "SKIPPED: needs python3 with the cryptography package (tools/setup installs it)"))
    func pythonVerifierAgreesOnCLILedgersAndProofs() throws {
        let h = try CLIHarness()
        try h.appendEvents(25)
        _ = try h.run("checkpoint")
        try h.appendEvents(6, from: 100)
        _ = try h.run("checkpoint")
        let ok = try verifier([h.ledger, "--operator", h.operatorVKey])
        #expect(ok.status == 0, "\(ok.stdout) \(ok.stderr)")
        #expect(ok.stdout.hasPrefix("ok: 35 entries"))

        for entry in ["0", "13", "31"] {
            let file = h.directory + "/proof-\(entry).json"
            try h.run("prove", "--entry", entry, "--json").stdout.write(toFile: file, atomically: true, encoding: .utf8)
            let proof = try verifier(["--proof", file, "--operator", h.operatorVKey])
            #expect(proof.status == 0, "entry \(entry): \(proof.stdout) \(proof.stderr)")
            let tlog = h.directory + "/proof-\(entry).tlog-proof"
            try h.run("prove", "--entry", entry).stdout.write(toFile: tlog, atomically: true, encoding: .utf8)
            #expect(try verifier(["--tlog-proof", tlog, "--operator", h.operatorVKey]).status == 0)
        }
        let cons = h.directory + "/cons.json"
        try h.run("consistency", "--from", "9", "--json").stdout.write(toFile: cons, atomically: true, encoding: .utf8)
        #expect(try verifier(["--consistency", cons, "--operator", h.operatorVKey]).status == 0)

        // Both verifiers name the same entry when one is changed.
        try DatabaseQueue(path: h.ledger).writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER entries_no_update")
            try db.execute(
                sql:
                    "UPDATE entries SET bytes = CAST(replace(CAST(bytes AS TEXT), 'LA-ST25-17\"', 'LA-ST25-99\"') AS BLOB) WHERE seq = 20"
            )
        }
        let bad = try verifier([h.ledger, "--operator", h.operatorVKey, "--json"])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("\"entry\": 20") || bad.stdout.contains("\"entry\":20"), "\(bad.stdout)")
        #expect(try h.run("verify").stderr.contains("entry 20"))
    }

    @Test(.enabled(if: python != nil, "SKIPPED: needs python3 (tools/setup installs it)"))
    func referenceVerifierSelfTestsPass() throws {
        let result = try Command.run(Self.python!, [Self.root + "/tools/test-verify-ledger.py"])
        #expect(result.status == 0, "\(result.stdout.suffix(2000)) \(result.stderr.suffix(2000))")
    }

    @Test(
        .enabled(
            if: python != nil && (try? Command.run("python3", ["-c", "import jsonschema"]))?.status == 0,
            "SKIPPED: needs python3 with jsonschema"))
    func proofOutputsMatchTheirSchemas() throws {
        let h = try CLIHarness()
        try h.appendEvents(5)
        _ = try h.run("checkpoint")
        let proof = h.directory + "/p.json"
        let cons = h.directory + "/c.json"
        try h.run("prove", "--entry", "3", "--json").stdout.write(toFile: proof, atomically: true, encoding: .utf8)
        try h.run("consistency", "--from", "2", "--json").stdout.write(toFile: cons, atomically: true, encoding: .utf8)
        let script = """
            import base64, json, sqlite3, sys, jsonschema
            root = sys.argv[1]
            def check(schema, doc):
                jsonschema.validate(doc, json.load(open(f"{root}/schemas/{schema}")), cls=jsonschema.Draft202012Validator)
            check("proof-v1.schema.json", json.load(open(sys.argv[2])))
            check("consistency-v1.schema.json", json.load(open(sys.argv[3])))
            for (raw,) in sqlite3.connect(sys.argv[4]).execute("SELECT bytes FROM entries"):
                check("entry-v1.schema.json", json.loads(bytes(raw)))
            print("ok")
            """
        let result = try Command.run(Self.python!, ["-c", script, Self.root, proof, cons, h.ledger])
        #expect(result.status == 0 && result.stdout == "ok\n", "\(result.stderr)")
    }
}
