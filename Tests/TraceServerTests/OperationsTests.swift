import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceLedgerSQLite

/// Operations through the real `trace serve`: Prometheus metrics at /metrics, the write log, and a
/// read-only replica reporting its lag behind its primary (docs/OPERATIONS.md).
struct OperationsTests {
    @Test func metricsCountAppendsRefusalsByCodeAndLatencyByRoutePattern() throws {
        let f = try ServerFixture()
        defer { _ = f.server.stop() }
        #expect(try f.post("/v1/events", try f.harvest("LA-MET-1").json).status == 201)
        #expect(try f.post("/v1/events", try f.harvest("LA-MET-2", plot: "P-404").json).status == 422)
        #expect(try f.get("/v1/lots/LA-MET-1").status == 200)
        #expect(try f.get("/v1/lots/NO-SUCH-LOT").status == 404)
        let reply = try f.get("/metrics")
        #expect(reply.status == 200)
        #expect(reply.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        let text = reply.text
        #expect(text.contains("\ntrace_appends_total 1\n"), "\(text)")
        #expect(text.contains(#"trace_refusals_total{code="domain.unknown_plot"} 1"#), "\(text)")
        #expect(text.contains(#"trace_refusals_total{code="domain.unknown_lot"} 1"#), "\(text)")
        #expect(text.contains("# TYPE trace_http_request_duration_seconds histogram"), "\(text)")
        #expect(text.contains(#"route="/v1/lots/{code}",method="GET",status="200""#), "\(text)")
        #expect(text.contains(#"route="/v1/events",method="POST",status="201""#), "\(text)")
        // Series by route pattern only: no lot code ever becomes a label.
        #expect(!text.contains("LA-MET-1") && !text.contains("NO-SUCH-LOT"), "\(text)")
        let size = try f.ledgerSize()
        #expect(
            text.contains("\ntrace_ledger_entries \(size).0\n") || text.contains("\ntrace_ledger_entries \(size)\n"), "\(text)")
        #expect(text.contains("\ntrace_checkpoint_age_seconds "), "\(text)")
        // A primary reports no lag and no primary of its own.
        #expect(!text.contains("trace_replica_lag") && !text.contains("trace_primary_up"), "\(text)")
    }

    @Test func theWriteLogNamesEachEntryItsPartyAndKindAndNoEventContent() throws {
        let f = try ServerFixture()
        defer { _ = f.server.stop() }
        let event = try f.harvest("LA-LOG-1", quantity: "4321")
        let reply = try f.post("/v1/events", event.json)
        #expect(reply.status == 201, "\(reply.text)")
        let entry = try reply.json()["entry"]?.intValue ?? -1
        // The log is written as the answer goes out: wait for its line.
        let deadline = Date().addingTimeInterval(10)
        while !f.server.stderr.contains("appended entry \(entry)"), Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let log = f.server.stderr
        let line = log.split(separator: "\n").first { $0.contains("appended entry \(entry)") }.map(String.init) ?? ""
        #expect(line.contains("harvest by htx-tan-lap"), "\(log)")
        #expect(line.contains("entry=\(entry)") && line.contains("kind=harvest") && line.contains("party=htx-tan-lap"), "\(line)")
        // Nothing of the event's members: no lot, quantity, product, event id or signature.
        for member in ["LA-LOG-1", "4321", "ST25", event.id, Data(event.signature).base64EncodedString()] {
            #expect(!log.contains(member), "the log carries \(member): \(log)")
        }
        // Nor the clear personal data kept beside the ledger (the farm's registered name).
        #expect(!log.contains("Hợp tác xã"), "\(log)")
        // A duplicate resubmitted writes nothing and logs nothing.
        #expect(try f.post("/v1/events", event.json).status == 200)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(f.server.stderr.components(separatedBy: "appended entry").count == 2, "\(f.server.stderr)")
    }

    @Test func aReplicaReportsItsLagBehindThePrimaryAndStaysReady() throws {
        let h = try CLIHarness()
        let copied = try h.run("copy", "--from", "trace.db", "--to", "replica.db")
        #expect(copied.status == 0, "\(copied.stderr)")
        let appended = Date()
        try h.appendEvents(3)
        let primary = try ServerProcess(["--ledger", h.ledger], directory: h.directory)
        defer { _ = primary.stop() }
        let replicaArguments = [
            "--ledger", h.directory + "/replica.db", "--read-only", "--primary", primary.url, "--primary-interval", "0.2",
        ]
        var replica = try ServerProcess(replicaArguments, directory: h.directory)
        defer { _ = replica.stop() }
        // The primary signed its whole ledger on starting: three entries beyond the replica's.
        let theirs = try Ledger(path: h.ledger, readOnly: true).latestCheckpoint()?.checkpoint.size ?? 0
        #expect(theirs == UInt64(CLIHarness.setupEntries + 3))

        var ready = try waitForPrimary(replica) { $0["lagEntries"]?.intValue != nil }
        #expect(ready["ready"]?.boolValue == true, "\(ready)")
        #expect(ready["writes"]?.boolValue == false)
        #expect(ready["primary"]?["lagEntries"]?.intValue == 3, "\(ready)")
        #expect(ready["primary"]?["size"]?.intValue == Int(theirs), "\(ready)")
        // The first entry the replica lacks was recorded when it was appended, moments ago.
        let lagSeconds = ready["primary"]?["lagSeconds"]?.intValue ?? -1
        #expect(lagSeconds >= 0 && Double(lagSeconds) <= Date().timeIntervalSince(appended) + 1, "\(ready)")
        #expect(ready["primary"]?["error"] == .null, "\(ready)")
        let metrics = try HTTPReply.send("GET", replica.url + "/metrics").text
        #expect(metrics.contains("\ntrace_replica_lag_entries 3.0\n"), "\(metrics)")
        #expect(metrics.contains("\ntrace_primary_up 1.0\n"), "\(metrics)")

        // Caught up (here by copying again; a replica started on a quiet SQLite file reads it as it
        // was, so it is started again), the lag is gone.
        replica.stop()
        #expect(try h.run("copy", "--from", "trace.db", "--to", "replica.db").status == 0)
        replica = try ServerProcess(replicaArguments, directory: h.directory)
        ready = try waitForPrimary(replica) { $0["lagEntries"]?.intValue != nil }
        #expect(ready["primary"]?["lagEntries"]?.intValue == 0, "\(ready)")
        #expect(ready["primary"]?["lagSeconds"]?.intValue == 0, "\(ready)")

        // A primary that stops answering is reported, and the replica still serves: lag is not loss.
        primary.stop()
        ready = try waitForPrimary(replica) { $0["error"]?.stringValue != nil }
        #expect(ready["ready"]?.boolValue == true, "\(ready)")
        #expect(ready["primary"]?["error"]?.stringValue?.contains("did not answer") == true, "\(ready)")
        #expect(try HTTPReply.send("GET", replica.url + "/v1/lots/LA-ST25-1").status == 200)
    }

    @Test func aReplicaWhoseEntriesForkFromThePrimarysCheckpointIsNotReady() throws {
        let h = try CLIHarness()
        for replica in ["behind.db", "ahead.db"] {
            #expect(try h.run("copy", "--from", "trace.db", "--to", replica).status == 0)
        }
        try h.appendEvents(2)
        // Other events after the common entries: one (checked by the primary's consistency proof)
        // and three (checked against the replica's own root at the primary's size).
        let key = try PrivateKey(contentsOfFile: h.directory + "/htx-tan-lap.key")
        for (replica, count) in [("behind.db", 1), ("ahead.db", 3)] {
            let chain = try SupplyChain(ledger: Ledger(path: h.directory + "/" + replica))
            _ = try chain.submit(
                try (1...count).map {
                    try chain.sign(
                        SupplyChain.event(
                            "harvest", actor: "htx-tan-lap", id: "fork-\($0)",
                            [
                                "lot": .string("LA-FORK-\($0)"), "product": "Lúa ST25", "quantity": "1", "unit": "kg",
                                "plot": "P-001", "harvested": "2026-07-01",
                            ]), with: key)
                })
        }
        let primary = try ServerProcess(["--ledger", h.ledger], directory: h.directory)
        defer { _ = primary.stop() }
        for replica in ["behind.db", "ahead.db"] {
            let server = try ServerProcess(
                ["--ledger", h.directory + "/" + replica, "--read-only", "--primary", primary.url, "--primary-interval", "0.2"],
                directory: h.directory)
            defer { _ = server.stop() }
            var reply = try HTTPReply.send("GET", server.url + "/readyz")
            let deadline = Date().addingTimeInterval(20)
            while reply.status == 200, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.1)
                reply = try HTTPReply.send("GET", server.url + "/readyz")
            }
            #expect(reply.status == 503, "\(replica): \(reply.text)")
            let ready = try reply.json()
            #expect(ready["ready"]?.boolValue == false, "\(replica): \(ready)")
            #expect(ready["reason"]?.stringValue?.contains("a fork") == true, "\(replica): \(ready)")
        }
    }

    @Test func aReplicaRefusesToTakeAnotherLedgersCheckpointAsItsPrimarys() throws {
        let other = try ServerFixture()
        defer { _ = other.server.stop() }
        let h = try CLIHarness(origin: "other.trace.example/ledger")
        let replica = try ServerProcess(
            ["--ledger", h.ledger, "--read-only", "--primary", other.server.url, "--primary-interval", "0.2"],
            directory: h.directory)
        defer { _ = replica.stop() }
        let ready = try waitForPrimary(replica) { $0["error"]?.stringValue != nil }
        #expect(ready["ready"]?.boolValue == true, "\(ready)")
        #expect(ready["primary"]?["lagEntries"] == .null, "\(ready)")
        #expect(ready["primary"]?["error"]?.stringValue?.contains("did not sign") == true, "\(ready)")
        #expect(try HTTPReply.send("GET", replica.url + "/metrics").text.contains("\ntrace_primary_up 0.0\n"))
    }

    @Test func aReadOnlyServerWithoutAPrimaryReportsItsCheckpointsAge() throws {
        let h = try CLIHarness()
        let server = try ServerProcess(["--ledger", h.ledger, "--read-only"], directory: h.directory)
        defer { _ = server.stop() }
        let ready = try HTTPReply.send("GET", server.url + "/readyz").json()
        #expect(ready["ready"]?.boolValue == true, "\(ready)")
        #expect(ready["primary"] == nil, "\(ready)")
        #expect((ready["checkpointAgeSeconds"]?.intValue ?? -1) >= 0, "\(ready)")
    }

    /// The replica's /readyz once what it says of its primary passes `until` (within 20 s).
    private func waitForPrimary(_ replica: ServerProcess, until: (JSONValue) -> Bool) throws -> JSONValue {
        let deadline = Date().addingTimeInterval(20)
        var last: JSONValue = .null
        while Date() < deadline {
            last = try HTTPReply.send("GET", replica.url + "/readyz").json()
            if let primary = last["primary"], until(primary) { return last }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return last
    }
}
