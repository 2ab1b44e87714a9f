import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceLedger
import TraceLedgerSQLite

/// `--server` writes with no network: they wait in the outbox, a retry resends the same event
/// (same id, recorded once), `trace sync` sends them and reports each answer, and an unreachable
/// server exits 3 with its own reason.
struct OutboxCLITests {
    func harvest(_ lot: String, server: String, plot: String = "P-001", _ extra: String...) -> [String] {
        [
            "add", "--server", server, "--key", "htx-tan-lap.key", "--lot", lot, "--product", "Lúa ST25", "--quantity", "900",
            "--unit", "kg", "--plot", plot, "--harvested", "2026-07-01",
        ] + extra
    }

    func queued(_ h: CLIHarness) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: h.directory + "/trace-outbox")) ?? [])
            .filter { $0.hasSuffix(".json") && $0 != "signers.json" }
    }

    @Test func anOfflineWriteWaitsIsRetriedAsTheSameEventAndLandsOnceOnSync() throws {
        let h = try CLIHarness()
        var server = try ServerProcess(["--ledger", h.ledger], directory: h.directory)
        let first = try Command.run(Command.trace, harvest("LA-OFF-1", server: server.url), directory: h.directory)
        #expect(first.status == 0, "\(first.stderr)")
        let gone = server.url
        server.stop()
        let size = try Ledger(path: h.ledger).size()

        let offline = try Command.run(Command.trace, harvest("LA-OFF-2", server: gone), directory: h.directory)
        #expect(offline.status == 3)
        #expect(offline.stderr.contains("[client.unreachable]"), "\(offline.stderr)")
        #expect(offline.stderr.contains("queued in trace-outbox"), "\(offline.stderr)")
        #expect(queued(h).count == 1)
        // The clerk, unsure, runs the command again: the waiting event is reused, not doubled.
        let again = try Command.run(Command.trace, harvest("LA-OFF-2", server: gone), directory: h.directory)
        #expect(again.status == 3)
        #expect(again.stderr.contains("already waiting"), "\(again.stderr)")
        #expect(queued(h).count == 1)

        server = try ServerProcess(["--ledger", h.ledger], directory: h.directory)
        defer { server.stop() }
        let sync = try Command.run(Command.trace, ["sync", "--server", server.url], directory: h.directory)
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(sync.stdout.contains("sent: harvested lot LA-OFF-2"), "\(sync.stdout)")
        #expect(try Ledger(path: h.ledger).size() == size + 1)
        #expect(queued(h).isEmpty)
        // Running the command once more now is the duplicate-lot refusal it always was: the
        // outbox forgot the event only after the server recorded it.
        let empty = try Command.run(Command.trace, ["sync", "--server", server.url], directory: h.directory)
        #expect(empty.stdout.contains("is empty"), "\(empty.stdout)")
    }

    @Test func aQueuedEventTheServerRefusesIsKeptWithItsReason() throws {
        let h = try CLIHarness()
        let server = try ServerProcess(["--ledger", h.ledger], directory: h.directory)
        defer { server.stop() }
        let queue = try Command.run(
            Command.trace, harvest("LA-Q-1", server: server.url, plot: "P-404", "--queue"), directory: h.directory)
        #expect(queue.status == 0, "\(queue.stderr)")
        #expect(queue.stderr.contains("queued in trace-outbox"), "\(queue.stderr)")
        let good = try Command.run(Command.trace, harvest("LA-Q-2", server: server.url, "--queue"), directory: h.directory)
        #expect(good.status == 0, "\(good.stderr)")
        let sync = try Command.run(Command.trace, ["sync", "--json"], directory: h.directory)
        #expect(sync.status == 2, "\(sync.stderr)")
        let report = try CanonicalJSON.parse(sync.stdout)
        let answers = report["results"]?.arrayValue?.compactMap { $0["answer"]?.stringValue }
        #expect(answers == ["refused", "recorded"])
        #expect(report["results"]?.arrayValue?.first?["reason"]?.stringValue?.contains("[domain.unknown_plot]") == true)
        let refused = try FileManager.default.contentsOfDirectory(atPath: h.directory + "/trace-outbox/refused")
        #expect(refused.count == 1)
        #expect(queued(h).isEmpty)
    }
}
