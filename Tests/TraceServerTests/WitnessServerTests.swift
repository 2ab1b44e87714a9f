import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceLedger

/// Witnesses on loopback (`trace witness serve`), an operator's `trace serve --witness-url`
/// sending them each checkpoint, and clients requiring k of n cosignatures.
struct WitnessServerTests {
    struct Setup {
        let f: ServerFixture
        let witnesses: [ServerProcess]
        /// The verifier keys of witnesses w1, w2 (running) and w3 (never started).
        let vkeys: [String]

        init() throws {
            let h = try CLIHarness()
            var vkeys: [String] = []
            var witnesses: [ServerProcess] = []
            for n in 1...3 {
                let made = try h.run("keys", "new", "--witness", "--name", "witness.test/w\(n)", "--out", "w\(n).key")
                try #require(made.status == 0, "\(made.stderr)")
                vkeys.append(made.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
                guard n < 3 else { continue }
                witnesses.append(
                    try ServerProcess(
                        command: ["witness", "serve"],
                        [
                            "--key", "w\(n).key", "--name", "witness.test/w\(n)", "--log", h.operatorVKey, "--state",
                            h.directory + "/w\(n)-state", "--listen", "127.0.0.1:0",
                        ], directory: h.directory))
            }
            let server = try ServerProcess(
                ["--ledger", h.ledger] + witnesses.flatMap { ["--witness-url", $0.url] }
                    + vkeys.prefix(2).flatMap { ["--witness-vkey", $0] }, directory: h.directory)
            f = try ServerFixture(h: h, server: server)
            self.witnesses = witnesses
            self.vkeys = vkeys
        }

        /// Waits until the server's latest checkpoint carries a cosignature from each of `names`.
        func waitForCosignatures(_ names: [String], size: UInt64) throws -> String {
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                let note = try f.get("/v1/checkpoint").text
                if note.contains("\n\(size)\n"), names.allSatisfy({ note.contains("\u{2014} \($0) ") }) { return note }
                Thread.sleep(forTimeInterval: 0.1)
            }
            throw ServerFailure(message: "no checkpoint of size \(size) cosigned by \(names) within 30 s")
        }

        func stop() {
            f.server.stop()
            for w in witnesses { w.stop() }
        }
    }

    @Test func twoWitnessesCosignEachCheckpointAndAQuorumIsMetOrMissed() throws {
        let s = try Setup()
        defer { s.stop() }
        #expect(try s.f.post("/v1/events", try s.f.harvest("LA-W-1").json).status == 201)
        let size = UInt64(CLIHarness.setupEntries + 1)
        let note = try s.waitForCosignatures(["witness.test/w1", "witness.test/w2"], size: size)
        // The tiles' checkpoint carries them too, and the operator's signature still opens it.
        let tiles = try s.f.get("/checkpoint").text
        #expect(tiles.contains("\u{2014} witness.test/w1 ") && tiles.contains("\u{2014} witness.test/w2 "))
        #expect(try Checkpoint.open(note, operatorKey: VerifierKey(s.f.h.operatorVKey)).size == size)

        let met = try s.f.h.run(
            "verify-lot", "LA-W-1", "--server", s.f.server.url, "--operator", s.f.h.operatorVKey, "--witness", s.vkeys[0],
            "--witness", s.vkeys[1], "--witness-quorum", "2")
        #expect(met.status == 0, "\(met.stderr)")
        #expect(met.stdout.contains("VERIFIED: lot LA-W-1"))
        let missed = try s.f.h.run(
            "verify-lot", "LA-W-1", "--server", s.f.server.url, "--operator", s.f.h.operatorVKey, "--witness", s.vkeys[0],
            "--witness", s.vkeys[1], "--witness", s.vkeys[2], "--witness-quorum", "3")
        #expect(missed.status == 1)
        #expect(missed.stderr.contains("cosigned by 2 of the 3 witnesses required"), "\(missed.stderr)")
        #expect(missed.stderr.contains("missing: witness.test/w3"), "\(missed.stderr)")
        // A local ledger's check reads the cosignatures the server kept beside it.
        let local = try s.f.h.run(
            "verify-lot", "LA-W-1", "--ledger", s.f.h.ledger, "--witness", s.vkeys[1], "--witness-quorum", "1")
        #expect(local.status == 0, "\(local.stderr)")
    }

    @Test func aClientUsesTheNewestCheckpointWithAQuorumWhenTheLatestLacksOne() throws {
        let s = try Setup()
        defer { s.stop() }
        #expect(try s.f.post("/v1/events", try s.f.harvest("LA-W-1").json).status == 201)
        let size = UInt64(CLIHarness.setupEntries + 1)
        _ = try s.waitForCosignatures(["witness.test/w1", "witness.test/w2"], size: size)
        s.witnesses[1].stop()
        #expect(try s.f.post("/v1/events", try s.f.harvest("LA-W-2").json).status == 201)
        _ = try s.waitForCosignatures(["witness.test/w1"], size: size + 1)
        let both = ["--witness", s.vkeys[0], "--witness", s.vkeys[1], "--witness-quorum", "2"]
        // The first lot lies within the older checkpoint both witnesses cosigned, which the latest extends.
        let old = try Command.run(
            Command.trace, ["verify-lot", "LA-W-1", "--server", s.f.server.url, "--operator", s.f.h.operatorVKey] + both,
            directory: s.f.h.directory)
        #expect(old.status == 0, "\(old.stderr)")
        // The new lot is only in a checkpoint one witness has seen.
        let new = try Command.run(
            Command.trace, ["verify-lot", "LA-W-2", "--server", s.f.server.url, "--operator", s.f.h.operatorVKey] + both,
            directory: s.f.h.directory)
        #expect(new.status == 1)
        #expect(new.stderr.contains("after the newest checkpoint the witnesses cosigned (size \(size))"), "\(new.stderr)")
    }

    @Test func aWitnessAnswersAStaleOldSizeWith409AndTheSizeItHolds() throws {
        let s = try Setup()
        defer { s.stop() }
        #expect(try s.f.post("/v1/events", try s.f.harvest("LA-W-1").json).status == 201)
        let size = UInt64(CLIHarness.setupEntries + 1)
        let note = try s.waitForCosignatures(["witness.test/w1"], size: size)
        // Sending the same checkpoint as if the witness had seen nothing: it holds `size`.
        let reply = try HTTPReply.send("POST", s.witnesses[0].url + "/add-checkpoint", body: Array(("old 0\n\n" + note).utf8))
        #expect(reply.status == 409)
        #expect(reply.text == "\(size)\n")
        #expect(reply.headers["content-type"] == "text/x.tlog.size")
        // Of a log it does not witness: 404.
        let stranger = try CLIHarness(origin: "other.trace.example/ledger")
        try stranger.runAll([["checkpoint"]])
        let foreign = try stranger.run("checkpoint").stdout
        let unknown = try HTTPReply.send(
            "POST", s.witnesses[0].url + "/add-checkpoint", body: Array(("old 0\n\n" + foreign).utf8))
        #expect(unknown.status == 404)
    }

    @Test func certificatesCarryTheCosignedCheckpointAndVerifyAndCertificateVerifyRequireAQuorum() throws {
        let s = try Setup()
        defer { s.stop() }
        let h = s.f.h
        try h.addExporter()
        try h.harvestShipAndExport()
        let size = try s.f.ledgerSize()
        _ = try s.waitForCosignatures(["witness.test/w1", "witness.test/w2"], size: size)
        let two = ["--witness", s.vkeys[0], "--witness", s.vkeys[1], "--witness-quorum", "2"]
        let three = ["--witness", s.vkeys[0], "--witness", s.vkeys[1], "--witness", s.vkeys[2], "--witness-quorum", "3"]

        let verified = try Command.run(Command.trace, ["verify", "--ledger", h.ledger] + two, directory: h.directory)
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("witnessed: the checkpoint of size \(size) is cosigned by a quorum"))
        let short = try Command.run(Command.trace, ["verify", "--ledger", h.ledger] + three, directory: h.directory)
        #expect(short.status == 1)
        #expect(short.stderr.contains("missing: witness.test/w3"), "\(short.stderr)")

        let issued = try h.run("certificate", "issue", "X-1", "--out", "cert.json", "--key", "vinarice.key")
        #expect(issued.status == 0, "\(issued.stderr)")
        let certificate = try String(contentsOfFile: h.directory + "/cert.json", encoding: .utf8)
        #expect(certificate.contains("witness.test/w1") && certificate.contains("witness.test/w2"))
        let met = try Command.run(
            Command.trace, ["certificate", "verify", "cert.json", "--operator", h.operatorVKey] + two, directory: h.directory)
        #expect(met.status == 0, "\(met.stderr)")
        // The printed certificate shows the operator key's fingerprint, and its QR URL carries it
        // with the witnesses': the same fingerprints the buyer's page checks against.
        let printed = try Command.run(
            Command.trace,
            [
                "certificate", "verify", "cert.json", "--operator", h.operatorVKey, "--html", "cert.html", "--public-url",
                "https://trace.example.vn",
            ]
                + two, directory: h.directory)
        #expect(printed.status == 0, "\(printed.stderr)")
        let html = try String(contentsOfFile: h.directory + "/cert.html", encoding: .utf8)
        let k = KeyFingerprint.of(h.operatorVKey)
        #expect(html.contains(">\(k)</div>"))
        #expect(html.contains("10/X-1?k=\(k)&amp;w=\(KeyFingerprint.of(s.vkeys[0]))&amp;w=\(KeyFingerprint.of(s.vkeys[1]))"))
        let missed = try Command.run(
            Command.trace, ["certificate", "verify", "cert.json", "--operator", h.operatorVKey] + three, directory: h.directory)
        #expect(missed.status == 1)
        #expect(
            missed.stderr.contains("the certificate's checkpoint of size \(size) is cosigned by 2 of the 3"), "\(missed.stderr)")
        #expect(missed.stderr.contains("missing: witness.test/w3"), "\(missed.stderr)")
    }
}
