import CanonicalJSON
import Foundation
import HTTPTypes
import Hummingbird
import TraceCrypto
import TraceDomain
import TraceEPCIS
import TraceLedger

extension FuzzTarget {
    /// `GET /epcis/events?...`: the query string read the way the route reads it (Hummingbird's
    /// query parameters, names percent-decoded), then `EPCISQuery`; a query that parses is run
    /// against real events and its next page's parameters must parse to the same query.
    static let epcisQuery = FuzzTarget(name: "epcis-query") { bytes in
        let line = String(decoding: bytes, as: UTF8.self)
        let request = Request(
            head: HTTPRequest(method: .get, scheme: "http", authority: "127.0.0.1", path: "/epcis/events?" + line),
            body: RequestBody(buffer: ByteBuffer()))
        let parameters = request.uri.queryParameters.map {
            (name: String($0.key.removingPercentEncoding ?? String($0.key)), value: String($0.value))
        }
        for parameter in parameters { _ = DigitalLink.canonical(parameter.value) }
        guard let query = try? EPCISQuery(parameters: parameters) else { return }
        for event in sampleEvents { _ = query.matches(event, recordTime: "2026-07-01T08:00:00Z") }
        let next = query.nextPage(after: 41, parameters: parameters)
        var expected = query
        expected.afterEntry = 41
        try require((try? EPCISQuery(parameters: next)) == expected, "a query's next page does not parse to the same query")
    }

    /// Events as `GET /epcis/events` exports them, for `epcis-query` to match against.
    static let sampleEvents: [JSONValue] = [
        #"{"type":"ObjectEvent","eventTime":"2026-07-01T01:00:00.000Z","action":"ADD","bizStep":"https://ref.gs1.org/cbv/BizStep-commissioning","epcList":["https://id.gs1.org/01/08934567890128/10/LA-ST25-0701"],"quantityList":[{"epcClass":"https://id.gs1.org/01/08934567890128/10/LA-ST25-0701","quantity":1200,"uom":"KGM"}],"readPoint":{"id":"https://tayninh.trace.example/ledger/plots/P-001"},"bizLocation":{"id":"urn:epc:id:sgln:8934567.00001.0"},"eventID":"ni:///sha-256;00?ver=CBV2.0"}"#,
        #"{"type":"TransformationEvent","eventTime":"2026-07-03T01:00:00+07:00","inputQuantityList":[{"epcClass":"urn:epc:class:lgtin:8934567.089012.LA-1","quantity":5}],"outputQuantityList":[{"epcClass":"urn:epc:class:lgtin:8934567.089012.GAO-1","quantity":3}],"parentID":"urn:epc:id:sscc:0614141.1234567890","disposition":"urn:epcglobal:cbv:disp:in_progress"}"#,
    ].compactMap { try? CanonicalJSON.parse(Array($0.utf8)) }

    /// An EPCIS 2.0 document for `trace epcis import` (and a partner's events, hashed for their
    /// event IDs): the context's namespaces, every event's pre-hash and hash, then the import's
    /// mapping against an empty ledger of the seed corpus's origin.
    static let epcisDocument = FuzzTarget(name: "epcis-document") { bytes in
        guard let document = try? CanonicalJSON.parse(bytes) else { return }
        let namespaces = EventHash.namespaces(context: document["@context"])
        let events =
            document["epcisBody"]?["eventList"]?.arrayValue ?? document["epcisBody"]?["queryResults"]?[
                "resultsBody"]?["eventList"]?.arrayValue ?? [document]
        for event in events.prefix(64) {
            let preHash = EventHash.preHash(event, namespaces: namespaces)
            try require(EventHash.preHash(event, namespaces: namespaces) == preHash, "an event's pre-hash changes between runs")
            let id = EventHash.id(event, namespaces: namespaces)
            try require(id.hasPrefix("ni:///sha-256;"), "an event hash id is not a ni: URI: \(id.prefix(80))")
        }
        if let chain = importChain { _ = try? EPCISImport(document: document, chain: chain) }
    }

    /// An empty in-memory ledger whose origin is the demo ledger's, so that the seed corpus's
    /// party, plot and lot URIs are this ledger's own and the mapping goes past them.
    nonisolated(unsafe) static let importChain: SupplyChain? = {
        guard let key = try? PrivateKey.generate(), let verifier = try? VerifierKey(name: origin, publicKey: key.publicKey),
            let ledger = try? Ledger.create(in: MemoryLedgerStore(origin: origin, operatorKey: verifier), operatorKey: key)
        else { return nil }
        return try? SupplyChain(ledger: ledger)
    }()

    static let origin = "tayninh.trace.example/ledger"
}
