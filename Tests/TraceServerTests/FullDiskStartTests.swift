import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceLedger
import TraceLedgerSQLite

/// `trace serve` on a disk too full to open the ledger for writing: it starts read-only, buyers
/// get their answers, and every write is 507 problem+json with nothing written.
struct FullDiskStartTests {
    @Test func theServerStartsReadOnlyOnAFullDiskAndAnswersWrites507() throws {
        let h = try CLIHarness()
        try h.appendEvents(1)
        guard let disk = SmallDisk(at: h.directory + "/disk") else { return }  // no tmpfs here: nothing to check
        defer { disk.unmount() }
        try disk.copy(["trace.db", "trace.operator.key", "trace.operator.checkpoint", "htx-tan-lap.key"], from: h.directory)
        disk.fill()
        // The server's own output goes beside the harness, not onto the full disk.
        let server = try ServerProcess(
            ["--ledger", disk.path + "/trace.db", "--key", disk.path + "/trace.operator.key"], directory: h.directory)
        defer { _ = server.stop() }
        #expect(server.stderr.contains("disk is full"), "\(server.stderr)")
        let fixture = try ServerFixture(h: h, server: server)
        #expect(try fixture.get("/v1/checkpoint").status == 200)
        let lot = try fixture.get("/v1/lots/LA-ST25-1")
        #expect(lot.status == 200, "\(lot.text)")
        let reply = try HTTPReply.send(
            "POST", server.url + "/v1/events", body: try CanonicalJSON.encode(fixture.harvest("LA-FULL-2").json))
        #expect(reply.status == 507, "\(reply.text)")
        #expect(reply.headers["content-type"]?.hasPrefix("application/problem+json") == true)
        #expect(try reply.json()["code"]?.stringValue == "ledger.store_full", "\(reply.text)")
        disk.release()
        #expect(try Ledger(path: disk.path + "/trace.db", readOnly: true).size() == UInt64(CLIHarness.setupEntries + 1))
    }
}
