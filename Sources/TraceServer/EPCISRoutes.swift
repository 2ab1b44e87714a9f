import CanonicalJSON
import Foundation
import HTTPTypes
import Hummingbird
import TraceEPCIS

/// The GS1 EPCIS 2.0 REST query interface under `/epcis` (docs/EPCIS.md): the ledger's lot
/// events as `trace epcis export --all` maps them, queried with the binding's parameters and
/// answered as EPCIS query documents. Read-only: capture stays signed.
struct EPCISRoutes: Sendable {
    let host: LedgerHost
    let index: EPCISIndex

    init(host: LedgerHost) {
        self.host = host
        index = EPCISIndex(host: host)
    }

    /// The versions every answer of this interface names, as the binding requires.
    static let versionHeaders: HTTPFields = [
        HTTPField.Name("GS1-EPCIS-Version")!: "2.0.0", HTTPField.Name("GS1-CBV-Version")!: "2.0.0",
    ]

    /// The event types this ledger's events map to (docs/EPCIS.md).
    static let eventTypes = ["ObjectEvent", "TransformationEvent"]
    static let standardEventTypes: Set<String> = [
        "ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent",
    ]

    func add(to router: Router<ServerContext>) {
        router.get("/epcis/events") { request, _ in epcis { try events(request, type: nil) } }
        router.get("/epcis/events/:eventID") { request, context in
            let raw = try context.parameters.require("eventID")
            return epcis { try event(request, id: raw.removingPercentEncoding ?? raw) }
        }
        router.get("/epcis/eventTypes") { request, _ in
            epcis {
                let body: JSONValue = [
                    "@context": EPCISExport.context, "type": "Collection", "member": .array(Self.eventTypes.map { .string($0) }),
                ]
                return Answer.bytes(
                    try CanonicalJSON.encode(body), type: Self.mediaType(request), caching: .revalidate, request: request,
                    headers: Self.versionHeaders)
            }
        }
        router.get("/epcis/eventTypes/:eventType/events") { request, context in
            let type = try context.parameters.require("eventType")
            return epcis {
                guard Self.standardEventTypes.contains(type) else {
                    throw Problem(
                        .notFound, "epcis.unknown_event_type",
                        "\(type.prefix(60)) is not an EPCIS 2.0 event type; this ledger's events are \(Self.eventTypes.joined(separator: " and "))"
                    )
                }
                return try events(request, type: type)
            }
        }
        // Capture stays signed: an EPCIS document carries no party's signature, so it cannot
        // become a ledger entry. The party imports it with its own key instead.
        for path in ["/epcis/capture", "/epcis/events"] {
            router.post(RouterPath(stringLiteral: path)) { _, _ in
                Problem(
                    .forbidden, "epcis.capture_unsigned",
                    "EPCIS capture is refused: every ledger entry is an event its party signed, and an EPCIS document carries no "
                        + "signature. Each party imports the document with its own key where the ledger is: trace epcis import "
                        + "DOC.json --key PARTY.key (docs/EPCIS.md)"
                ).response(headers: Self.versionHeaders)
            }
        }
    }

    /// Runs `body`; a refusal is answered as problem+json with the version headers too.
    private func epcis(_ body: () throws -> Response) -> Response {
        do { return try body() } catch {
            return (Problem(error) ?? Problem.internalError).response(headers: Self.versionHeaders)
        }
    }

    private func events(_ request: Request, type: String?) throws -> Response {
        var parameters = request.uri.queryParameters.map {
            (name: String($0.key.removingPercentEncoding ?? String($0.key)), value: String($0.value))
        }
        if let type {
            guard !parameters.contains(where: { $0.name == "eventType" }) else {
                throw Problem(.badRequest, "request.bad_query", "eventType: the path names the event type already; leave it out")
            }
            parameters.append(("eventType", type))
        }
        let query: EPCISQuery
        do { query = try EPCISQuery(parameters: parameters) } catch let failure as EPCISQuery.Failure {
            throw Problem(.badRequest, "request.bad_query", failure.message)
        }
        let all = try index.current()
        var page: [EPCISIndex.Item] = []
        var more = false
        for item in all.items where query.afterEntry.map({ item.entry > $0 }) ?? true {
            guard query.matches(item.event, recordTime: item.recordTime) else { continue }
            if page.count == query.perPage {
                more = true
                break
            }
            page.append(item)
        }
        var headers = Self.versionHeaders
        if more, let last = page.last {
            let next = query.nextPage(after: last.entry, parameters: parameters.filter { type == nil || $0.name != "eventType" })
            headers[HTTPField.Name("Link")!] = "<\(request.uri.path)?\(Self.queryString(next))>; rel=\"next\""
        }
        return Answer.bytes(
            try CanonicalJSON.encode(Self.queryDocument(page)), type: Self.mediaType(request), caching: .revalidate,
            request: request, headers: headers)
    }

    private func event(_ request: Request, id: String) throws -> Response {
        guard let item = try index.current().item(named: id) else {
            throw Problem(
                .notFound, "epcis.unknown_event",
                "there is no event \(id.prefix(120)) here; name an event by its eventID (ni:///sha-256;HEX?ver=CBV2.0, "
                    + "percent-encoded), the 64 hex digits of its hash, or its trace event id")
        }
        return Answer.bytes(
            try CanonicalJSON.encode(Self.queryDocument([item])), type: Self.mediaType(request), caching: .revalidate,
            request: request, headers: Self.versionHeaders)
    }

    /// An EPCIS query document of `items`, each event with its `recordTime` (which the event hash leaves out).
    static func queryDocument(_ items: [EPCISIndex.Item]) -> JSONValue {
        let events: [JSONValue] = items.map { item in
            guard case .object(var event) = item.event else { return item.event }
            event["recordTime"] = .string(item.recordTime)
            return .object(event)
        }
        return [
            "@context": EPCISExport.context, "type": "EPCISQueryDocument", "schemaVersion": "2.0",
            "epcisBody": [
                "queryResults": ["queryName": "SimpleEventQuery", "resultsBody": ["eventList": .array(events)]]
            ],
        ]
    }

    /// JSON-LD when the client asks for it, else plain JSON (the binding's default).
    static func mediaType(_ request: Request) -> String {
        (request.headers[.accept] ?? "").contains("application/ld+json") ? "application/ld+json" : "application/json"
    }

    static func queryString(_ parameters: [(name: String, value: String)]) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#;")
        return parameters.map { name, value in
            (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name) + "="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }.joined(separator: "&")
    }
}
