import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceLedger
import TraceLedgerSQLite

/// `certificate issue --witness`: the QR URL names the witnesses (`w=`) and the certificate
/// carries a checkpoint they cosigned; `certificate verify --witness` and the Python verifier
/// agree on it. The witnesses' cosignatures are made here and kept beside the ledger, as
/// `trace serve --witness-url` keeps them (FORMAT.md section 17).
struct WitnessCertificateTests {
    struct Witness {
        let vkey: String
        let key: PrivateKey
        var name: String { String(vkey.prefix { $0 != "+" }) }

        /// Adds this witness's cosignature of `note` to the notes kept beside `h`'s ledger.
        func cosign(_ note: String, in h: CLIHarness) throws {
            let text = try SignedNote(parsing: note).text
            let line = try Cosignature.sign(checkpointText: text, timestamp: 1_764_547_200, key: key).line(by: CosignerKey(vkey))
            try CosignedCheckpoints(besideLedger: h.ledger).add(lines: [line], to: note)
        }
    }

    static func witnesses(_ h: CLIHarness) throws -> [Witness] {
        try (1...3).map { n in
            let made = try h.run("keys", "new", "--witness", "--name", "witness.test/w\(n)", "--out", "w\(n).key")
            try #require(made.status == 0, "\(made.stderr)")
            return Witness(
                vkey: made.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                key: try PrivateKey(contentsOfFile: h.directory + "/w\(n).key"))
        }
    }

    @Test func issueWithWitnessesNamesThemInTheQRURLAndCarriesTheNewestCheckpointTheyCosigned() throws {
        let h = try CertificateCLITests().exported()
        let w = try Self.witnesses(h)
        let witnessed = try #require(try Ledger(path: h.ledger).latestCheckpoint())
        try w[0].cosign(witnessed.1, in: h)
        try w[1].cosign(witnessed.1, in: h)
        // A newer checkpoint only w1 has cosigned yet: the certificate keeps to the witnessed one.
        try h.runAll([
            [
                "add", "--key", "htx-tan-lap.key", "--lot", "X-2", "--product", "Lúa", "--quantity", "1", "--plot", "P-001",
                "--harvested", "2026-07-02",
            ],
            ["checkpoint"],
        ])
        let latest = try #require(try Ledger(path: h.ledger).latestCheckpoint())
        try w[0].cosign(latest.1, in: h)
        let two = ["--witness", w[0].vkey, "--witness", w[1].vkey]

        let issued = try Command.run(
            Command.trace,
            [
                "certificate", "issue", "X-1", "--out", "cert.json", "--key", "vinarice.key", "--html", "cert.html",
                "--public-url",
                "https://trace.example.vn",
            ] + two, directory: h.directory)
        #expect(issued.status == 0, "\(issued.stderr)")
        let certificate = try CanonicalJSON.parse(try String(contentsOfFile: h.directory + "/cert.json", encoding: .utf8))
        let note = try SignedNote(parsing: certificate["checkpoint"]?.stringValue ?? "")
        #expect(try Checkpoint(text: note.text).size == witnessed.0.size)
        #expect(Set(note.signatures.map(\.name)).isSuperset(of: [w[0].name, w[1].name]))
        let html = try String(contentsOfFile: h.directory + "/cert.html", encoding: .utf8)
        let k = KeyFingerprint.of(h.operatorVKey)
        #expect(
            html.contains("10/X-1?k=\(k)&amp;w=\(KeyFingerprint.of(w[0].vkey))&amp;w=\(KeyFingerprint.of(w[1].vkey))"), "\(html)")

        // Both verifiers accept it with the two witnesses, and refuse it when a third is required.
        let three = two + ["--witness", w[2].vkey]
        for (options, ok) in [(two, true), (three, false), (two + ["--witness-quorum", "1"], true)] {
            let ours = try Command.run(
                Command.trace, ["certificate", "verify", "cert.json", "--operator", h.operatorVKey, "--json"] + options,
                directory: h.directory)
            #expect((ours.status == 0) == ok, "\(options.count): \(ours.stdout) \(ours.stderr)")
            let checks =
                try CanonicalJSON.parse(ours.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["checks"]?
                .arrayValue ?? []
            let witnessCheck = checks.first { $0["check"]?.stringValue == "witnesses" }
            #expect(witnessCheck?["passed"]?.boolValue == ok, "\(checks)")
            if !ok {
                #expect(witnessCheck?["detail"]?.stringValue?.contains("missing: witness.test/w3") == true, "\(checks)")
            }
            guard let python = CertificateCLITests.python else { continue }
            let theirs = try Command.run(
                python,
                [SchemaCheck.root + "/tools/verify-certificate.py", "cert.json", "--operator", h.operatorVKey, "--json"]
                    + options, directory: h.directory)
            #expect((theirs.status == 0) == ok, "python: \(theirs.stdout) \(theirs.stderr)")
            if !ok {
                let verdict = try CanonicalJSON.parse(theirs.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
                #expect(verdict["failure"]?["check"]?.stringValue == "witnesses", "python: \(verdict)")
            }
        }

        // No checkpoint with a quorum of three: nothing is issued, and the missing are named.
        let refused = try Command.run(
            Command.trace, ["certificate", "issue", "X-1", "--out", "none.json", "--key", "vinarice.key"] + three,
            directory: h.directory)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("missing: witness.test/w2, witness.test/w3"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: h.directory + "/none.json"))
    }
}
