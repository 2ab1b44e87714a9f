import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceDomain
import TraceLedger

/// The GS1 EPCIS 2.0 REST query interface of `trace serve` (docs/EPCIS.md): query documents GS1's
/// schema accepts, the binding's filters and paging, single events by any of their names, and
/// capture refused because EPCIS documents carry no signature.
struct EPCISQueryTests {
    /// Five harvests (LA-ST25-1 to 5) and the drying of LA-ST25-1 into DRY-1: six EPCIS events.
    static func withEvents(on store: StoreKind = .sqlite, _ body: @Sendable (AppFixture) async throws -> Void) async throws {
        try await AppFixture.test(on: store, eventsFirst: 5) { f in
            let transform = try SignedEvent.sign(
                SupplyChain.event(
                    "transform", actor: "htx-tan-lap", id: "ev-dry-1",
                    [
                        "process": "drying", "inputs": [["lot": "LA-ST25-1", "quantity": "1200"]],
                        "outputs": [["lot": "DRY-1", "quantity": "1000", "product": "Lúa ST25 sấy"]], "yieldLimit": "0.9",
                    ]), with: f.key, keyName: "htx-tan-lap")
            let written = try await f.post("/v1/events", transform.json)
            #expect(written.status == 201, "\(written.text)")
            try await body(f)
        }
    }

    static func events(_ reply: HTTPReply) throws -> [JSONValue] {
        try reply.json()["epcisBody"]?["queryResults"]?["resultsBody"]?["eventList"]?.arrayValue ?? []
    }

    static func expectEPCIS(_ reply: HTTPReply, status: Int = 200, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == status, "\(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.headers["gs1-epcis-version"] == "2.0.0", sourceLocation: sourceLocation)
        #expect(reply.headers["gs1-cbv-version"] == "2.0.0", sourceLocation: sourceLocation)
    }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    @Test func everyEventIsAnsweredInAQueryDocumentThatGS1sSchemaAccepts() async throws {
        try await Self.withEvents { f in
            let reply = try await f.get("/epcis/events")
            Self.expectEPCIS(reply)
            #expect(reply.headers["content-type"] == "application/json")
            #expect(reply.headers["link"] == nil)
            let document = try reply.json()
            #expect(document["type"] == "EPCISQueryDocument")
            let events = try Self.events(reply)
            #expect(
                events.map { $0["type"]?.stringValue ?? "" } == Array(repeating: "ObjectEvent", count: 5) + [
                    "TransformationEvent"
                ])
            for event in events {
                #expect(event["eventID"]?.stringValue?.hasPrefix("ni:///sha-256;") == true)
                #expect(event["recordTime"]?.stringValue.flatMap(Timestamp.parse) != nil)
            }
            let problem = try FormatSchemaCheck.problem(reply.body, against: "epcis-2.0.schema.json")
            #expect(problem == nil, "\(problem ?? "")")
            let ld = try await f.get("/epcis/events", headers: ["Accept": "application/ld+json"])
            #expect(ld.headers["content-type"] == "application/ld+json")
            #expect(ld.body == reply.body)
        }
    }

    @Test(arguments: StoreKind.allCases) func theBindingsFiltersSelectEvents(store: StoreKind) async throws {
        try await Self.withEvents(on: store) { f in
            func count(_ query: String) async throws -> Int {
                let reply = try await f.get("/epcis/events?" + query)
                Self.expectEPCIS(reply)
                let problem = try FormatSchemaCheck.problem(reply.body, against: "epcis-2.0.schema.json")
                #expect(problem == nil, "\(query): \(problem ?? "")")
                return try Self.events(reply).count
            }
            func expect(_ query: String, _ expected: Int) async throws {
                let found = try await count(query)
                #expect(found == expected, "\(query)")
            }
            let lots = "https://longan.trace.example/ledger/lots/"
            try await expect("eventType=TransformationEvent", 1)
            try await expect("eventType=ObjectEvent%7CTransformationEvent", 6)
            try await expect("eventType=AggregationEvent", 0)
            try await expect("EQ_action=ADD", 5)
            try await expect("EQ_action=OBSERVE|DELETE", 0)
            try await expect("EQ_bizStep=commissioning", 6)
            try await expect("EQ_bizStep=" + Self.encoded("https://ref.gs1.org/cbv/BizStep-commissioning"), 6)
            try await expect("EQ_bizStep=urn:epcglobal:cbv:bizstep:shipping", 0)
            try await expect("EQ_disposition=active", 5)
            try await expect("MATCH_epcClass=" + Self.encoded(lots + "LA-ST25-2"), 1)
            try await expect("MATCH_anyEPCClass=" + Self.encoded(lots + "LA-ST25-1"), 2)
            try await expect("MATCH_outputEPCClass=" + Self.encoded(lots + "DRY-1"), 1)
            try await expect("MATCH_inputEPCClass=" + Self.encoded(lots + "DRY-1"), 0)
            // Lots are class-level identifiers: no event names an instance.
            try await expect("MATCH_anyEPC=" + Self.encoded(lots + "LA-ST25-1"), 0)
            #expect(
                try await count(
                    "EQ_bizLocation=" + Self.encoded("https://longan.trace.example/ledger/parties/htx-tan-lap/location")) == 6)
            try await expect("EQ_readPoint=" + Self.encoded("https://longan.trace.example/ledger/plots/P-001"), 5)
            try await expect("GE_eventTime=2999-01-01T00:00:00Z", 0)
            try await expect("LT_eventTime=2999-01-01T07:00:00%2B07:00&GE_eventTime=2000-01-01T00:00:00Z", 6)
            try await expect("GE_recordTime=2999-01-01T00:00:00Z", 0)
            try await expect("eventType=ObjectEvent&EQ_bizStep=commissioning&perPage=1000", 5)
        }
    }

    @Test func pagesFollowTheLinkHeaderToTheEnd() async throws {
        try await Self.withEvents { f in
            let all = try Self.events(try await f.get("/epcis/events")).map { $0["eventID"] }
            var seen: [JSONValue?] = []
            var next: String? = "/epcis/events?perPage=4&EQ_bizStep=commissioning"
            var pages = 0
            while let path = next {
                let reply = try await f.get(path)
                Self.expectEPCIS(reply)
                let events = try Self.events(reply)
                #expect(events.count <= 4)
                seen += events.map { $0["eventID"] }
                pages += 1
                // `<URL>; rel="next"` while more remain; no Link on the last page.
                next = reply.headers["link"].flatMap { link in
                    guard link.hasPrefix("<"), link.hasSuffix(">; rel=\"next\""), let end = link.firstIndex(of: ">") else {
                        return nil
                    }
                    return String(link[link.index(after: link.startIndex)..<end])
                }
                if let next { #expect(next.contains("EQ_bizStep=commissioning") && next.contains("perPage=4")) }
            }
            #expect(pages == 2)
            #expect(seen == all)
        }
    }

    @Test func oneEventIsFoundByItsEventIDItsHashOrItsTraceID() async throws {
        try await Self.withEvents { f in
            let events = try Self.events(try await f.get("/epcis/events?eventType=TransformationEvent"))
            let id = try #require(events.first?["eventID"]?.stringValue)
            let hex = String(id.dropFirst("ni:///sha-256;".count).prefix(64))
            for name in [Self.encoded(id), hex, "epcis-" + hex, "ev-dry-1"] {
                let reply = try await f.get("/epcis/events/" + name)
                Self.expectEPCIS(reply)
                #expect(try Self.events(reply).map { $0["eventID"]?.stringValue } == [id], "\(name)")
                let problem = try FormatSchemaCheck.problem(reply.body, against: "epcis-2.0.schema.json")
                #expect(problem == nil, "\(problem ?? "")")
            }
            let missing = try await f.get("/epcis/events/" + String(repeating: "0", count: 64))
            Self.expectEPCIS(missing, status: 404)
            #expect(missing.headers["content-type"] == "application/problem+json")
            #expect(try missing.json()["code"] == "epcis.unknown_event")
        }
    }

    @Test func eventTypesAreListedAndQueriedByPath() async throws {
        try await Self.withEvents { f in
            let types = try await f.get("/epcis/eventTypes")
            Self.expectEPCIS(types)
            #expect(try types.json()["member"] == ["ObjectEvent", "TransformationEvent"])
            let transformations = try await f.get("/epcis/eventTypes/TransformationEvent/events")
            Self.expectEPCIS(transformations)
            #expect(try Self.events(transformations).count == 1)
            let unknown = try await f.get("/epcis/eventTypes/HarvestEvent/events")
            Self.expectEPCIS(unknown, status: 404)
            #expect(try unknown.json()["code"] == "epcis.unknown_event_type")
        }
    }

    @Test func aMalformedQueryIsRefusedNamingTheParameter() async throws {
        try await Self.withEvents { f in
            for (query, named) in [
                ("EQ_quantity=5", "EQ_quantity"), ("perPage=0", "perPage"), ("perPage=%2B5", "perPage"),
                ("perPage=1001", "perPage"), ("nextPageToken=abc", "nextPageToken"), ("EQ_action=MOVE", "EQ_action"),
                ("GE_eventTime=yesterday", "GE_eventTime"), ("EQ_bizStep=a&EQ_bizStep=b", "EQ_bizStep"),
                ("eventType=", "eventType"), ("EQ_bizStep=shipping||receiving", "EQ_bizStep"),
            ] {
                let reply = try await f.get("/epcis/events?" + query)
                Self.expectEPCIS(reply, status: 400)
                #expect(reply.headers["content-type"] == "application/problem+json")
                let problem = try reply.json()
                #expect(problem["code"] == "request.bad_query", "\(query)")
                #expect(problem["detail"]?.stringValue?.contains(named) == true, "\(query): \(problem)")
            }
        }
    }

    @Test func captureIsRefusedBecauseEPCISDocumentsAreUnsigned() async throws {
        try await Self.withEvents { f in
            let before = try f.ledgerSize()
            let document = try await f.get("/epcis/events")
            for path in ["/epcis/capture", "/epcis/events"] {
                let reply = try await f.post(path, bytes: document.body)
                Self.expectEPCIS(reply, status: 403)
                #expect(reply.headers["content-type"] == "application/problem+json")
                let problem = try reply.json()
                #expect(problem["code"] == "epcis.capture_unsigned")
                #expect(problem["detail"]?.stringValue?.contains("trace epcis import") == true)
            }
            #expect(try f.ledgerSize() == before)
        }
    }

    @Test(arguments: StoreKind.allCases) func aQueryDocumentFollowsTheLedgerAsItGrows(store: StoreKind) async throws {
        try await Self.withEvents(on: store) { f in
            #expect(try Self.events(try await f.get("/epcis/events")).count == 6)
            let harvest = try await f.post("/v1/events", try f.harvest("LA-LATE-1").json)
            #expect(harvest.status == 201)
            #expect(try Self.events(try await f.get("/epcis/events")).count == 7)
        }
    }

    @Test func theRealServerAnswersTheQueryInterface() throws {
        let f = try ServerFixture()
        try f.h.appendEvents(3)
        let first = try f.get("/epcis/events?perPage=2&EQ_bizStep=commissioning")
        Self.expectEPCIS(first)
        #expect(try Self.events(first).count == 2)
        let link = try #require(first.headers["link"])
        #expect(link.hasPrefix("</epcis/events?") && link.hasSuffix(">; rel=\"next\""), "\(link)")
        let next = String(link.dropFirst().prefix(while: { $0 != ">" }))
        let last = try f.get(next)
        Self.expectEPCIS(last)
        #expect(try Self.events(last).count == 1)
        #expect(last.headers["link"] == nil)
        for reply in [first, last] {
            let problem = try FormatSchemaCheck.problem(reply.body, against: "epcis-2.0.schema.json")
            #expect(problem == nil, "\(problem ?? "")")
        }
        let capture = try f.post("/epcis/capture", bytes: first.body)
        Self.expectEPCIS(capture, status: 403)
        #expect(try capture.json()["code"] == "epcis.capture_unsigned")
        #expect(try f.ledgerSize() == UInt64(CLIHarness.setupEntries + 3))
    }
}
