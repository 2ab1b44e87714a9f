import CanonicalJSON
import Foundation
import TestSupport
import Testing

/// The hot standby of the test server $TRACE_TEST_POSTGRES names.
enum Standby {
    static let url = ProcessInfo.processInfo.environment["TRACE_TEST_POSTGRES_STANDBY"].flatMap { $0.isEmpty ? nil : $0 }
}

/// A read-only `trace serve` on a PostgreSQL hot standby (`pg_basebackup -R`): it serves the
/// primary's signed checkpoint and proofs as they stream in, and refuses writes with a problem that
/// names the primary. `tools/test` starts the standby of its test cluster and names it in
/// $TRACE_TEST_POSTGRES_STANDBY.
@Suite(
    .enabled(
        if: StoreKind.postgresURL != nil && Standby.url != nil,
        "PostgreSQL replica test skipped: TRACE_TEST_POSTGRES_STANDBY is not set (tools/test sets it)"))
struct PostgresReplicaTests {
    /// `curl` one request: the status and the body.
    static func curl(_ url: String, method: String = "GET", body: String? = nil) throws -> (status: Int, body: String) {
        let scratch = try Scratch.directory()
        var arguments = ["-s", "-S", "-X", method, "-o", scratch + "/body", "-w", "%{http_code}"]
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        let result = try Command.run("curl", arguments + [url])
        let text = (try? String(contentsOfFile: scratch + "/body", encoding: .utf8)) ?? ""
        return (Int(result.stdout) ?? 0, text)
    }

    @Test func aReadOnlyServerOnAHotStandbyServesThePrimarysProofsAndRefusesWrites() throws {
        // One schema, reached through the primary and through the standby.
        let primaryURL = try #require(StoreKind.newPostgresURL())
        let schema = try #require(primaryURL.split(separator: "?").last)
        let base = try #require(Standby.url)
        let standbyURL = base + (base.contains("?") ? "&" : "?") + schema

        // The CLI's ledger, copied into the primary; the standby follows.
        let harness = try CLIHarness()
        let copied = try harness.run("copy", "--from", harness.ledger, "--to", primaryURL)
        try #require(copied.status == 0, "\(copied.stderr)")
        // Streaming replication takes a moment: wait until the standby holds the copied ledger.
        var replicated = false
        for _ in 0..<100 where !replicated {
            replicated = try harness.run("verify", "--ledger", standbyURL).status == 0
            if !replicated { Thread.sleep(forTimeInterval: 0.2) }
        }
        try #require(replicated, "the standby never received the copied ledger")

        let primaryServer = try ServerProcess(
            ["--ledger", primaryURL, "--key", harness.operatorKeyPath], directory: harness.directory)
        let replica = try ServerProcess(
            ["--ledger", standbyURL, "--read-only", "--primary", primaryServer.url], directory: harness.directory)
        defer {
            replica.stop()
            primaryServer.stop()
        }
        #expect(try Self.curl(replica.url + "/healthz").status == 200)
        let ready = try Self.curl(replica.url + "/readyz")
        #expect(ready.status == 200, "\(ready.body)")
        #expect(try CanonicalJSON.parse(ready.body)["writes"] == .bool(false))

        // What a clerk submits to the primary reaches the replica by streaming replication, with
        // the checkpoint the primary signs for it (its server signs on its next read).
        try PostgresCLITests.harvests("r", 3).write(toFile: harness.directory + "/r.jsonl", atomically: true, encoding: .utf8)
        let submitted = try harness.run("submit", "--ledger", primaryURL, "--key", "htx-tan-lap.key", "--file", "r.jsonl")
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let signed = try Self.curl(primaryServer.url + "/v1/checkpoint").body
        #expect(signed.contains("\n\(CLIHarness.setupEntries + 3)\n"), "\(signed)")
        var served = ""
        for _ in 0..<200 where served != signed {
            served = try Self.curl(replica.url + "/v1/checkpoint").body
            if served != signed { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(served == signed, "the replica serves \(served), not the primary's \(signed)")

        // A lot checked through the replica verifies against the operator key the buyer trusts.
        let lot = try harness.run("verify-lot", "LA-ST25-r-1", "--server", replica.url, "--operator", harness.operatorVKey)
        #expect(lot.status == 0, "\(lot.stdout)\(lot.stderr)")

        // A write sent to the replica is refused, naming the primary, and nothing is written.
        let refused = try Self.curl(replica.url + "/v1/events", method: "POST", body: "{}")
        #expect(refused.status == 403, "\(refused.body)")
        #expect(refused.body.contains("server.read_only") && refused.body.contains(primaryServer.url), "\(refused.body)")
        let verify = try harness.run("verify", "--ledger", standbyURL)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("verified \(CLIHarness.setupEntries + 3) entries"), "\(verify.stdout)")
    }
}
