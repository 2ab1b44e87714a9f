import CanonicalJSON
import Foundation
import HTTPTypes
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
        try get("/healthz", "/healthz")
        try get("/readyz", "/readyz")
        try get("/metrics", "/metrics")
        // C2SP tlog-tiles: a small ledger has only partial tiles.
        let size = try f.ledgerSize()
        try get("/checkpoint", "/checkpoint")
        try get("/tile/{L}/{N}.p/{W}", "/tile/0/000.p/\(size)")
        try get("/tile/entries/{N}.p/{W}", "/tile/entries/000.p/\(size)")
        try get("/tile/{L}/{N}", "/tile/0/000")
        try get("/tile/{L}/{N}", "/tile/00/000")
        try get("/tile/entries/{N}", "/tile/entries/000")
        try get("/tile/entries/{N}.p/{W}", "/tile/entries/000.p/\(size + 1)")
        // The EPCIS 2.0 query interface (docs/EPCIS.md).
        try get("/epcis/events", "/epcis/events")
        try get("/epcis/events", "/epcis/events?perPage=1&EQ_bizStep=commissioning")
        try get("/epcis/events", "/epcis/events?EQ_quantity=1")
        try get("/epcis/events/{eventID}", "/epcis/events/ev-1")
        try get("/epcis/events/{eventID}", "/epcis/events/nothing-here")
        try get("/epcis/eventTypes", "/epcis/eventTypes")
        try get("/epcis/eventTypes/{eventType}/events", "/epcis/eventTypes/ObjectEvent/events?perPage=2")
        try get("/epcis/eventTypes/{eventType}/events", "/epcis/eventTypes/Nope/events")
        try post("/epcis/capture", ["type": "EPCISDocument"])
        try post("/epcis/events", ["type": "ObjectEvent"])
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

    /// Every path and method of the document, as `[[template, [METHOD...]], ...]`.
    static func documentedPaths() throws -> [(template: String, methods: Set<String>)] {
        let script = """
            import json, sys, yaml
            spec = yaml.safe_load(open(sys.argv[1]))
            methods = {"get", "put", "post", "delete", "patch", "trace", "query", "head", "options"}
            print(json.dumps([[p, sorted(m.upper() for m in ops if m in methods)] for p, ops in spec["paths"].items()]))
            """
        let result = try Command.run("python3", ["-c", script, Self.root + "/schemas/openapi.yaml"])
        let list = try CanonicalJSON.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue ?? []
        return list.map { pair in
            (pair.arrayValue?.first?.stringValue ?? "", Set(pair.arrayValue?.last?.arrayValue?.compactMap(\.stringValue) ?? []))
        }
    }

    /// A concrete path for a template: every `{name}` filled with a value the route accepts.
    static func sample(_ template: String) -> String {
        let values = [
            "code": "LA-ST25-1", "publicKey": String(repeating: "ab", count: 32), "id": "htx-tan-lap", "gtin": "08934567000017",
            "lot": "LA-ST25-1", "L": "0", "N": "000", "W": "1", "eventID": "ev-1", "eventType": "ObjectEvent",
        ]
        var path = template
        for (name, value) in values { path = path.replacingOccurrences(of: "{\(name)}", with: value) }
        return path
    }

    @Test(.enabled(if: available, "SKIPPED: needs python3 with PyYAML (tools/setup installs it)"))
    func aMethodAPathDoesNotTakeIsAnswered405WithAllow() async throws {
        let paths = try Self.documentedPaths()
        #expect(paths.count > 20)
        try await AppFixture.test(eventsFirst: 1) { f in
            for (template, declared) in paths {
                let path = Self.sample(template)
                for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "TRACE", "QUERY"] {
                    let reply = try await f.send(
                        .init(method)!, path, body: method == "GET" || method == "TRACE" ? nil : Array("{}".utf8))
                    if declared.contains(method) {
                        #expect(reply.status != 405, "\(method) \(path): \(reply.status)")
                        continue
                    }
                    #expect(reply.status == 405, "\(method) \(path): \(reply.status) \(reply.text)")
                    #expect(reply.headers["content-type"] == "application/problem+json", "\(method) \(path)")
                    #expect(try reply.json()["code"] == "request.method_not_allowed", "\(method) \(path)")
                    let allow = Set(
                        (reply.headers["allow"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                    #expect(allow == declared, "\(method) \(path): Allow \(reply.headers["allow"] ?? "(none)")")
                }
            }
        }
    }
}
