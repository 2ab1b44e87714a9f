import ArgumentParser
import CanonicalJSON
import Foundation
import TraceEPCIS

/// `trace epcis hash DOC`: each event's CBV 2.0 event hash ID, one a line, in the document's order.
struct EPCISHashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print each event's CBV 2.0 event hash ID (ni:///sha-256;...?ver=CBV2.0), one a line.",
        discussion:
            "DOC is an EPCIS 2.0 document, an EPCIS query document (as trace serve's /epcis/events answers) or one event, in JSON or JSON-LD. Prefixes the document's @context declares are expanded, as the hash requires (docs/EPCIS.md)."
    )

    @Argument(help: "The EPCIS document, query document or event (JSON or JSON-LD).") var document: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: document) else {
            throw CLIFailure.input("error: DOC: cannot read \(document)")
        }
        let json: JSONValue
        do { json = try CanonicalJSON.parse([UInt8](data)) } catch {
            throw CLIFailure.input("error: DOC: \(document) is not JSON: \(error)")
        }
        let body = json["epcisBody"]
        guard
            let events = body?["eventList"]?.arrayValue ?? body?["queryResults"]?["resultsBody"]?["eventList"]?.arrayValue
                ?? (json["type"]?.stringValue?.hasSuffix("Event") == true ? [json] : nil)
        else {
            throw CLIFailure.input(
                "error: DOC: \(document) has no events: an EPCIS document lists them in epcisBody.eventList, a query document in epcisBody.queryResults.resultsBody.eventList"
            )
        }
        let namespaces = EventHash.namespaces(context: json["@context"])
        for event in events { print(EventHash.id(event, namespaces: namespaces)) }
    }
}
