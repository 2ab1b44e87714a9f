import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger

/// Real answers of every endpoint, good and refused, checked against schemas/openapi.yaml by
/// Python's jsonschema (an implementation independent of ours; tools/setup installs it).
struct OpenAPITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let available = (try? Command.run("python3", ["-c", "import yaml, jsonschema, referencing"]))?.status == 0

    @Test(.enabled(if: available, "SKIPPED: needs python3 with PyYAML and jsonschema (tools/setup installs them)"))
    func everyAnswerMatchesTheSpec() throws {
        let f = try ServerFixture(["--write-burst", "12", "--write-rate", "0.01"])
        try f.h.appendEvents(3)
        var exchanges: [JSONValue] = []
        func record(_ method: String, _ template: String, _ reply: HTTPReply) {
            exchanges.append([
                "method": .string(method), "template": .string(template), "status": .number(Double(reply.status)),
                "contentType": .string(reply.headers["content-type"] ?? ""), "body": .string(reply.text),
            ])
        }
        func get(_ template: String, _ path: String) throws { record("GET", template, try f.get(path)) }
        func post(_ template: String, _ body: JSONValue) throws { record("POST", template, try f.post(template, body)) }

        let event = try f.harvest("LA-API-1")
        try post("/v1/events", event.json)
        try post("/v1/events", event.json)
        try post("/v1/events", try f.harvest("LA-API-2", plot: "P-404").json)
        try post("/v1/events", ["event": ["id": "x"], "key": "k", "sig": "s"])
        try post("/v1/events:batch", ["events": .array(try (3...5).map { try f.harvest("LA-API-\($0)").json })])
        try post(
            "/v1/events:batch", ["events": .array(try [f.harvest("LA-API-6"), f.harvest("LA-API-7", plot: "P-0")].map(\.json))])
        record("POST", "/v1/events", try f.post("/v1/events", bytes: Array(repeating: UInt8(ascii: "["), count: 100)))
        try get("/v1/checkpoint", "/v1/checkpoint")
        try get("/v1/stats", "/v1/stats")
        try get("/v1/stats", "/v1/stats?from=2026-13")
        try get("/stats", "/stats?lang=en")
        try get("/v1/proofs/inclusion", "/v1/proofs/inclusion?entry=3")
        try get("/v1/proofs/inclusion", "/v1/proofs/inclusion?entry=99")
        try get("/v1/proofs/inclusion", "/v1/proofs/inclusion?entry=x")
        try get("/v1/proofs/consistency", "/v1/proofs/consistency?from=1")
        try get("/v1/proofs/consistency", "/v1/proofs/consistency?from=1&to=2")
        try get("/v1/entries", "/v1/entries?start=1&limit=2")
        try get("/v1/entries", "/v1/entries")
        try get("/v1/lots/{code}", "/v1/lots/LA-ST25-1")
        try get("/v1/lots/{code}", "/v1/lots/NONE")
        try get("/v1/lots/{code}/lineage", "/v1/lots/la-st25-2/lineage")
        try get("/v1/parties/{id}", "/v1/parties/htx-tan-lap")
        try get("/v1/lots/{code}/story", "/v1/lots/LA-ST25-3/story")
        try get("/v1/lots/{code}/story", "/v1/lots/NOPE/story")
        try get("/v1/lots/{code}/certificate", "/v1/lots/LA-ST25-3/certificate")
        try get("/v1/lots/{code}/certificate", "/v1/lots/LA-ST25-3/certificate?draft=full")
        record(
            "PUT", "/v1/lots/{code}/certificate",
            try HTTPReply.send("PUT", f.server.url + "/v1/lots/LA-ST25-3/certificate", body: Array(#"{"type":"x"}"#.utf8)))
        try get("/v1/parties/{id}", "/v1/parties/nobody")
        try get("/v1/signers/{publicKey}", "/v1/signers/" + Hex.encode(f.key.publicKey.bytes))
        try get("/v1/signers/{publicKey}", "/v1/signers/abc")
        try get("/v1/signers/{publicKey}", "/v1/signers/" + Hex.encode(try PrivateKey.generate().publicKey.bytes))
        try get("/lot/{code}", "/lot/RICE-404")
        try get("/lot/{code}", "/lot/LA-ST25-1?lang=en")
        try get("/01/{gtin}/10/{lot}", "/01/08934567000017/10/LA-ST25-1")
        // C2SP tlog-tiles: a small ledger has only partial tiles.
        let size = try f.ledgerSize()
        try get("/checkpoint", "/checkpoint")
        try get("/tile/{L}/{N}.p/{W}", "/tile/0/000.p/\(size)")
        try get("/tile/entries/{N}.p/{W}", "/tile/entries/000.p/\(size)")
        try get("/tile/{L}/{N}", "/tile/0/000")
        try get("/tile/{L}/{N}", "/tile/00/000")
        try get("/tile/entries/{N}", "/tile/entries/000")
        try get("/tile/entries/{N}.p/{W}", "/tile/entries/000.p/\(size + 1)")
        // Exhaust the write burst: the refusal is documented too.
        var limited: HTTPReply?
        for i in 10...30 where limited == nil {
            let reply = try f.post("/v1/events", try f.harvest("LA-API-\(i)").json)
            if reply.status == 429 { limited = reply }
        }
        record("POST", "/v1/events", try #require(limited))

        let scratch = try Scratch.directory()
        let file = scratch + "/exchanges.jsonl"
        let lines = try exchanges.map { try CanonicalJSON.string($0) }.joined(separator: "\n")
        try lines.write(toFile: file, atomically: true, encoding: .utf8)
        let check = try Command.run(
            "python3", [Self.root + "/tools/check-openapi.py", Self.root + "/schemas/openapi.yaml", Self.root + "/schemas", file])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("\(exchanges.count) exchanges checked, 0 failures"), "\(check.stdout)")
    }
}
