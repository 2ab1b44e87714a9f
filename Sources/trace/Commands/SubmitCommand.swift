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
        commandName: "submit", abstract: "Sign and append many events at once (one JSON event a line), all or nothing.",
        discussion: """
            Each line is an event object with its "type" and fields, for example
            {"type":"harvest","lot":"LA-ST25-0007","product":"Lúa ST25","quantity":"1200","unit":"kg","plot":"P-001","harvested":"2026-07-01"}.
            "id" and "time" are added when missing; the actor is the key's party. Every line is checked first;
            if any is refused, each refusal is reported with its line number and nothing is written.
            """)
    @OptionGroup var options: EventOptions
    @Option(help: "The JSON Lines file, or - for standard input.") var file: String

    func run() throws {
        let data: Data?
        data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
        guard let data else { throw CLIFailure.input("error: --file: cannot read \(file)") }
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
        var lines: [Int] = []
        var problems: [String] = []
        // Refuse a file that is not UTF-8 (a CP1258 export, say) rather than sign replacement characters.
        guard let text = String(validating: [UInt8](data), as: UTF8.self) else {
            throw CLIFailure.input("error: --file: \(file) is not UTF-8 text; save it as UTF-8 and submit again")
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
                let id = o.removeValue(forKey: "id")?.stringValue
                let time = o.removeValue(forKey: "time")
                var event = SupplyChain.event(type, actor: partyID, id: id, o)
                if let time, case .object(var e) = event {
                    e["time"] = time
                    event = .object(e)
                }
                events.append(try SignedEvent.sign(event, with: key, keyName: keyName))
                lines.append(index + 1)
            } catch {
                problems.append("line \(index + 1): \(CLIFailure.describe(error) ?? "\(error)")")
            }
        }
        // Check every line against the rules before writing anything, so all refusals are reported
        // (a server checks a batch the same way and lists every refusal).
        problems += (chain?.dryRun(events) ?? []).map {
            "line \(lines[$0.index]): refused: \($0.error.message) [\($0.error.code.rawValue)]"
        }
        guard problems.isEmpty else {
            throw CLIFailure(
                status: 2,
                message: (problems + ["nothing was written (\(problems.count) of \(lines.count + problems.count) lines refused)"])
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
