import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger

/// `trace verify`: the whole ledger, checked.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify the whole ledger: chain, Merkle root against the signed checkpoints, every signature.",
        discussion: """
            Exits 1 naming the first bad entry and why. With --since CHECKPOINT (a signed checkpoint note you saved \
            and trust), only what came after it is checked: the consistency proof to the latest checkpoint, the new \
            entries, and the rules for them on the stories they touch.
            """
    )

    @OptionGroup var options: LedgerOptions

    @Option(help: "The operator verifier key you trust (default: the one the ledger names).")
    var `operator`: String?

    @Option(help: "A checkpoint note file you already trust: verify only what was appended after it.")
    var since: String?

    @OptionGroup var witnesses: WitnessOptions

    func run() throws {
        let policy = try witnesses.policy()
        let ledger = try options.open(readOnly: true)
        var trusted: VerifierKey?
        if let text = `operator` {
            do { trusted = try VerifierKey(text) } catch let error as CryptoError {
                throw CLIFailure.input("error: --operator: \(error.message)")
            }
        }
        var trustedCheckpoint: Checkpoint?
        if let since {
            guard let data = FileManager.default.contents(atPath: since) else {
                throw CLIFailure.input("error: --since: cannot read \(since)")
            }
            let note = String(decoding: data, as: UTF8.self)
            do {
                // Signed by the key in force at its size: the chain of rotations from the genesis
                // key, each rotation below it checked against the note's own tree.
                if let trusted, trusted != ledger.metadata.operatorKey {
                    trustedCheckpoint = try Checkpoint.open(note, operatorKey: trusted)
                } else {
                    trustedCheckpoint = try ledger.openSaved(note)
                }
            } catch let error as LedgerError {
                throw CLIFailure.verification(
                    "verification FAILED: --since: \(since) is not a checkpoint signed by the operator: \(error.message)")
            }
        }
        let started = Date()
        let bar = ProgressBar(label: "verifying", enabled: !options.json)
        let result: LedgerVerification
        do {
            result = try SupplyChain.verify(
                ledger, trusting: trusted, since: trustedCheckpoint,
                progress: { done, total in bar.update(done: done, total: total) })
        } catch {
            throw CLIFailure.input("error: verification could not finish: \(error)")
        }
        bar.finish()
        let report = result.report
        var witnessed: Checkpoint?
        if let policy, result.ok {
            guard let latest = report.latestCheckpoint else {
                throw CLIFailure.verification("verification FAILED: the ledger has no checkpoint for witnesses to have cosigned")
            }
            witnessed = try WitnessOptions.witnessed(
                policy, notes: CosignedCheckpoints(besideLedger: options.path).all(), latest: latest,
                keys: try ledger.operatorKeys()
            ) { from in try ledger.consistencyProof(from: from, to: latest.size).hashes }
        }
        let seconds = Date().timeIntervalSince(started)
        if options.json {
            var out: [String: JSONValue] = [
                "ok": .bool(result.ok), "entries": .number(Double(report.entries)),
                "signatures": .number(Double(report.signatures)), "rootHash": .string(report.root.hex),
                "checkpoints": .number(Double(report.checkpointsChecked)),
                "operatorKey": .string(result.operatorKey.description),
            ]
            if let witnessed { out["witnessedSize"] = .number(Double(witnessed.size)) }
            if let old = result.since {
                out["since"] = .number(Double(old))
                out["newEntries"] = .number(Double(report.signatures))
            }
            if let failure = result.failure {
                out["failure"] = [
                    "check": .string(failure.check.rawValue), "code": .string(failure.code), "message": .string(failure.reason),
                    "entry": failure.entry.map { .number(Double($0)) } ?? .null,
                ]
            }
            try Output.json(.object(out))
        }
        if let failure = result.failure { throw CLIFailure.verification("verification FAILED: \(failure)") }
        if !options.json, let witnessed {
            print(
                "witnessed: the checkpoint of size \(Output.count(witnessed.size)) is cosigned by a quorum of your witnesses, "
                    + "and the latest checkpoint extends it")
        }
        if !options.json {
            let latest =
                report.latestCheckpoint.map { "latest checkpoint at size \(Output.count($0.size))" } ?? "no checkpoint yet"
            if let old = trustedCheckpoint {
                print(
                    "verified \(Output.count(report.signatures, "new entry", "new entries")) since your checkpoint at size "
                        + "\(Output.count(old.size)): the ledger extends it (consistency proof to the \(latest)), every new "
                        + "signature is valid and every rule holds on the stories they touch (\(String(format: "%.2f", seconds)) s)"
                )
                return
            }
            print(
                "verified \(Output.count(report.entries, "entry", "entries")) and "
                    + "\(Output.count(report.signatures, "signature", "signatures")), every rule replayed, "
                    + "\(Output.count(report.checkpointsChecked, "checkpoint", "checkpoints")) (\(latest)); "
                    + "root \(report.root.hex) (\(String(format: "%.2f", seconds)) s)"
            )
            if trusted == nil {
                Output.note(
                    "note: trusted the operator key the ledger names (\(ledger.metadata.operatorKey)); pass --operator to pin it")
            }
        }
    }
}
