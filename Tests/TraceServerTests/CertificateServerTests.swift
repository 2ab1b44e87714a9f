import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceCertificates
import TraceCrypto
import TraceLedger

/// Certificates through a real `trace serve`: the exporter publishes with its key on its own
/// machine; anyone reads the redacted certificate; only the exporter's signed request gets the
/// full one; a certificate that does not verify is never kept.
struct CertificateServerTests {
    /// The harness's farm harvests X-1; the cooperative ships it to an exporter, who exports it.
    func exported() throws -> ServerFixture {
        let f = try ServerFixture()
        let exporter = try f.h.run("keys", "new", "--name", "vinarice", "--out", "vinarice.key").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let farmer = try f.h.run("keys", "new", "--name", "nong-ho-bay", "--out", "bay.key").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let steps: [[String]] = [
            ["party", "add", "--id", "vinarice", "--name", "Công ty Gạo Việt", "--role", "exporter", "--vkey", exporter],
            [
                "party", "add", "--id", "p-4f7k2m9q", "--person", "--name", "Nguyễn Văn Bảy", "--role", "farm", "--member-of",
                "htx-tan-lap", "--vkey", farmer,
            ],
            [
                "plot", "add", "--key", "htx-tan-lap.key", "--id", "P-002", "--farm", "p-4f7k2m9q", "--area-ha", "1.5", "--crop",
                "lúa", "--geometry", #"{"type":"Point","coordinates":[106.5201,10.6102]}"#,
            ],
            [
                "add", "--key", "htx-tan-lap.key", "--lot", "X-1", "--product", "Lúa ST25", "--quantity", "1200", "--plot",
                "P-002",
                "--harvested", "2026-07-01",
            ],
            ["ship", "--key", "htx-tan-lap.key", "--lot", "X-1", "--to", "vinarice"],
            ["receive", "--key", "vinarice.key", "--lot", "X-1"],
            [
                "export", "--key", "vinarice.key", "--lot", "X-1", "--buyer", "Hamburg", "--country", "DE", "--container",
                "MSCU1234565", "--gtin", "08934567000017",
            ],
            ["checkpoint"],
        ]
        try f.h.runAll(steps)
        return f
    }

    func signed(_ f: ServerFixture, _ target: String, key file: String, name: String) throws -> [String: String] {
        let key = try PrivateKey(contentsOfFile: f.h.directory + "/" + file)
        return try SignedRequest.headers(
            origin: "longan.trace.example/ledger", method: "GET", target: target, key: key,
            vkey: try VerifierKey(name: name, publicKey: key.publicKey))
    }

    @Test func theExporterPublishesAndOnlyItsSignedRequestGetsTheNames() throws {
        let f = try exported()
        let path = "/v1/lots/X-1/certificate"
        #expect(try f.get(path).status == 404)
        // Without --public-url, Digital Links point at the port the server actually bound (--port 0).
        let link = try f.get("/v1/lots/X-1").json()["export"]?["digitalLink"]?.stringValue
        // It carries the label's operator key fingerprint, so the browser check of the page it opens has a key to compare.
        #expect(link == f.server.url + "/01/08934567000017/10/X-1?k=" + KeyFingerprint.of(f.h.operatorVKey), "\(link ?? "")")
        let issue = try f.h.run(
            "certificate", "issue", "X-1", "--server", f.server.url, "--key", "vinarice.key", "--out", "cert.json", "--operator",
            f.h.operatorVKey, "--disclose-names")
        #expect(issue.status == 0, "\(issue.stderr)")
        #expect(issue.stdout.contains("published on"))
        // The write log names the publication, never the names it discloses.
        #expect(f.server.stderr.contains("published the full certificate of lot X-1 by vinarice"), "\(f.server.stderr)")
        #expect(!f.server.stderr.contains("Nguyễn Văn Bảy"), "\(f.server.stderr)")

        // Anyone: the redacted certificate, with no farmer's name.
        let open = try f.get(path)
        #expect(open.status == 200)
        #expect(try open.json()["redacted"] == true)
        #expect(!open.text.contains("Nguyễn Văn Bảy"))
        #expect(open.headers["cache-control"]?.contains("no-store") == true || open.headers["cache-control"] == nil)
        // The exporter's signed request: the full one.
        let full = try f.get(path, headers: try signed(f, path, key: "vinarice.key", name: "vinarice"))
        #expect(full.status == 200, "\(full.text)")
        #expect(try full.json()["redacted"] == false)
        #expect(full.text.contains("Nguyễn Văn Bảy"))
        #expect(
            try CanonicalJSON.parse(try String(contentsOfFile: f.h.directory + "/cert.json", encoding: .utf8))
                == (try full.json()))
        // Someone else's key, a stale or broken signature, or a draft without one: refused.
        let coop = try f.get(path, headers: try signed(f, path, key: "htx-tan-lap.key", name: "htx-tan-lap"))
        let coopCode = try coop.json()["code"]?.stringValue
        #expect(coop.status == 403 && coopCode == "certificate.not_exporter")
        var replayed = try signed(f, path, key: "vinarice.key", name: "vinarice")
        replayed["Trace-Time"] = "2026-01-01T00:00:00Z"
        #expect(try f.get(path, headers: replayed).status == 401)
        #expect(try f.get(path + "?draft=full").status == 401)

        // The buyer checks the downloaded file against the live server: consistent, key not revoked.
        try open.text.write(toFile: f.h.directory + "/open.json", atomically: true, encoding: .utf8)
        let verify = try f.h.run("certificate", "verify", "open.json", "--operator", f.h.operatorVKey, "--server", f.server.url)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("ok   consistency:") && verify.stdout.contains("ok   revocation:"))
    }

    @Test func aRecallWithdrawsAPublishedCertificate() throws {
        let f = try exported()
        let issue = try f.h.run(
            "certificate", "issue", "X-1", "--server", f.server.url, "--key", "vinarice.key", "--out", "cert.json", "--operator",
            f.h.operatorVKey, "--disclose-names")
        #expect(issue.status == 0, "\(issue.stderr)")
        #expect(try f.get("/v1/lots/X-1/certificate").status == 200)
        #expect(try f.h.run("recall", "X-1", "--reason", "lab test failed", "--ledger", f.h.ledger).status == 0)
        let withdrawn = try f.get("/v1/lots/X-1/certificate")
        #expect(withdrawn.status == 409, "\(withdrawn.text)")
        #expect(try withdrawn.json()["code"]?.stringValue == "certificate.recalled")
    }

    @Test func entryNumbersBeyondSQLitesIntegersAreRefusedNotFatal() throws {
        let f = try ServerFixture()
        for path in [
            "/v1/entries?start=9223372036854775808&limit=5", "/v1/proofs/inclusion?entry=5&size=18446744073709551615",
            "/v1/proofs/consistency?from=0&to=9223372036854775808",
        ] {
            #expect(try f.get(path).status == 400, "\(path)")
        }
        #expect(try f.get("/v1/checkpoint").status == 200)
    }

    @Test func aCertificateThatDoesNotVerifyIsNeverKept() throws {
        let f = try exported()
        #expect(try f.h.run("certificate", "issue", "X-1", "--out", "cert.json", "--key", "vinarice.key").status == 0)
        var text = try String(contentsOfFile: f.h.directory + "/cert.json", encoding: .utf8)
        text = text.replacingOccurrences(of: #""redacted":true"#, with: #""redacted":false"#)
        let put = try HTTPReply.send("PUT", f.server.url + "/v1/lots/X-1/certificate", body: Array(text.utf8))
        #expect(put.status == 422, "\(put.text)")
        #expect(try put.json()["code"]?.stringValue == "certificate.not_verified")
        #expect(try f.get("/v1/lots/X-1/certificate").status == 404)
        let wrongLot = try HTTPReply.send("PUT", f.server.url + "/v1/lots/X-2/certificate", body: Array(text.utf8))
        #expect(wrongLot.status == 400)
    }
}
