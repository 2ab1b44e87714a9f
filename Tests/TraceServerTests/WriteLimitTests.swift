import CanonicalJSON
import Foundation
import HTTPTypes
import TestSupport
import Testing
import TraceLedger
import TraceServer

/// One write limit, as one middleware on every write route: events and certificates draw on the
/// same per-client bucket, a refused write is a problem with Retry-After before its body is read,
/// and reads are never limited. In-process: no socket, no second process.
struct WriteLimitTests {
    // A bucket that refills about once in three hours: a slow, loaded machine cannot refill it mid-test.
    @Test(arguments: StoreKind.allCases) func aFloodOfWritesIsLimitedPerClient(store: StoreKind) async throws {
        try await AppFixture.test(on: store, writesPerSecond: 0.0001, writeBurst: 4) { f in
            let size = try f.ledgerSize()
            var statuses: [Int] = []
            for i in 1...8 {
                let reply = try await f.post("/v1/events", try f.harvest("LA-F-\(i)").json)
                statuses.append(reply.status)
                if reply.status == 429 {
                    #expect(Int(reply.headers["retry-after"] ?? "") ?? 0 >= 1)
                    try expectProblem(reply, code: "request.rate_limited", directory: f.h.directory)
                }
            }
            #expect(statuses.prefix(4).allSatisfy { $0 == 201 }, "\(statuses)")
            #expect(statuses.dropFirst(4).allSatisfy { $0 == 429 }, "\(statuses)")
            #expect(try f.ledgerSize() == size + 4)
            // Reads are not limited.
            for _ in 0..<10 { #expect(try await f.get("/v1/checkpoint").status == 200) }
        }
    }

    @Test(arguments: StoreKind.allCases) func publishingACertificateDrawsOnTheSameLimitAsEvents(store: StoreKind) async throws {
        try await AppFixture.test(on: store, writesPerSecond: 0.0001, writeBurst: 2) { f in
            // A body that would be refused as malformed: the limit answers first, without reading it.
            let certificate = try await f.send(.put, "/v1/lots/LA-C-1/certificate", body: Array("{".utf8))
            #expect(certificate.status == 400, "\(certificate.text)")
            #expect(try await f.post("/v1/events", try f.harvest("LA-C-1").json).status == 201)
            let limited = try await f.send(.put, "/v1/lots/LA-C-1/certificate", body: Array("{".utf8))
            #expect(limited.status == 429, "\(limited.text)")
            try expectProblem(limited, code: "request.rate_limited", directory: f.h.directory)
            #expect(try await f.post("/v1/events", try f.harvest("LA-C-2").json).status == 429)
            #expect(try await f.get("/v1/lots/LA-C-1").status == 200)
        }
    }
}
