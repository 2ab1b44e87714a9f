import CanonicalJSON
import Foundation
import HTTPTypes
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceServer

/// The write API in-process (`TraceServer.makeApplication`, no socket): the same rules as `trace submit`, problem details
/// for every refusal, and nothing written when a request is refused.
struct WriteAPITests {
    @Test(arguments: StoreKind.allCases) func aSignedEventIsAppendedWithAProofAndAResubmissionGetsTheSameAnswer(store: StoreKind)
        async throws
    {
        try await AppFixture.test(on: store) { f async throws in
            let event = try f.harvest("LA-HTTP-1")
            let first = try await f.post("/v1/events", event.json)
            #expect(first.status == 201, "\(first.text)")
            let answer = try first.json()
            #expect(answer["entry"]?.intValue == CLIHarness.setupEntries)
            #expect(answer["duplicate"] == .bool(false))
            let inclusion = try #require(answer["inclusion"])
            #expect(try f.proves(inclusion))
            #expect(inclusion["treeSize"]?.intValue == CLIHarness.setupEntries + 1)

            let again = try await f.post("/v1/events", event.json)
            #expect(again.status == 200)
            #expect(try again.json()["entry"] == answer["entry"])
            #expect(try again.json()["duplicate"] == .bool(true))
            #expect(try again.json()["leafHash"] == answer["leafHash"])
            #expect(try f.ledgerSize() == UInt64(CLIHarness.setupEntries + 1))

            // The same id for another event is a conflict, not a second entry.
            let other = try f.harvest("LA-HTTP-2", id: event.id)
            let conflict = try await f.post("/v1/events", other.json)
            #expect(conflict.status == 409)
            #expect(try conflict.json()["code"]?.stringValue == "ledger.event_id_conflict")
            #expect(try f.ledgerSize() == UInt64(CLIHarness.setupEntries + 1))
        }
    }

    @Test(arguments: StoreKind.allCases) func retriesRacingEachOtherRecordTheEventOnce(store: StoreKind) async throws {
        try await AppFixture.test(on: store) { f async throws in
            let size = try f.ledgerSize()
            let body = try CanonicalJSON.encode(try f.harvest("LA-RACE-1").json)
            // A flaky link resends the same signed event from several connections at once.
            let replies = try await withThrowingTaskGroup(of: HTTPReply.self) { group in
                for _ in 0..<8 { group.addTask { try await f.send(.post, "/v1/events", body: body) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.filter { $0.status == 201 }.count == 1, "\(replies.map(\.status))")
            #expect(replies.filter { $0.status == 200 }.count == 7)
            #expect(Set(try replies.map { try $0.json()["entry"]?.intValue }).count == 1)
            #expect(try f.ledgerSize() == size + 1)
        }
    }

    @Test(arguments: StoreKind.allCases) func aBatchLandsWhole(store: StoreKind) async throws {
        try await AppFixture.test(on: store) { f async throws in
            let events = try (1...5).map { try f.harvest("LA-B-\($0)") }
            let reply = try await f.post("/v1/events:batch", ["events": .array(events.map(\.json))])
            #expect(reply.status == 201, "\(reply.text)")
            let answer = try reply.json()
            let entries = try #require(answer["entries"]?.arrayValue)
            #expect(entries.map { $0["entry"]?.intValue } == (0..<5).map { CLIHarness.setupEntries + $0 })
            #expect(answer["new"]?.intValue == 5)
            // Each entry's proof, with the batch's checkpoint, verifies.
            for entry in entries {
                var proof = entry.objectValue ?? [:]
                proof["checkpoint"] = answer["checkpoint"]
                proof["treeSize"] = answer["treeSize"]
                #expect(try f.proves(.object(proof)))
            }
        }
    }

    @Test(arguments: StoreKind.allCases) func everyRefusalIsAProblemWithItsCodeAndNothingIsWritten(store: StoreKind) async throws
    {
        try await AppFixture.test(on: store) { f async throws in
            let size = try f.ledgerSize()
            let good = try f.harvest("LA-R-1")
            var tampered = good.json.objectValue ?? [:]
            tampered["event"] = try f.harvest("LA-R-9").event
            let stranger = try PrivateKey.generate()
            let unknownKey = try SignedEvent.sign(
                SupplyChain.event("harvest", actor: "htx-tan-lap", ["lot": "LA-R-2"]), with: stranger, keyName: "htx-tan-lap")
            let cases: [(String, JSONValue, Int, String)] = [
                ("/v1/events", .object(tampered), 422, "ledger.bad_signature"),
                ("/v1/events", unknownKey.json, 422, "domain.key_not_valid"),
                ("/v1/events", try f.harvest("LA-R-3", plot: "P-404").json, 422, "domain.unknown_plot"),
                ("/v1/events", ["event": ["type": "harvest"], "key": "k", "sig": "s"], 400, "ledger.bad_event"),
                ("/v1/events:batch", ["events": []], 400, "request.bad_batch"),
                ("/v1/events:batch", ["nope": true], 400, "request.bad_batch"),
            ]
            for (path, body, status, code) in cases {
                let reply = try await f.post(path, body)
                #expect(reply.status == status, "\(code): \(reply.text)")
                try expectProblem(reply, code: code, directory: f.h.directory)
            }
            // A batch reports every refusal, and writes none of its good events.
            let batch = try [f.harvest("LA-R-4"), f.harvest("LA-R-5", quantity: "-3"), f.harvest("LA-R-6", plot: "P-404")]
            let reply = try await f.post("/v1/events:batch", ["events": .array(batch.map(\.json))])
            #expect(reply.status == 422)
            let refusals = try #require(try reply.json()["refusals"]?.arrayValue)
            #expect(refusals.map { $0["index"]?.intValue } == [1, 2])
            #expect(try f.ledgerSize() == size)
        }
    }

    @Test(arguments: StoreKind.allCases) func hostileBodiesAreRefusedAndTheServerKeepsServing(store: StoreKind) async throws {
        try await AppFixture.test(on: store, maxBodyBytes: 65536) { f async throws in
            let size = try f.ledgerSize()
            let huge = Array(repeating: UInt8(ascii: " "), count: 200_000) + Array("{}".utf8)
            let cases: [([UInt8], Int, String)] = [
                (huge, 413, "request.too_large"),
                (
                    Array(String(repeating: "[", count: 5000).utf8) + Array(String(repeating: "]", count: 5000).utf8), 400,
                    "json.too_deep"
                ),
                ([UInt8(ascii: "{"), UInt8(ascii: "\"")] + [0xC3, 0x28] + Array("\":1}".utf8), 400, "json.invalid_utf8"),
                (Array("{\"event\":".utf8), 400, "json.syntax"),
                ([], 400, "request.empty"),
            ]
            for (body, status, code) in cases {
                let reply = try await f.post("/v1/events", bytes: body)
                #expect(reply.status == status, "\(code): \(reply.text)")
                try expectProblem(reply, code: code, directory: f.h.directory)
            }
            #expect(try f.ledgerSize() == size)
            #expect(try await f.get("/v1/checkpoint").status == 200)
        }
    }

    @Test func sigtermStopsTheServerCleanly() throws {
        let f = try ServerFixture()
        #expect(try f.post("/v1/events", try f.harvest("LA-S-1").json).status == 201)
        #expect(f.server.stop() == 0)
        #expect(f.server.stdout.contains("trace serve: stopped"))
        let verify = try f.h.run("verify")
        #expect(verify.status == 0, "\(verify.stderr)")
        // Ctrl-C in a terminal stops it the same way.
        let again = try ServerProcess(["--ledger", f.h.ledger], directory: f.h.directory)
        #expect(try HTTPReply.send("GET", again.url + "/v1/checkpoint").status == 200)
        #expect(again.stop(signal: SIGINT) == 0)
        #expect(again.stdout.contains("trace serve: stopped"))
    }
}

/// The RFC 9457 shape: the problem media type, the standard members, our stable code, and
/// nothing that reveals the server's files.
func expectProblem(_ reply: HTTPReply, code: String, directory: String, sourceLocation: SourceLocation = #_sourceLocation)
    throws
{
    #expect(reply.headers["content-type"] == "application/problem+json", sourceLocation: sourceLocation)
    let problem = try reply.json()
    #expect(problem["code"]?.stringValue == code, "\(reply.text)", sourceLocation: sourceLocation)
    #expect(problem["status"]?.intValue == reply.status, sourceLocation: sourceLocation)
    #expect(problem["type"]?.stringValue == "urn:trace:problem:\(code)", sourceLocation: sourceLocation)
    #expect(problem["title"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(problem["detail"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(!reply.text.contains(directory), sourceLocation: sourceLocation)
}
