import ArgumentParser
import CanonicalJSON
import Foundation
import TraceClient
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
    @OptionGroup var witnesses: WitnessOptions

    func run() throws {
        var trusted: VerifierKey?
        if let text = `operator` {
            do { trusted = try VerifierKey(text) } catch let error as CryptoError {
                throw CLIFailure.input("error: --operator: \(error.message)")
            }
        }
        let policy = try witnesses.policy()
        if let remote = options.remote {
            let started = Date()
            var result = try Self.remoteCheck(remote, lot: lot, trusted: trusted)
            if let policy, result.failure == nil {
                result = try Self.requireWitnessed(result, policy: policy, remote: remote, trusted: trusted)
            }
            try report(result, total: result.checkpoint.size, ms: Date().timeIntervalSince(started) * 1000, chain: nil)
            return
        }
        let chain = try options.openChainForReading()
        let started = Date()
        var result = try LotVerifier(chain: chain).verify(lot: lot, operatorKey: trusted)
        if let policy, result.failure == nil {
            result = try Self.requireWitnessed(
                result, policy: policy, ledger: chain.ledger, ledgerPath: options.path, trusted: trusted)
        }
        let ms = Date().timeIntervalSince(started) * 1000
        try report(result, total: try chain.ledger.size(), ms: ms, chain: chain)
    }

    /// A lot checked through a server it need not trust: the server sends the story; every check
    /// happens here, against the key the buyer trusts, else the one the server's genesis names.
    static func remoteCheck(_ remote: RemoteLedger, lot: String, trusted: VerifierKey?) throws -> LotVerification {
        let story = try RemoteLedger.story(try remote.json("/v1/lots/" + RemoteLedger.segment(lot) + "/story"))
        if trusted == nil {
            Output.note("note: no --operator given: trusting the operator key the server's own genesis entry names")
        }
        return LotVerifier.check(story, lot: lot, operatorKey: try trusted ?? remote.operatorKey())
    }

    private func report(_ result: LotVerification, total: UInt64, ms: Double, chain: SupplyChain?) throws {
        let verdict = Verdict.decide(lot: lot, verification: result)
        if options.json {
            guard case .object(var out) = verdict.json else { return }
            out["ok"] = .bool(verdict.state == .verified)
            out["entriesChecked"] = .number(Double(result.entries.count))
            out["ledgerSize"] = .number(Double(total))
            out["checkpointSize"] = .number(Double(result.checkpoint.size))
            out["nodeReads"] = .number(Double(result.nodeReads))
            try Output.json(.object(out))
        }
        switch verdict.state {
        case .notVerified:
            throw CLIFailure.verification("NOT VERIFIED: lot \(lot): \(verdict.failure?.reason ?? "")")
        case .recalled:
            throw CLIFailure.verification(
                (["RECALLED: lot \(lot.uppercased()) is authentic but under recall: do not accept it"]
                    + verdict.recallLines(vietnamese: false).map { "  " + $0 } + ["  " + verdict.offlineNote(vietnamese: false)])
                    .joined(separator: "\n"))
        case .verified:
            break
        }
        if !options.json {
            print("VERIFIED: lot \(lot.uppercased())")
            print(
                "  \(Output.count(result.entries.count, "entry", "entries")) of its story (of \(Output.count(total)) in the ledger): "
                    + "each included in the operator's signed checkpoint of \(Output.count(result.checkpoint.size)) entries, "
                    + "each signature valid, every rule kept along the path, no open recall (\(String(format: "%.1f", ms)) ms)")
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

extension VerifyLotCommand {
    /// With witnesses required: the newest checkpoint the server shows cosigned by a quorum must
    /// be extended by the one the story was proved against, and hold every entry of the story.
    static func requireWitnessed(
        _ result: LotVerification, policy: WitnessPolicy, remote: RemoteLedger, trusted: VerifierKey?
    ) throws -> LotVerification {
        let keys = try result.operatorKeys ?? OperatorKeys(genesis: trusted ?? remote.operatorKey())
        let notes = (try? remote.json("/v1/checkpoints/witnessed"))?["checkpoints"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let latest = result.checkpoint
        let witnessed = try WitnessOptions.witnessed(policy, notes: notes, latest: latest, keys: keys) { from in
            guard from != latest.size else { return [] }
            let answer = try remote.json("/v1/proofs/consistency?from=\(from)&to=\(latest.size)")
            return try (answer["proof"]?.arrayValue ?? []).map { try Digest(hex: $0.stringValue ?? "") }
        }
        return try within(result, witnessed: witnessed)
    }

    /// The same on a local ledger, with the cosigned checkpoints kept beside it.
    static func requireWitnessed(
        _ result: LotVerification, policy: WitnessPolicy, ledger: Ledger, ledgerPath: String, trusted: VerifierKey?
    ) throws -> LotVerification {
        let latest = result.checkpoint
        let witnessed = try WitnessOptions.witnessed(
            policy, notes: CosignedCheckpoints(besideLedger: ledgerPath).all(), latest: latest,
            keys: result.operatorKeys ?? OperatorKeys(genesis: trusted ?? ledger.metadata.operatorKey)
        ) { from in try ledger.consistencyProof(from: from, to: latest.size).hashes }
        return try within(result, witnessed: witnessed)
    }

    private static func within(_ result: LotVerification, witnessed: Checkpoint) throws -> LotVerification {
        if let beyond = result.entries.first(where: { $0 >= witnessed.size }) {
            throw CLIFailure.verification(
                "NOT VERIFIED: entry \(beyond) of the lot's story is after the newest checkpoint the witnesses cosigned "
                    + "(size \(witnessed.size)); try again once they have cosigned a newer one")
        }
        return result
    }
}
