import CanonicalJSON
import Foundation
import HTTPTypes
import TestSupport
import Testing
import TraceLedger

/// Queries and bodies read strictly: one value per number, digits only, in range; writes only as
/// JSON (415 otherwise, with nothing written). Each case is what an attack campaign sent.
struct StrictRequestTests {
    @Test(arguments: StoreKind.allCases) func numbersInQueriesAreDigitsOnlyOnceAndInRange(store: StoreKind) async throws {
        try await AppFixture.test(on: store) { f async throws in
            #expect(try await f.get("/v1/entries?start=1&limit=2").status == 200)
            for path in [
                "/v1/entries?start=%2B1", "/v1/entries?start=-1", "/v1/entries?start=1.0", "/v1/entries?start=1&start=2",
                "/v1/entries?start=", "/v1/entries?start=0x10", "/v1/proofs/inclusion?entry=%2B1",
                "/v1/proofs/inclusion?entry=1&entry=2", "/v1/proofs/consistency?from=1&from=2",
                "/v1/entries?start=99999999999999999999",
            ] {
                let reply = try await f.get(path)
                #expect(reply.status == 400, "\(path): \(reply.status)")
                #expect(reply.headers["content-type"] == "application/problem+json", "\(path)")
                #expect(try reply.json()["code"]?.stringValue == "request.bad_query", "\(path)")
            }
            // Past the end: refused, not echoed back rounded through a double.
            let far = try await f.get("/v1/entries?start=9223372036854775807")
            #expect(far.status == 404)
            #expect(!far.text.contains("9223372036854776000"))
        }
    }

    @Test(arguments: StoreKind.allCases) func aHugeTileNumberIsNotFoundAndTheServerLivesOn(store: StoreKind) async throws {
        try await AppFixture.test(on: store) { f async throws in
            for path in ["/tile/0/x072/x057/x594/x037/x927/936", "/tile/entries/x072/x057/x594/x037/x927/936.p/5"] {
                #expect(try await f.get(path).status == 404, "\(path)")
            }
            #expect(try await f.get("/checkpoint").status == 200)
        }
    }

    @Test(arguments: StoreKind.allCases) func writesMustBeJSONAndNothingElseIsWritten(store: StoreKind) async throws {
        try await AppFixture.test(on: store) { f async throws in
            let before = try f.ledgerSize()
            let event = try CanonicalJSON.encode(try f.harvest("CT-1").json)
            for type in [
                "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx",
            ] {
                let reply = try await f.send(.post, "/v1/events", body: event, headers: ["Content-Type": type])
                #expect(reply.status == 415, "\(type): \(reply.status)")
                #expect(try reply.json()["code"]?.stringValue == "request.unsupported_media_type")
            }
            let put = try await f.send(
                .put, "/v1/lots/CT-1/certificate", body: Array("{}".utf8), headers: ["Content-Type": "text/plain"])
            #expect(put.status == 415)
            #expect(try f.ledgerSize() == before)
            let json = try await f.send(
                .post, "/v1/events", body: event, headers: ["Content-Type": "application/json; charset=utf-8"])
            #expect(json.status == 201, "\(json.text)")
        }
    }
}
