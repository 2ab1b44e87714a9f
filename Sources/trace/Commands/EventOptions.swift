import ArgumentParser
import CanonicalJSON
import Foundation
import TraceClient
import TraceCrypto
import TraceDomain
import TraceLedger

/// What every command that appends an event shares: the ledger, the signer's key, an optional
/// event id (so a script's retry is recorded once), and how the answer is printed.
struct EventOptions: ParsableArguments {
    @OptionGroup var ledger: LedgerOptions

    @Option(
        help: "The signer's private key (default: $TRACE_KEY; operator commands fall back to the operator key beside the ledger)."
    )
    var key: String?

    @Option(name: .customLong("event-id"), help: "The event's id; resubmitting the same event with the same id records it once.")
    var eventID: String?

    @Flag(help: L10n.help("Queue the write in the outbox instead of sending it now (send later with `trace sync`)."))
    var queue = false

    @Option(help: L10n.help("The outbox folder (default: $TRACE_OUTBOX, else ./trace-outbox).")) var outbox: String?

    /// Opens the supply chain on the ledger.
    func open() throws -> SupplyChain { try SupplyChain(ledger: ledger.open()) }

    /// The signing key; operator commands may use the operator key `trace init` wrote.
    func signingKey(operatorFallback: Bool = false) throws -> PrivateKey {
        guard let found = try ledger.signingKey(key, fallback: operatorFallback ? ledger.defaultOperatorKeyPath : nil) else {
            throw CLIFailure.input("error: --key: no signing key given; pass --key FILE or set TRACE_KEY")
        }
        return found.key
    }

    /// Signs `fields` as an event of `type` by the key's party, appends it, and prints the entry.
    @discardableResult
    func append(
        _ type: String, _ fields: [String: JSONValue], operatorFallback: Bool = false,
        personal: [(party: String, field: String, commitment: Commitment)] = [], summary: String
    ) throws -> AppendResult {
        try InputCheck.noControlCharacters(.object(fields), field: type)
        let result: AppendResult
        if let remote = ledger.remote {
            guard personal.isEmpty else {
                throw CLIFailure.input(
                    "error: --server: a person's clear data stays beside the ledger; register a person with --ledger on the operator's machine"
                )
            }
            result = try deliver(type, fields, to: remote, summary: summary)
        } else {
            let chain = try open()
            let key = try signingKey(operatorFallback: operatorFallback)
            let (party, _) = try chain.signer(for: key)
            let event = SupplyChain.event(type, actor: party.id, id: eventID, fields)
            if let original = try retried(event, in: chain) {
                result = original
            } else {
                result = try chain.submit([try chain.sign(event, with: key)], personal: personal)[0]
            }
        }
        if ledger.json {
            try Output.json([
                "entry": .number(Double(result.entry.seq)), "eventId": .string(result.entry.signed.id),
                "type": .string(type), "duplicate": .bool(result.duplicate), "leafHash": .string(result.leafHash.hex),
            ])
        } else {
            print("entry \(result.entry.seq): \(summary)\(result.duplicate ? " (already recorded; nothing new written)" : "")")
        }
        return result
    }
}

extension EventOptions {
    /// A command re-run with the same --event-id makes the same event but for its time: that is
    /// a retry, and it gets the original entry. The same id for a different event is refused.
    func retried(_ event: JSONValue, in chain: SupplyChain) throws -> AppendResult? {
        guard let eventID, let seq = try chain.ledger.store.read({ try $0.seq(forEventID: eventID) }) else { return nil }
        let original = try chain.ledger.entry(seq)
        // The time differs on every run, and so do the fresh salts of a person's commitments.
        func comparable(_ event: JSONValue) -> [String: JSONValue] {
            var o = event.objectValue ?? [:]
            o["time"] = nil
            if case .object(var party) = o["party"] {
                party["personal"] = party["personal"].map { .array(($0.objectValue ?? [:]).keys.sorted().map { .string($0) }) }
                o["party"] = .object(party)
            }
            return o
        }
        let a = comparable(original.signed.event)
        let b = comparable(event)
        guard a == b else {
            throw CLIFailure.input(
                "error: --event-id: \(eventID) is already used by entry \(seq) for a different event; give a new event a new id")
        }
        return AppendResult(entry: original, leafHash: original.leafHash(), duplicate: true)
    }
}

/// "LOT:QUANTITY[:UNIT]" as typed on the command line.
struct LotQuantity: ExpressibleByArgument {
    let lot: String
    let quantity: String
    let unit: String

    init?(argument: String) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        lot = parts[0]
        quantity = parts[1]
        unit = parts.count == 3 ? parts[2] : "kg"
    }

    var json: JSONValue { ["lot": .string(lot), "quantity": .string(quantity), "unit": .string(unit)] }
}
