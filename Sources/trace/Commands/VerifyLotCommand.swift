import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger

/// `trace verify-lot LOT`: a buyer's check of one lot.
struct VerifyLotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-lot",
        abstract: "A buyer's check of one lot: its lineage's entries, their inclusion proofs, signatures and rules only.",
        discussion:
            "Exits 1 naming the first entry that fails. A full `trace verify` also covers entries outside the lot's story.")

    @OptionGroup var options: LedgerOptions
    @Argument(help: "The lot code (any case).") var lot: String
    @Option(help: "The operator verifier key you trust (default: the one the ledger names).") var `operator`: String?

    func run() throws {
        var trusted: VerifierKey?
        if let text = `operator` {
            do { trusted = try VerifierKey(text) } catch let error as CryptoError {
                throw CLIFailure.input("error: --operator: \(error.message)")
            }
        }
        if let remote = options.remote {
            // The server sends the story; every check happens here, against the key the buyer
            // trusts (--operator), else the one the server's own genesis entry names.
            let answer = try remote.json("/v1/lots/" + RemoteLedger.segment(lot) + "/story")
            let story = try RemoteLedger.story(answer)
            let key = try trusted ?? remote.operatorKey()
            let started = Date()
            let result = LotVerifier.check(story, operatorKey: key)
            try report(result, total: result.checkpoint.size, ms: Date().timeIntervalSince(started) * 1000, chain: nil)
            return
        }
        let chain = try SupplyChain(ledger: options.open())
        let started = Date()
        let result = try LotVerifier(chain: chain).verify(lot: lot, operatorKey: trusted)
        let ms = Date().timeIntervalSince(started) * 1000
        try report(result, total: try chain.ledger.size(), ms: ms, chain: chain)
    }

    private func report(_ result: LotVerification, total: UInt64, ms: Double, chain: SupplyChain?) throws {
        if options.json {
            var out: [String: JSONValue] = [
                "lot": .string(lot), "ok": .bool(result.ok), "entriesChecked": .number(Double(result.entries.count)),
                "ledgerSize": .number(Double(total)), "checkpointSize": .number(Double(result.checkpoint.size)),
                "nodeReads": .number(Double(result.nodeReads)),
            ]
            if let failure = result.failure {
                out["failure"] = ["entry": failure.entry.map { .number(Double($0)) } ?? .null, "reason": .string(failure.reason)]
            }
            try Output.json(.object(out))
        }
        if let failure = result.failure {
            throw CLIFailure.verification("NOT VERIFIED: lot \(lot): \(failure.reason)")
        }
        if !options.json {
            print("VERIFIED: lot \(lot.uppercased())")
            print(
                "  \(Output.count(result.entries.count, "entry", "entries")) of its story (of \(Output.count(total)) in the ledger): "
                    + "each included in the operator's signed checkpoint of \(Output.count(result.checkpoint.size)) entries, "
                    + "each signature valid, every rule kept along the path (\(String(format: "%.1f", ms)) ms)")
            guard let chain else { return }
            let lineage = try Lineage(chain: chain, lot: lot)
            for origin in lineage.upstreamLots where origin.plot != nil {
                if let plot = origin.plot.flatMap({ chain.state.plots[$0] }) {
                    print(
                        "  origin: lot \(origin.code), plot \(plot.id) of \(lineage.name(of: plot.farm)), \(lineage.name(of: plot.cooperative))"
                    )
                }
            }
        }
    }
}
