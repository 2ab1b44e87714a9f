import CanonicalJSON
import Foundation
import TestSupport
import Testing

/// The certificate's live checks are one function: `trace certificate verify` against the ledger
/// file, the same command against the server, and the server's own certificate route give the
/// same verdict for the same certificate, failing the same check.
struct LiveChecksTests {
    /// What each surface says of the published certificate: its verdict and the first check it failed.
    struct Said: Equatable, CustomStringConvertible {
        let verdict: String
        let failed: String?
        var description: String { "\(verdict) (\(failed ?? "no failed check"))" }
    }

    /// The exported lot X-1's certificate, issued and published through the server.
    func published() throws -> ServerFixture {
        let f = try CertificateServerTests().exported()
        let issue = try f.h.run(
            "certificate", "issue", "X-1", "--server", f.server.url, "--key", "vinarice.key", "--out", "cert.json", "--operator",
            f.h.operatorVKey)
        #expect(issue.status == 0, "\(issue.stderr)")
        return f
    }

    /// The CLI's answer with `--ledger` and with `--server`, then the server's certificate route's.
    func surfaces(_ f: ServerFixture) throws -> [Said] {
        let cli = try [["--ledger", f.h.ledger], ["--server", f.server.url]].map { live in
            let result = try Command.run(
                Command.trace, ["certificate", "verify", "cert.json", "--operator", f.h.operatorVKey, "--json"] + live,
                directory: f.h.directory)
            let answer = try CanonicalJSON.parse(result.stdout)
            let failed = answer["checks"]?.arrayValue?.first { $0["passed"] == .bool(false) }?["check"]?.stringValue
            let verdict = answer["verdict"]?.stringValue ?? ""
            #expect(result.status == (verdict == "verified" ? 0 : 1), "\(result.stderr)")
            return Said(verdict: verdict, failed: failed)
        }
        let reply = try f.get("/v1/lots/X-1/certificate")
        guard reply.status != 200 else { return cli + [Said(verdict: "verified", failed: nil)] }
        let problem = try reply.json()
        let verdict = ["certificate.recalled": "recalled", "certificate.not_verified": "not_verified"][
            problem["code"]?.stringValue ?? ""]
        // "the certificate is withdrawn: CHECK: why"
        let detail = problem["detail"]?.stringValue ?? ""
        let failed = detail.split(separator: ": ").dropFirst().first.map(String.init)
        return cli + [Said(verdict: verdict ?? "unknown \(reply.status)", failed: failed)]
    }

    @Test func aRecalledLotIsRecalledOnEverySurface() throws {
        let f = try published()
        #expect(try surfaces(f) == Array(repeating: Said(verdict: "verified", failed: nil), count: 3))
        #expect(try f.h.run("recall", "X-1", "--reason", "lab test failed", "--ledger", f.h.ledger).status == 0)
        // A verdict speaks for a signed checkpoint: until one covers the recall, the lot's story
        // is not yet verifiable (not verified), on every surface that has not signed one itself.
        #expect(try f.h.run("checkpoint", "--ledger", f.h.ledger).status == 0)
        let said = try surfaces(f)
        #expect(said == Array(repeating: Said(verdict: "recalled", failed: "recall"), count: 3), "\(said)")
        #expect(try f.get("/v1/lots/X-1/certificate").status == 409)
    }

    @Test func aRevokedExporterKeyFailsRevocationOnEverySurface() throws {
        let f = try published()
        let revoke = try f.h.run("party", "revoke", "--id", "vinarice", "--reason", "key lost", "--ledger", f.h.ledger)
        #expect(revoke.status == 0, "\(revoke.stderr)")
        let said = try surfaces(f)
        #expect(said == Array(repeating: Said(verdict: "not_verified", failed: "revocation"), count: 3), "\(said)")
        #expect(try f.get("/v1/lots/X-1/certificate").status == 410)
    }
}
