import Foundation
import TestSupport
import Testing

/// Certificates through a real `trace serve` after `trace operator rotate`: the exporter publishes
/// (the server's checkpoints are the new key's) and a buyer trusting only the genesis key checks
/// the file against the live server.
struct RotationServerTests {
    @Test func anExporterPublishesAfterARotationAndABuyerChecksItLiveWithTheGenesisKey() throws {
        let h = try CLIHarness()
        try h.addExporter()
        try h.harvestShipAndExport(exported: false)
        try h.runAll([
            ["keys", "new", "--name", "longan.trace.example/ledger", "--out", "new.operator.key"],
            ["operator", "rotate", "--new-key", "new.operator.key"],
        ])
        try FileManager.default.removeItem(atPath: h.operatorKeyPath)
        try FileManager.default.copyItem(atPath: h.directory + "/new.operator.key", toPath: h.operatorKeyPath)
        let server = try ServerProcess(["--ledger", h.ledger], directory: h.directory)
        defer { server.stop() }
        // An export after the rotation: the server signs its checkpoint with the new key.
        try h.runAll([
            [
                "export", "--key", "vinarice.key", "--lot", "X-1", "--buyer", "Hamburg", "--country", "DE", "--container",
                "MSCU1234565", "--server", server.url,
            ]
        ])
        let issue = try h.run(
            "certificate", "issue", "X-1", "--server", server.url, "--key", "vinarice.key", "--out", "cert.json", "--operator",
            h.operatorVKey)
        #expect(issue.status == 0, "\(issue.stderr)")
        let verify = try h.run("certificate", "verify", "cert.json", "--operator", h.operatorVKey, "--server", server.url)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("ok   consistency:") && verify.stdout.contains("ok   recall:"), "\(verify.stdout)")
        #expect(verify.stdout.contains("with the key the rotation in entry"), "\(verify.stdout)")
    }
}
