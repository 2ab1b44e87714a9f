import Foundation
import TestSupport
import Testing
import TraceLedger
import TraceLedgerSQLite

/// A write that fails for lack of space is the store's failure (exit 3), not bad input (exit 2),
/// and leaves nothing written.
struct DiskFullTests {
    @Test func aWriteOnAFullDiskExits3AndWritesNothing() throws {
        let h = try CLIHarness()
        let key = try h.run("keys", "new", "--name", "vuon-ba-tu", "--out", "vuon-ba-tu.key")
        let vkey = key.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let disk = SmallDisk(at: h.directory + "/disk") else { return }  // no tmpfs here: nothing to check
        defer { disk.unmount() }
        try disk.copy(["trace.db", "trace.operator.key", "trace.operator.checkpoint"], from: h.directory)
        disk.fill()
        let result = try h.run(
            [
                "party", "add", "--ledger", "disk/trace.db", "--id", "vuon-ba-tu", "--name", "Vườn bà Tư", "--role", "farm",
                "--member-of", "htx-tan-lap", "--vkey", vkey,
            ])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(
            result.stderr.contains("[ledger.store_full]") && result.stderr.contains("nothing was written"), "\(result.stderr)")
        // A server that cannot write its first checkpoint says why, not a generic store error.
        do {
            let server = try ServerProcess(["--ledger", disk.path + "/trace.db"], directory: h.directory)
            _ = server.stop()
            Issue.record("trace serve started on a full disk")
        } catch let failure as ServerFailure {
            #expect(failure.message.contains("[ledger.store_full]"), "\(failure.message)")
        }
        disk.release()
        #expect(try Ledger(path: disk.path + "/trace.db").size() == UInt64(CLIHarness.setupEntries))
        #expect(try h.run(["verify", "--ledger", "disk/trace.db"]).status == 0)
    }
}
