import Foundation
import TestSupport
import Testing
import TraceLedger

/// The label the clerk's app prints (`/app/qr/{lot}`): its QR URL carries the operator key's
/// fingerprint (`k=`) and the witnesses' (`w=`), which the buyer's page checks its keys against.
struct LabelQRTests {
    @Test func theLabelsQRURLCarriesTheOperatorAndWitnessFingerprints() throws {
        let h = try CLIHarness()
        let made = try h.run("keys", "new", "--witness", "--name", "witness.test/w1", "--out", "w1.key")
        try #require(made.status == 0, "\(made.stderr)")
        let witness = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try ServerProcess(
            ["--ledger", h.ledger, "--witness-vkey", witness, "--public-url", "https://trace.example.vn"], directory: h.directory)
        defer { server.stop() }
        let svg = try HTTPReply.send("GET", server.url + "/app/qr/LA-1.svg?gtin=08934567000017").text
        let url =
            "https://trace.example.vn/01/08934567000017/10/LA-1?k=\(KeyFingerprint.of(h.operatorVKey))&amp;w=\(KeyFingerprint.of(witness))"
        #expect(svg.contains("aria-label=\"QR: \(url)\""), "\(svg.prefix(400))")
    }
}
