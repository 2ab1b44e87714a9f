import ArgumentParser
import CanonicalJSON
import Foundation
import TraceClient
import TraceCrypto
import TraceDomain
import TraceLedger

/// `trace submit --file EVENTS.jsonl`: many events signed and appended in one transaction.
struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: L10n.helpText(
            "Sign and append many events at once (one JSON event a line, or a spreadsheet's CSV), all or nothing."),
        discussion: """
            Each line is an event object with its "type" and fields, for example
            {"type":"harvest","lot":"LA-ST25-0007","product":"Lúa ST25","quantity":"1200","unit":"kg","plot":"P-001","harvested":"2026-07-01"}.
            "id" and "time" are added when missing; the actor is the key's party. Every line is checked first;
            if any is refused, each refusal is reported with its line number and nothing is written.
            """)
    @OptionGroup var options: EventOptions
    @Option(help: L10n.help("The JSON Lines file, or - for standard input.")) var file: String?
    @Option(
        help: L10n.help("A CSV file saved from a spreadsheet: harvests, shipments or receipts (Vietnamese or English headers)."))
    var csv: String?

    func run() throws {
        guard (file == nil) != (csv == nil) else {
            throw CLIFailure.input("error: submit: give either --file EVENTS.jsonl or --csv FILE")
        }
        let source = file ?? csv ?? "-"
        let option = file == nil ? "--csv" : "--file"
        let data: Data?
        data = source == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: source)
        guard let data else { throw CLIFailure.input("error: \(option): cannot read \(source)") }
        // A spreadsheet is read whole first: a file that cannot be read at all is refused before
        // the ledger or the server is touched.
        let sheet: SpreadsheetCSV?
        do { sheet = try csv.map { try SpreadsheetCSV(data: data, file: $0) } } catch let refusal as SpreadsheetCSV.Refusal {
            throw CLIFailure.input(refusal.message)
        }
        let remote = options.ledger.remote
        let chain = remote == nil ? try options.open() : nil
        let key = try options.signingKey()
        // With --server the key stays here: the server only says which party holds it.
        let partyID: String
        let keyName: String
        if let remote {
            (partyID, keyName) = try remote.signer(for: key)
        } else {
            let (party, vkey) = try chain!.signer(for: key)
            (partyID, keyName) = (party.id, vkey.name)
        }
        var events: [SignedEvent] = []
        var lines: [String] = []
        var problems: [String] = []
        func sign(_ type: String, _ fields: [String: JSONValue], time: JSONValue?) throws -> SignedEvent {
            var o = fields
            let id = o.removeValue(forKey: "id")?.stringValue
            var event = SupplyChain.event(type, actor: partyID, id: id, o)
            if let time, case .object(var e) = event {
                e["time"] = time
                event = .object(e)
            }
            return try SignedEvent.sign(event, with: key, keyName: keyName)
        }
        if let sheet {
            for row in sheet.rows {
                guard row.problems.isEmpty else {
                    problems += row.problems
                    continue
                }
                do {
                    events.append(try sign(row.type, row.fields, time: nil))
                    lines.append("row \(row.number)")
                } catch {
                    problems.append("row \(row.number): \(CLIFailure.describe(error) ?? "\(error)")")
                }
            }
        } else {
            // Refuse a file that is not UTF-8 (a CP1258 export, say) rather than sign replacement characters.
            guard let text = String(validating: [UInt8](data), as: UTF8.self) else {
                throw CLIFailure.input("error: --file: \(source) is not UTF-8 text; save it as UTF-8 and submit again")
            }
            for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false)
                .enumerated()
            {
                let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !text.isEmpty else { continue }
                do {
                    guard case .object(var o) = try CanonicalJSON.parse(text) else {
                        throw DomainError(.badInput, "not a JSON object")
                    }
                    guard let type = o["type"]?.stringValue else { throw DomainError(.badInput, "\"type\" is missing") }
                    if let actor = o["actor"]?.stringValue, actor != partyID {
                        throw DomainError(.badInput, "\"actor\" is \(actor) but the key belongs to \(partyID)")
                    }
                    o.removeValue(forKey: "type")
                    let time = o.removeValue(forKey: "time")
                    events.append(try sign(type, o, time: time))
                    lines.append("line \(index + 1)")
                } catch {
                    problems.append("line \(index + 1): \(CLIFailure.describe(error) ?? "\(error)")")
                }
            }
        }
        // Check every line against the rules before writing anything, so all refusals are reported
        // (a server checks a batch the same way and lists every refusal).
        problems += (chain?.dryRun(events) ?? []).map {
            "\(lines[$0.index]): refused: \($0.error.message) [\($0.error.code.rawValue)]"
        }
        guard problems.isEmpty else {
            throw CLIFailure(
                status: 2,
                message: (problems + [
                    "nothing was written (\(Output.count(problems.count, "problem", "problems")) in "
                        + (sheet.map { Output.count($0.rows.count, "row", "rows") }
                            ?? Output.count(lines.count + problems.count, "line", "lines")) + ")"
                ])
                .joined(separator: "\n"))
        }
        let results = events.isEmpty ? [] : try remote?.submit(events) ?? chain!.submit(events)
        let fresh = results.filter { !$0.duplicate }.count
        if options.ledger.json {
            try Output.json([
                "entries": .array(results.map { .number(Double($0.entry.seq)) }), "new": .number(Double(fresh)),
                "duplicates": .number(Double(results.count - fresh)),
            ])
        } else {
            let range = results.map(\.entry.seq)
            print(
                "appended \(Output.count(fresh, "event", "events")) in one transaction"
                    + (results.count > fresh ? " (\(results.count - fresh) already recorded)" : "")
                    + (range.isEmpty ? "" : ", entries \(range.min()!) to \(range.max()!)"))
        }
    }
}
