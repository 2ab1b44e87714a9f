import CanonicalJSON
import Foundation
import TestSupport
import Testing

/// `trace certificate issue / verify` and `trace eudr` through the real binary.
struct CertificateCLITests {
    /// The harness's cooperative harvests X-1, ships it to an exporter, who exports it with a GTIN.
    func exported() throws -> CLIHarness {
        let h = try CLIHarness()
        let exporter = try h.run("keys", "new", "--name", "vinarice", "--out", "vinarice.key").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try h.run("party", "add", "--id", "vinarice", "--name", "Công ty Gạo Việt", "--role", "exporter", "--vkey", exporter)
        let steps: [[String]] = [
            [
                "add", "--key", "htx-tan-lap.key", "--lot", "X-1", "--product", "Lúa ST25", "--quantity", "1200", "--plot",
                "P-001",
                "--harvested", "2026-07-01",
            ],
            ["ship", "--key", "htx-tan-lap.key", "--lot", "X-1", "--to", "vinarice"],
            ["receive", "--key", "vinarice.key", "--lot", "X-1"],
            [
                "export", "--key", "vinarice.key", "--lot", "X-1", "--buyer", "Hamburg Reis", "--country", "DE", "--container",
                "MSCU1234565", "--gtin", "08934567000017",
            ],
            ["checkpoint"],
        ]
        try h.runAll(steps)
        return h
    }

    @Test func anExporterIssuesACertificateABuyerVerifiesItOfflineAndATamperedOneFails() throws {
        let h = try exported()
        let issue = try h.run(
            "certificate", "issue", "X-1", "--out", "cert.json", "--html", "cert.html", "--public-url",
            "https://trace.example.vn",
            "--key", "vinarice.key")
        #expect(issue.status == 0, "\(issue.stderr)")
        #expect(issue.stdout.contains("wrote cert.json: lot X-1"))
        let file = try Data(contentsOf: URL(fileURLWithPath: h.directory + "/cert.json"))
        let problem = try SchemaCheck.problem([UInt8](file), against: "certificate-v1.schema.json")
        #expect(problem == nil, "\(problem ?? "")")
        let html = try String(contentsOfFile: h.directory + "/cert.html", encoding: .utf8)
        #expect(html.contains("https://trace.example.vn/01/08934567000017/10/X-1"))

        // Offline, in another folder: only the file and the operator's key.
        let elsewhere = try Scratch.directory()
        try FileManager.default.copyItem(atPath: h.directory + "/cert.json", toPath: elsewhere + "/cert.json")
        let ok = try Command.run(
            Command.trace, ["certificate", "verify", "cert.json", "--operator", h.operatorVKey], directory: elsewhere)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("ok   inclusion:") && ok.stdout.contains("VERIFIED: lot X-1"))
        #expect(ok.stdout.contains("origin: lot X-1, plot P-001"))

        // Consistency with the live ledger, after it grew.
        _ = try h.run(
            "add", "--key", "htx-tan-lap.key", "--lot", "X-2", "--product", "Lúa", "--quantity", "1", "--plot", "P-001",
            "--harvested", "2026-07-02")
        _ = try h.run("checkpoint")
        let consistent = try h.run("certificate", "verify", "cert.json", "--operator", h.operatorVKey, "--ledger", "trace.db")
        #expect(consistent.status == 0, "\(consistent.stderr)")
        #expect(consistent.stdout.contains("ok   consistency:"))

        // One changed character in the signed part: exit 1, naming the check.
        var text = try String(contentsOfFile: elsewhere + "/cert.json", encoding: .utf8)
        text = text.replacingOccurrences(of: #""redacted":true"#, with: #""redacted":false"#)
        try text.write(toFile: elsewhere + "/bad.json", atomically: true, encoding: .utf8)
        let bad = try Command.run(
            Command.trace, ["certificate", "verify", "bad.json", "--operator", h.operatorVKey, "--json"], directory: elsewhere)
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("NOT VERIFIED: lot X-1: exporter:"), "\(bad.stderr)")
        let report = try CanonicalJSON.parse(bad.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(report["ok"] == false)

        // Not a certificate, or the wrong operator: refused with a reason.
        try "{}".write(toFile: elsewhere + "/empty.json", atomically: true, encoding: .utf8)
        let empty = try Command.run(
            Command.trace, ["certificate", "verify", "empty.json", "--operator", h.operatorVKey], directory: elsewhere)
        #expect(empty.status == 2 && empty.stderr.contains("type"), "\(empty.stderr)")
        let other = try CLIHarness(origin: "other.example/ledger")
        let wrong = try Command.run(
            Command.trace, ["certificate", "verify", "cert.json", "--operator", other.operatorVKey], directory: elsewhere)
        #expect(wrong.status == 1 && wrong.stderr.contains("checkpoint:"), "\(wrong.stderr)")
    }

    @Test func onlyTheHoldingExporterIssuesAndTheQRNeedsAPublicURL() throws {
        let h = try exported()
        let coop = try h.run("certificate", "issue", "X-1", "--out", "c.json", "--key", "htx-tan-lap.key")
        #expect(coop.status == 2 && coop.stderr.contains("not an exporter"), "\(coop.stderr)")
        let noURL = try h.run("certificate", "issue", "X-1", "--out", "c.json", "--html", "c.html", "--key", "vinarice.key")
        #expect(noURL.status == 2 && noURL.stderr.contains("--public-url"), "\(noURL.stderr)")
        #expect(!FileManager.default.fileExists(atPath: h.directory + "/c.json"))
    }

    @Test func theLiveLedgerCatchesARevokedExporterKeyAndAnUnreachableServerFails() throws {
        let h = try exported()
        #expect(try h.run("certificate", "issue", "X-1", "--out", "cert.json", "--key", "vinarice.key").status == 0)
        let args = ["certificate", "verify", "cert.json", "--operator", h.operatorVKey]
        #expect(try Command.run(Command.trace, args + ["--ledger", "trace.db"], directory: h.directory).status == 0)
        #expect(try h.run("party", "revoke", "--id", "vinarice", "--reason", "laptop stolen").status == 0)
        _ = try h.run("checkpoint")
        // Offline the file still holds (it cannot see the revocation); against the ledger it fails.
        #expect(try Command.run(Command.trace, args, directory: h.directory).status == 0)
        let live = try Command.run(Command.trace, args + ["--ledger", "trace.db"], directory: h.directory)
        #expect(live.status == 1 && live.stderr.contains("revocation: the exporter's key was revoked"), "\(live.stderr)")
        // Asked to check a server that does not answer: a failed check, not a pass.
        let down = try Command.run(
            Command.trace, args + ["--server", "http://127.0.0.1:9", "--html", "x.html", "--public-url", "https://x.example"],
            directory: h.directory)
        #expect(down.status == 1 && down.stderr.contains("consistency: the live ledger could not be checked"), "\(down.stderr)")
        #expect(!FileManager.default.fileExists(atPath: h.directory + "/x.html"))
        let hostile = try h.run(
            "certificate", "issue", "X-1", "--out", "c2.json", "--html", "c2.html", "--key", "vinarice.key", "--public-url",
            #"https://x.example/"><script>alert(1)</script>"#)
        #expect(hostile.status == 2 && hostile.stderr.contains("--public-url"), "\(hostile.stderr)")
    }

    static let python: String? = {
        guard let python = Command.which("python3"),
            (try? Command.run(python, ["-c", "import cryptography"]))?.status == 0
        else { return nil }
        return python
    }()

    /// tools/verify-certificate.py was written from FORMAT.md alone: it must reach the same verdict,
    /// naming the same check, as `trace certificate verify`.
    @Test(.enabled(if: python != nil, "SKIPPED: needs python3 with cryptography (tools/setup installs it)"))
    func theIndependentPythonVerifierAgrees() throws {
        let h = try exported()
        #expect(try h.run("certificate", "issue", "X-1", "--out", "cert.json", "--key", "vinarice.key").status == 0)
        let text = try String(contentsOfFile: h.directory + "/cert.json", encoding: .utf8)
        let certificate = try CanonicalJSON.parse(text)
        var tampered: [(String, String)] = [("cert.json", "")]
        // A flipped character in the exporter's signature, and in an entry's bytes.
        let signature = try #require(certificate["signature"]?["value"]?.stringValue)
        let flipped = (signature.first == "A" ? "B" : "A") + signature.dropFirst()
        tampered.append(("sig.json", text.replacingOccurrences(of: signature, with: flipped)))
        let entry = try #require(certificate["entries"]?.arrayValue?.last?["entry"]?.stringValue)
        let changed = Data(base64Encoded: entry)!.base64EncodedString().replacingOccurrences(of: "A", with: "B")
        tampered.append(("entry.json", text.replacingOccurrences(of: entry, with: changed)))
        for (name, body) in tampered where !body.isEmpty {
            try body.write(toFile: h.directory + "/" + name, atomically: true, encoding: .utf8)
        }
        let script = SchemaCheck.root + "/tools/verify-certificate.py"
        for (name, _) in tampered {
            let ours = try h.run("certificate", "verify", name, "--operator", h.operatorVKey)
            let theirs = try Command.run(Self.python!, [script, name, "--operator", h.operatorVKey], directory: h.directory)
            #expect(ours.status == theirs.status, "\(name): trace \(ours.status), python \(theirs.status): \(theirs.stdout)")
            let verdict = { (out: String) in out.split(separator: "\n").first { $0.contains("VERIFIED") }.map(String.init) ?? "" }
            let firstFail = { (out: String) in out.split(separator: "\n").first { $0.hasPrefix("FAIL") }.map(String.init) ?? "" }
            #expect(
                firstFail(ours.stdout).split(separator: ":").first == firstFail(theirs.stdout).split(separator: ":").first,
                "\(name): trace says \(firstFail(ours.stdout)); python says \(firstFail(theirs.stdout))")
            if name == "cert.json" { #expect(verdict(theirs.stdout).hasPrefix("VERIFIED: lot X-1"), "\(theirs.stdout)") }
        }
    }

    @Test func eudrWritesTheOriginPlotsAsGeoJSON() throws {
        let h = try exported()
        let result = try h.run("eudr", "X-1", "--out", "plots.geojson")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("1 plot of lot X-1 (not an EUDR commodity"))
        #expect(result.stdout.contains("plot P-001: no date since which it is cultivated"))
        let geojson = try String(contentsOfFile: h.directory + "/plots.geojson", encoding: .utf8)
        #expect(geojson.contains(#""coordinates":[106.512300,10.601100]"#))
        #expect(try h.run("eudr", "X-1", "--out", "p.geojson", "--country", "Vietnam").status == 2)
    }
}
