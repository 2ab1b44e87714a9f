import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceLedgerSQLite
import TraceServer

/// The read API in-process (`TraceServer.makeApplication`, no socket): the same answers as the CLI's `--json`, proofs
/// that verify, caching headers where an answer cannot change, and no clear personal data.
struct ReadAPITests {
    @Test(arguments: StoreKind.allCases) func theCheckpointAndEveryProofVerify(store: StoreKind) async throws {
        try await AppFixture.test(on: store, eventsFirst: 6) { f async throws in
            let note = try await f.get("/v1/checkpoint")
            #expect(note.status == 200)
            #expect(note.headers["content-type"]?.hasPrefix("text/plain") == true)
            // The server signed a checkpoint covering the entries the CLI appended before it started.
            let checkpoint = try Checkpoint.open(note.text, operatorKey: VerifierKey(f.h.operatorVKey))
            #expect(checkpoint.size == UInt64(CLIHarness.setupEntries + 6))

            let latest = try await f.get("/v1/proofs/inclusion?entry=5")
            #expect(latest.status == 200, "\(latest.text)")
            #expect(try f.proves(try latest.json()))
            #expect(latest.headers["cache-control"] == "no-cache")

            let fixed = try await f.get("/v1/proofs/inclusion?entry=2&size=\(checkpoint.size)")
            #expect(try f.proves(try fixed.json()))
            #expect(fixed.headers["cache-control"]?.contains("immutable") == true)
            let tag = try #require(fixed.headers["etag"])
            let revalidated = try await f.get(
                "/v1/proofs/inclusion?entry=2&size=\(checkpoint.size)", headers: ["If-None-Match": tag])
            #expect(revalidated.status == 304)
            #expect(revalidated.body.isEmpty)

            // A consistency proof from the first checkpoint (size 1, signed by `trace init`).
            let consistency = try await f.get("/v1/proofs/consistency?from=1&to=\(checkpoint.size)")
            #expect(consistency.status == 200, "\(consistency.text)")
            let c = try consistency.json()
            let proof = ConsistencyProof(
                oldSize: 1, newSize: checkpoint.size,
                hashes: try (c["proof"]?.arrayValue ?? []).map { try Digest(hex: $0.stringValue ?? "") })
            let first = try #require(try Ledger(store: f.store).storedCheckpoint(size: 1))
            let oldRoot = first.checkpoint.root
            #expect(proof.verify(oldRoot: oldRoot, newRoot: checkpoint.root))
            #expect(c["oldRootHash"]?.stringValue == oldRoot.hex)

            for (path, status, code) in [
                ("/v1/proofs/inclusion?entry=999", 404, "ledger.out_of_range"),
                ("/v1/proofs/inclusion?entry=1&size=3", 404, "proof.no_checkpoint"),
                ("/v1/proofs/inclusion?entry=abc", 400, "request.bad_query"),
                ("/v1/proofs/inclusion", 400, "request.bad_query"),
                ("/v1/proofs/consistency?from=99", 404, "ledger.out_of_range"),
            ] {
                let reply = try await f.get(path)
                #expect(reply.status == status, "\(path): \(reply.text)")
                try expectProblem(reply, code: code, directory: f.h.directory)
            }
        }
    }

    @Test(arguments: StoreKind.allCases) func entriesArePagedWithTheirExactBytes(store: StoreKind) async throws {
        try await AppFixture.test(on: store, eventsFirst: 3) { f async throws in
            let page = try await f.get("/v1/entries?start=2&limit=3")
            #expect(page.status == 200, "\(page.text)")
            let json = try page.json()
            let entries = try #require(json["entries"]?.arrayValue)
            #expect(entries.map { $0["seq"]?.intValue } == [2, 3, 4])
            #expect(json["next"]?.intValue == 5)
            #expect(page.headers["cache-control"]?.contains("immutable") == true)
            let ledger = try Ledger(store: f.store)
            for entry in entries {
                let bytes = try #require(entry["entryBytes"]?.stringValue.flatMap { Data(base64Encoded: $0) })
                #expect([UInt8](bytes) == (try ledger.entry(UInt64(entry["seq"]?.intValue ?? -1)).bytes))
            }
            let tail = try await f.get("/v1/entries?start=5&limit=100").json()
            #expect(tail["entries"]?.arrayValue?.count == 2)
            #expect(tail["next"] == .null)
            #expect(try await f.get("/v1/entries?limit=0").status == 400)
        }
    }

    @Test func lotsAndLineagesAnswerAsTheCLIDoes() async throws {
        try await AppFixture.test { f async throws in
            try f.h.appendEvents(2)
            let split = try f.h.run(
                "split", "--key", "htx-tan-lap.key", "--lot", "LA-ST25-1", "--into", "LA-ST25-1A:700", "--into", "LA-ST25-1B:500")
            #expect(split.status == 0, "\(split.stderr)")
            // The verdict speaks for the latest signed checkpoint: both sides read the same one.
            #expect(try f.h.run("checkpoint").status == 0)
            for (path, cli) in [
                ("/v1/lots/la-st25-1a", try f.h.json("show", "LA-ST25-1A")),
                ("/v1/lots/LA-ST25-1/lineage", try f.h.json("lineage", "LA-ST25-1")),
            ] {
                let reply = try await f.get(path)
                #expect(reply.status == 200, "\(reply.text)")
                #expect(try reply.json() == cli, "\(reply.text)\n\(cli)")
                #expect(reply.headers["cache-control"] == "no-cache")
                let tag = try #require(reply.headers["etag"])
                #expect(try await f.get(path, headers: ["If-None-Match": tag]).status == 304)
            }
            let party = try await f.get("/v1/parties/trang-trai-bay").json()
            #expect(party["memberOf"]?.stringValue == "htx-tan-lap")
            #expect(party["keys"]?.arrayValue?.count == 1)
            for (path, code) in [("/v1/lots/NO-SUCH-LOT", "domain.unknown_lot"), ("/v1/parties/nobody", "domain.unknown_party")] {
                let reply = try await f.get(path)
                #expect(reply.status == 404)
                try expectProblem(reply, code: code, directory: f.h.directory)
            }
            let bad = try await f.get("/v1/lots/bad%20code!")
            #expect(bad.status == 422 || bad.status == 400)
        }
    }

    @Test func aPersonsNameIsNeverServed() async throws {
        try await AppFixture.test { f async throws in
            let key = try f.h.run("keys", "new", "--name", "nong-dan-an", "--out", "an.key")
            let add = try f.h.run(
                "party", "add", "--id", "nong-dan-an", "--name", "Nguyễn Văn An", "--role", "farm", "--person", "--phone",
                "0912345678", "--member-of", "htx-tan-lap", "--vkey", key.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(add.status == 0, "\(add.stderr)")
            let plot = try f.h.run(
                "plot", "add", "--key", "htx-tan-lap.key", "--id", "P-AN", "--farm", "nong-dan-an", "--area-ha", "1.2", "--crop",
                "lúa",
                "--geometry", #"{"type":"Point","coordinates":[106.5,10.6]}"#)
            #expect(plot.status == 0, "\(plot.stderr)")
            #expect(try await f.post("/v1/events", try f.harvest("LA-AN-1", plot: "P-AN").json).status == 201)
            // The CLI, beside the ledger, shows the name; the server never does.
            #expect(try f.h.run("show", "LA-AN-1").stdout.contains("Nguyễn Văn An"))
            for path in ["/v1/lots/LA-AN-1", "/v1/lots/LA-AN-1/lineage", "/v1/parties/nong-dan-an", "/v1/entries?limit=100"] {
                let reply = try await f.get(path)
                #expect(reply.status == 200)
                #expect(!reply.text.contains("Nguyễn Văn An"), "\(path)")
                #expect(!reply.text.contains("0912345678"), "\(path)")
            }
            #expect(try await f.get("/v1/parties/nong-dan-an").json()["commitments"]?["name"] != nil)
        }
    }

    @Test func answersFollowAppendsByOtherProcesses() async throws {
        try await AppFixture.test { f async throws in
            try f.h.appendEvents(2)
            let before = try await f.get("/v1/lots/LA-ST25-1").json()
            #expect(before["status"]?.stringValue == "active")
            #expect(try await f.get("/lot/LA-ST25-1?lang=en").text.contains("Shipped") == false)
            // An append that touches another lot, then one that touches this lot, both by the CLI.
            #expect(try f.h.run("ship", "--key", "htx-tan-lap.key", "--lot", "LA-ST25-2", "--to", "trang-trai-bay").status == 0)
            // The same lot, unchanged; only its verdict now speaks for the checkpoint signed since.
            func withoutVerdict(_ v: JSONValue) -> JSONValue {
                guard case .object(var o) = v else { return v }
                o["verdict"] = nil
                return .object(o)
            }
            #expect(withoutVerdict(try await f.get("/v1/lots/LA-ST25-1").json()) == withoutVerdict(before))
            #expect(try await f.get("/v1/lots/LA-ST25-2").json()["status"]?.stringValue == "in transit to trang-trai-bay")
            #expect(try f.h.run("ship", "--key", "htx-tan-lap.key", "--lot", "LA-ST25-1", "--to", "trang-trai-bay").status == 0)
            #expect(try await f.get("/v1/lots/LA-ST25-1").json()["status"]?.stringValue == "in transit to trang-trai-bay")
            let page = try await f.get("/lot/LA-ST25-1?lang=en")
            #expect(page.text.contains("Shipped"))
            #expect(page.text.contains("VERIFIED"))
            // A lot that did not exist when first asked for appears once it is recorded.
            #expect(try await f.get("/lot/LA-ST25-3").status == 404)
            try f.h.appendEvents(1, from: 3)
            #expect(try await f.get("/lot/LA-ST25-3").status == 200)
            #expect(try await f.get("/v1/lots/LA-ST25-3").status == 200)
        }
    }

    /// A lot's answer cached before an unrelated batch is not made again (its story verified
    /// again) when the server signs the batch's checkpoint: only its recall status's size moves,
    /// and the bytes are those a server started afresh makes. An append that touches the lot
    /// still makes it again.
    @Test func aLotAnswerMovesToANewCheckpointWithoutBeingMadeAgain() async throws {
        try await AppFixture.test { f async throws in
            try f.h.appendEvents(2)
            let first = try await f.get("/v1/lots/LA-ST25-1").json()
            #expect(first["verdict"]?["verdict"]?.stringValue == "verified")
            #expect(first["verdict"]?["recallStatusAtSize"]?.intValue == Int(try f.ledgerSize()))
            let made = try await Self.counter(f, "trace_answers_made_total")
            #expect(made >= 1)

            #expect(try await f.post("/v1/events", try f.harvest("LA-OTHER-9").json).status == 201)
            let size = try f.ledgerSize()
            let moved = try await f.get("/v1/lots/LA-ST25-1")
            #expect(try moved.json()["verdict"]?["recallStatusAtSize"]?.intValue == Int(size))
            #expect(try await Self.counter(f, "trace_answers_made_total") == made)
            #expect(try await Self.counter(f, "trace_answers_rebased_total") == 1)

            var configuration = ServerConfiguration(ledgerPath: f.h.ledger)
            configuration.operatorKeyPath = f.h.operatorKeyPath
            let fresh = try SQLiteLedgerStore.open(path: f.h.ledger)
            try await AppClient.test(configuration, store: fresh) { app async throws in
                let made = try await app.get("/v1/lots/LA-ST25-1")
                #expect(made.body == moved.body, "\(made.text)\n\(moved.text)")
                #expect(made.headers["etag"] == moved.headers["etag"])
            }

            try f.h.runAll([["recall", "LA-ST25-1", "--reason", "Aflatoxin above the limit"], ["checkpoint"]])
            let recalled = try await f.get("/v1/lots/LA-ST25-1").json()
            #expect(recalled["verdict"]?["verdict"]?.stringValue == "recalled")
            #expect(try await Self.counter(f, "trace_answers_made_total") == made + 1)
        }
    }

    /// A counter's value from `/metrics`.
    static func counter(_ f: AppFixture, _ name: String) async throws -> Int {
        let text = try await f.get("/metrics").text
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + " ") }),
            let value = Double(line.split(separator: " ").last ?? "")
        else { return 0 }
        return Int(value)
    }
}
