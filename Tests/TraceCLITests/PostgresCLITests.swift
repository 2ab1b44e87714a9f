import CanonicalJSON
import Foundation
import Synchronization
import TestSupport
import Testing
import TraceLedger
import TraceLedgerSQLite

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

    /// The previous release's demo ledger (store format 1, migrated first) copied into PostgreSQL and
    /// back into a new file: the same 97 entries, root, verdict and side records on all three.
    @Test func theDemoLedgerRoundTripsSQLiteToPostgresToSQLiteWithTheSameRoot() throws {
        let demo = try UpgradeTests().copy()
        let directory = (demo as NSString).deletingLastPathComponent
        let url = try #require(StoreKind.newPostgresURL())
        let back = directory + "/back.db"
        func trace(_ arguments: String...) throws -> CommandResult {
            try Command.run(Command.trace, arguments, directory: directory)
        }
        // Read as it is, a format-1 file has no side records: it must be migrated before a copy.
        let unmigrated = try trace("copy", "--from", demo, "--to", url)
        #expect(unmigrated.status != 0)
        #expect(unmigrated.stderr.contains("trace migrate"), "\(unmigrated.stderr)")
        #expect(try trace("verify", "--ledger", url).stderr.contains("no ledger at"))
        #expect(try trace("migrate", "--ledger", demo).status == 0)
        let there = try trace("copy", "--from", demo, "--to", url, "--json")
        #expect(there.status == 0, "\(there.stderr)")
        let again = try trace("copy", "--from", url, "--to", back, "--json")
        #expect(again.status == 0, "\(again.stderr)")
        for result in [there, again] {
            let copy = try CanonicalJSON.parse(result.stdout)
            #expect(copy["size"]?.intValue == 97)
            #expect(copy["root"]?.stringValue == UpgradeTests.root)
        }
        let verdict = try trace("verify-lot", "GAO-EX-2607A", "--ledger", demo, "--json").stdout
        for ledger in [url, back] {
            let verify = try trace("verify", "--ledger", ledger)
            #expect(verify.status == 0, "\(verify.stderr)")
            #expect(verify.stdout.contains("verified 97 entries") && verify.stdout.contains(UpgradeTests.root))
            #expect(try trace("verify-lot", "GAO-EX-2607A", "--ledger", ledger, "--json").stdout == verdict)
        }
        // Personal data and the published certificate came along: the copy back holds them all.
        let store = try SQLiteLedgerStore.open(path: back, readOnly: true)
        #expect(try store.read { try $0.sideRecords(SideSpace("domain.personal")) }.count == 24)
        #expect(try store.read { try $0.sideRecords(SideSpace("certificates.published")) }.count == 1)
        // Copying again into the same database writes nothing new and is not refused.
        let idle = try trace("copy", "--from", demo, "--to", url, "--json")
        #expect(idle.status == 0, "\(idle.stderr)")
        #expect(try CanonicalJSON.parse(idle.stdout)["copied"]?.intValue == 0)
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
