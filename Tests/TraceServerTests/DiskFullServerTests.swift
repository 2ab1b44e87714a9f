import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceLedger
import TraceLedgerSQLite

/// A write the server cannot store for lack of space: 507 as problem+json, nothing written.
struct DiskFullServerTests {
    @Test func aWriteOnAFullDiskIs507ProblemJSONAndWritesNothing() throws {
        let h = try CLIHarness()
        guard let disk = SmallDisk(at: h.directory + "/disk") else { return }  // no tmpfs here: nothing to check
        defer { disk.unmount() }
        try disk.copy(["trace.db", "trace.operator.key", "trace.operator.checkpoint", "htx-tan-lap.key"], from: h.directory)
        let server = try ServerProcess(["--ledger", disk.path + "/trace.db"], directory: disk.path)
        defer { _ = server.stop() }
        let fixture = try ServerFixture(h: h, server: server)
        disk.fill()
        let reply = try HTTPReply.send(
            "POST", server.url + "/v1/events", body: try CanonicalJSON.encode(fixture.harvest("LA-FULL-1").json))
        #expect(reply.status == 507, "\(reply.text)")
        #expect(reply.headers["content-type"]?.hasPrefix("application/problem+json") == true)
        #expect(try reply.json()["code"]?.stringValue == "ledger.store_full", "\(reply.text)")
        disk.release()
        #expect(try Ledger(path: disk.path + "/trace.db").size() == UInt64(CLIHarness.setupEntries))
        // With space again, the same write goes through.
        let again = try HTTPReply.send(
            "POST", server.url + "/v1/events", body: try CanonicalJSON.encode(fixture.harvest("LA-FULL-1").json))
        #expect(again.status == 201 || again.status == 200, "\(again.text)")
    }
}
