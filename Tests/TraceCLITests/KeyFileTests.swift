import Foundation
import TestSupport
import Testing
import TraceLedger
import TraceLedgerSQLite

/// Private key files are refused when other users can read them, as ssh refuses, with the
/// command that fixes it; nothing is written.
struct KeyFileTests {
    @Test func aKeyFileOthersCanReadIsRefusedWithAChmodHint() throws {
        let h = try CLIHarness()
        let before = try Ledger(path: h.ledger).size()
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: h.directory + "/htx-tan-lap.key")
        let add = try h.run(
            "add", "--key", "htx-tan-lap.key", "--lot", "K-1", "--product", "Lúa", "--quantity", "10", "--plot", "P-001",
            "--harvested", "2026-07-01")
        #expect(add.status == 2)
        #expect(add.stderr.contains("can be read by other users (mode 644); run: chmod 600 htx-tan-lap.key"), "\(add.stderr)")
        #expect(try Ledger(path: h.ledger).size() == before)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: h.directory + "/htx-tan-lap.key")
        let again = try h.run(
            "add", "--key", "htx-tan-lap.key", "--lot", "K-1", "--product", "Lúa", "--quantity", "10", "--plot", "P-001",
            "--harvested", "2026-07-01")
        #expect(again.status == 0, "\(again.stderr)")
    }
}
