import ArgumentParser
import CanonicalJSON
import Foundation
import TraceClient
import TraceCrypto
import TraceDomain
import TraceEPCIS
import TraceLedger

/// `trace epcis import DOC --key K [--dry-run]`: map, sign and submit the key's party's events.
struct EPCISImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an EPCIS 2.0 document: map each event to a trace event, sign the key's party's events and submit them.",
        discussion:
            "Events that belong to other parties are listed as left for them; each party imports in turn, in the document's order. An event that cannot map refuses the whole document, naming its index and the reason; nothing is written. Each imported event's id is epcis-<hex of its CBV 2.0 hash>, so importing the same document twice records it once."
    )

    @OptionGroup var options: EventOptions
    @Argument(help: "The EPCIS document (JSON or JSON-LD).") var document: String
    @Flag(help: "Print the mapping and the rules' verdict; write nothing.") var dryRun = false

    func run() throws {
        guard let data = FileManager.default.contents(atPath: document) else {
            throw CLIFailure.input("error: DOC: cannot read \(document)")
        }
        let json: JSONValue
        do { json = try CanonicalJSON.parse([UInt8](data)) } catch {
            throw CLIFailure.input("error: DOC: \(document) is not JSON: \(error)")
        }
        let remote = options.ledger.remote
        // Mapping needs the ledger's parties and lots: with --server, a copy of the server's, checked
        // against its signed checkpoint under the key its genesis names; the server checks the
        // events again when they arrive.
        let chain = try remote.map { try $0.mirror(trusting: try $0.operatorKey()) } ?? options.open()
        let mapping: EPCISImport
        do { mapping = try EPCISImport(document: json, chain: chain) } catch let refusal as EPCISImport.Refusal {
            throw CLIFailure.input(
                "error: \(refusal.index >= 0 ? "event \(refusal.index): " : "")\(refusal.reason); nothing was written")
        }
        let key = try options.signingKey()
        let partyID: String
        let keyName: String
        if let remote {
            (partyID, keyName) = try remote.signer(for: key)
        } else {
            let (party, vkey) = try chain.signer(for: key)
            (partyID, keyName) = (party.id, vkey.name)
        }
        let mine = mapping.mapped.filter { $0.party == partyID }
        let others = mapping.mapped.filter { $0.party != partyID }
        let events = try mine.map { try SignedEvent.sign($0.event, with: key, keyName: keyName) }
        let refusals = chain.dryRun(events)
        if dryRun || !refusals.isEmpty {
            for m in mapping.mapped {
                let line = (try? CanonicalJSON.string(m.event)) ?? ""
                print("event \(m.index) (\(m.party))\(m.party == partyID ? "" : " left for \(m.party)"): \(line)")
            }
            for r in refusals {
                print("event \(mine[r.index].index): refused: \(r.error.message) [\(r.error.code.rawValue)]")
            }
            guard refusals.isEmpty else {
                throw CLIFailure.input("error: \(refusals.count) of \(mine.count) events refused; nothing was written")
            }
            return
        }
        let results = events.isEmpty ? [] : try remote?.submit(events) ?? chain.submit(events)
        let fresh = results.filter { !$0.duplicate }.count
        let left = Set(others.map(\.party)).sorted()
        if options.ledger.json {
            try Output.json([
                "party": .string(partyID), "new": .number(Double(fresh)), "duplicates": .number(Double(results.count - fresh)),
                "leftFor": .array(left.map { .string($0) }),
            ])
        } else {
            print(
                "imported \(Output.count(fresh, "event", "events")) of \(partyID)"
                    + (results.count > fresh ? " (\(results.count - fresh) already recorded)" : ""))
            for p in left {
                print("  left for \(p): \(others.filter { $0.party == p }.count) events (import again with its key)")
            }
        }
    }
}
