import CanonicalJSON
import Foundation
import Synchronization
import TestSupport
import Testing

/// The PostgreSQL store through the real binary: many writers, one order; copies both ways; the
/// schema's own refusals. Runs where $TRACE_TEST_POSTGRES names a server (tools/test starts one).
@Suite(.enabled(if: StoreKind.postgresURL != nil, Comment(rawValue: StoreKind.postgresSkipReason ?? "")))
struct PostgresCLITests {
    /// A ledger made by the CLI in a SQLite file, copied into a fresh PostgreSQL schema.
    static func ledgerInPostgres() throws -> (harness: CLIHarness, url: String) {
        let harness = try CLIHarness()
        let url = try #require(StoreKind.newPostgresURL())
        let copy = try harness.run("copy", "--from", harness.ledger, "--to", url)
        #expect(copy.status == 0, "\(copy.stderr)")
        return (harness, url)
    }

    /// `count` harvests as JSON Lines, with their ids and times fixed so a resubmission is identical.
    static func harvests(_ prefix: String, _ count: Int) -> String {
        (1...count).map { n in
            #"{"id":"\#(prefix)-\#(n)","time":"2026-07-01T08:00:00Z","type":"harvest","lot":"LA-ST25-\#(prefix)-\#(n)","#
                + #""product":"Lúa ST25","quantity":"1200","unit":"kg","plot":"P-001","harvested":"2026-07-01"}"#
        }.joined(separator: "\n") + "\n"
    }

    @Test func twoProcessesSubmittingAtOnceLeaveOneChainThatVerifies() throws {
        let (harness, url) = try Self.ledgerInPostgres()
        let perProcess = 15
        for name in ["a", "b"] {
            try Self.harvests(name, perProcess).write(
                toFile: harness.directory + "/\(name).jsonl", atomically: true, encoding: .utf8)
        }
        // Each file twice: two writers with different events, and each resubmitted by another process.
        let files = ["a", "b", "a", "b"]
        let results = Mutex([CommandResult?](repeating: nil, count: files.count))
        DispatchQueue.concurrentPerform(iterations: files.count) { i in
            let result = try? Command.run(
                Command.trace, ["submit", "--ledger", url, "--key", "htx-tan-lap.key", "--file", files[i] + ".jsonl"],
                directory: harness.directory)
            results.withLock { $0[i] = result }
        }
        for result in results.withLock({ $0 }) {
            let result = try #require(result)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let verify = try harness.run("verify", "--ledger", url)
        #expect(verify.status == 0, "\(verify.stderr)")
        let back = harness.directory + "/back.db"
        let copy = try harness.json("copy", "--from", url, "--to", back)
        #expect(copy["size"]?.intValue == CLIHarness.setupEntries + 2 * perProcess)
        #expect(try harness.run("verify", "--ledger", back).status == 0)
    }

    @Test func aCopyRoundTripKeepsTheRootAndARefusesAnotherLedger() throws {
        let (harness, url) = try Self.ledgerInPostgres()
        try harness.appendEvents(3)
        // The file grew: copying again adds only the new entries.
        let more = try harness.json("copy", "--from", harness.ledger, "--to", url)
        #expect(more["copied"]?.intValue == 3)
        let back = harness.directory + "/back.db"
        let round = try harness.json("copy", "--from", url, "--to", back)
        #expect(round["root"] == more["root"])
        // Another ledger is refused in both directions, and nothing is written.
        let other = try CLIHarness(origin: "other.trace.example/ledger")
        let refused = try harness.run("copy", "--from", other.ledger, "--to", url)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("another ledger"), "\(refused.stderr)")
        let intoOther = try harness.run("copy", "--from", url, "--to", other.ledger)
        #expect(intoOther.status != 0)
        #expect(try harness.run("verify", "--ledger", url).status == 0)
    }

    @Test func theSchemaRefusesChangesToEntriesNodesAndCheckpoints() throws {
        let (harness, url) = try Self.ledgerInPostgres()
        let psql = try #require(Command.which("psql"))
        let base = try #require(StoreKind.postgresURL)
        let schema = String(try #require(url.split(separator: "=").last))
        for statement in [
            "UPDATE entries SET bytes = '\\x00' WHERE seq = 1", "DELETE FROM entries WHERE seq = 3", "TRUNCATE entries",
            "UPDATE merkle_nodes SET hash = '\\x00'", "DELETE FROM checkpoints", "UPDATE meta SET value = 'x'",
            "INSERT INTO entries (seq, event_id, bytes) VALUES (99, 'x', '\\x00')",
        ] {
            let result = try Command.run(
                psql, [base, "-v", "ON_ERROR_STOP=1", "-c", "SET search_path TO \(schema); \(statement)"])
            #expect(result.status != 0, "\(statement) was not refused")
            #expect(result.stderr.contains("append-only") || result.stderr.contains("fixed at creation"), "\(result.stderr)")
        }
        #expect(try harness.run("verify", "--ledger", url).status == 0)
    }

    @Test func aMissingOrMalformedPostgresLedgerIsNamed() throws {
        let harness = try CLIHarness()
        let url = try #require(StoreKind.newPostgresURL())
        let missing = try harness.run("verify", "--ledger", url)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no ledger at"), "\(missing.stderr)")
        let bad = try harness.run("verify", "--ledger", "postgres://127.0.0.1/x")
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("no user"), "\(bad.stderr)")
    }
}
