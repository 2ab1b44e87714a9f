import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger

/// Several `trace serve` processes on one PostgreSQL ledger: all append and serve, one signs (the
/// holder of the signer lock), and another keyed server takes over when it stops.
@Suite(.enabled(if: StoreKind.postgresURL != nil, Comment(rawValue: StoreKind.postgresSkipReason ?? "")))
struct PostgresSignerTests {
    static func ready(_ server: ServerProcess) throws -> JSONValue {
        try CanonicalJSON.parse(try PostgresReplicaTests.curl(server.url + "/readyz").body)
    }

    /// A harvest signed by the cooperative, as a client would POST it.
    static func harvest(_ harness: CLIHarness, _ id: String) throws -> String {
        let key = try PrivateKey(contentsOfFile: harness.directory + "/htx-tan-lap.key")
        let event = SupplyChain.event(
            "harvest", actor: "htx-tan-lap", id: id,
            [
                "lot": .string("LA-ST25-\(id)"), "product": "Lúa ST25", "quantity": "1200", "unit": "kg", "plot": "P-001",
                "harvested": "2026-07-01",
            ])
        let signed = try SignedEvent.sign(event, with: key, keyName: "htx-tan-lap")
        return String(decoding: try CanonicalJSON.encode(signed.json), as: UTF8.self)
    }

    static func post(_ server: ServerProcess, _ body: String) throws -> (status: Int, answer: JSONValue) {
        let result = try PostgresReplicaTests.curl(server.url + "/v1/events", method: "POST", body: body)
        return (result.status, (try? CanonicalJSON.parse(result.body)) ?? .string(result.body))
    }

    @Test func twoServersAppendOneSignsAndAnotherKeyedServerTakesOverWhenItStops() throws {
        let (harness, url) = try PostgresCLITests.ledgerInPostgres()
        // The same operator key in a folder of its own: that server's signer record shows whether it signed.
        let other = harness.directory + "/other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: harness.operatorKeyPath, toPath: other + "/operator.key")
        let otherRecord = other + "/operator.checkpoint"

        let leader = try ServerProcess(["--ledger", url, "--key", harness.operatorKeyPath], directory: harness.directory)
        let plain = try ServerProcess(["--ledger", url], directory: harness.directory)
        let second = try ServerProcess(["--ledger", url, "--key", other + "/operator.key"], directory: harness.directory)
        defer {
            for server in [second, plain, leader] { server.stop() }
        }
        #expect(try Self.ready(leader)["signer"] == .bool(true))
        #expect(try Self.ready(plain)["signer"] == .bool(false))
        #expect(try Self.ready(second)["signer"] == .bool(false))
        #expect(try Self.ready(second)["writes"] == .bool(true))
        #expect(second.stderr.contains("holds the signer lock"), "\(second.stderr)")

        // Every server takes writes into one chain; each answer carries a proof against a checkpoint
        // (the leader's, for the servers that sign nothing).
        var sent: [String] = []
        for (n, server) in [leader, plain, second, plain, second, leader].enumerated() {
            let body = try Self.harvest(harness, "sign-\(n)")
            sent.append(body)
            let (status, answer) = try Self.post(server, body)
            #expect(status == 201, "\(answer)")
            #expect(answer["entry"]?.intValue == CLIHarness.setupEntries + n, "\(answer)")
            let inclusion = answer["inclusion"]
            #expect(inclusion != nil && inclusion != .null, "no proof in \(answer)")
            #expect(inclusion?["checkpoint"]?.stringValue != nil, "\(answer)")
        }
        // Resubmitted through another process, an event is its original entry, not a new one.
        for (server, n) in [(second, 1), (leader, 2), (plain, 0)] {
            let (status, answer) = try Self.post(server, sent[n])
            #expect(status == 200, "\(answer)")
            #expect(answer["duplicate"] == .bool(true))
            #expect(answer["entry"]?.intValue == CLIHarness.setupEntries + n)
        }
        #expect(!FileManager.default.fileExists(atPath: otherRecord), "the demoted server signed a checkpoint")
        // The CLI with the key does not sign while a server holds the lock: it shows the leader's latest.
        let cli = try harness.run("checkpoint", "--ledger", url, "--key", other + "/operator.key", "--json")
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(cli.stderr.contains("not signed here"), "\(cli.stderr)")
        #expect(!FileManager.default.fileExists(atPath: otherRecord))
        let verify = try harness.run("verify", "--ledger", url)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("verified \(CLIHarness.setupEntries + 6) entries"), "\(verify.stdout)")

        // The leader stops: the other keyed server takes the lock and signs from then on.
        #expect(leader.stop() == 0)
        var tookOver = false
        for _ in 0..<100 where !tookOver {
            tookOver = try Self.ready(second)["signer"] == .bool(true)
            if !tookOver { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(tookOver, "the other keyed server did not take the signer lock: \(second.stderr)")
        let (status, answer) = try Self.post(plain, try Self.harvest(harness, "after"))
        #expect(status == 201, "\(answer)")
        #expect(answer["inclusion"] != nil && answer["inclusion"] != .null, "no proof after the takeover: \(answer)")
        #expect(FileManager.default.fileExists(atPath: otherRecord), "the new leader recorded no signed checkpoint")
        let checkpoint = try harness.json("checkpoint", "--ledger", url)
        #expect(checkpoint["size"]?.intValue == CLIHarness.setupEntries + 7)
        #expect(try harness.run("verify", "--ledger", url).status == 0)
    }

    /// The number of entries `trace verify` checked on the ledger at `url` (it fails the test unless it passes).
    static func verifiedEntries(_ harness: CLIHarness, _ url: String) throws -> Int? {
        let verify = try harness.run("verify", "--ledger", url)
        #expect(verify.status == 0, "\(verify.stderr)")
        guard let range = verify.stdout.range(of: #"verified \d+ entries"#, options: .regularExpression) else { return nil }
        return Int(verify.stdout[range].split(separator: " ")[1])
    }

    @Test func operatorRotationIsRefusedWhileAServerHoldsTheSignerLockAndSignsOnceItIsFree() throws {
        let (harness, url) = try PostgresCLITests.ledgerInPostgres()
        let made = try harness.run("keys", "new", "--name", "longan.trace.example/ledger", "--out", "new.key")
        #expect(made.status == 0, "\(made.stderr)")
        let rotate = ["operator", "rotate", "--ledger", url, "--key", harness.operatorKeyPath, "--new-key", "new.key"]
        let leader = try ServerProcess(["--ledger", url, "--key", harness.operatorKeyPath], directory: harness.directory)
        #expect(try Self.ready(leader)["signer"] == .bool(true))
        let before = try #require(try Self.verifiedEntries(harness, url))
        // While the leader signs, a rotation would let it sign once more with the old key: refused, nothing appended.
        let refused = try Command.run(Command.trace, rotate, directory: harness.directory)
        #expect(refused.status == 2, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("holds the signer lock"), "\(refused.stderr)")
        #expect(leader.stop() == 0)
        #expect(try Self.verifiedEntries(harness, url) == before)
        // With no signer running, the rotation takes the lock, appends, and the new key signs it.
        let rotated = try Command.run(Command.trace, rotate, directory: harness.directory)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(try Self.verifiedEntries(harness, url) == before + 1)
        #expect(try harness.json("checkpoint", "--ledger", url)["size"]?.intValue == before + 1)
    }
}
