public import TraceCrypto
public import TraceLedger

/// The checks a full verification runs, by name: what a failure says it broke.
public enum VerificationCheck: String, Sendable, CaseIterable {
    /// Every entry's form, sequence number, `prev` link and unique event id; none missing.
    case chain
    /// Every entry's signature, and the genesis entry.
    case signatures
    /// Each entry against the leaf hash stored for it, and the root against the stored tree.
    case merkle
    /// Every stored inner Merkle node against the entries below it.
    case storedNodes = "stored_nodes"
    /// Every stored checkpoint's signature, origin and root (and, with `since`, the consistency
    /// of the ledger with the checkpoint the verifier already trusts).
    case checkpoints
    /// Every rule of the supply chain, replayed over the entries in order.
    case rules

    /// The check a ledger-level failure belongs to.
    static func of(_ code: LedgerError.Code) -> VerificationCheck {
        switch code {
        case .badSignature: .signatures
        case .entryChanged: .merkle
        case .nodeChanged: .storedNodes
        case .rootMismatch, .badCheckpoint, .badNote, .badProof: .checkpoints
        default: .chain
        }
    }
}

/// The first thing a verification found wrong: which check, its stable code, the entry (when
/// one is to blame) and the reason, in words a person can act on.
public struct VerificationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let check: VerificationCheck
    /// The stable error code (`ledger.*` or `domain.*`).
    public let code: String
    public let entry: UInt64?
    public let reason: String

    public var description: String { reason + " [\(code)]" }
}

/// What `SupplyChain.verify` found: the counts, the root, and the first failure, if any.
public struct LedgerVerification: Sendable {
    /// The chain, signature, tree and checkpoint checks' counts and root.
    public let report: VerificationReport
    /// The operator key the checkpoints were held to.
    public let operatorKey: VerifierKey
    /// The size of the trusted checkpoint verification started from, if any.
    public let since: UInt64?
    /// The first failure; nil when every check passed.
    public let failure: VerificationFailure?

    /// True when every check passed.
    public var ok: Bool { failure == nil }
}

extension SupplyChain {
    /// Verifies a whole ledger, by every check in `VerificationCheck`: the ledger's own checks
    /// (on every core, entries streamed in chunks) and the rules replayed in order beside them,
    /// their state spilling to the store's scratch space so memory stays bounded by a window of
    /// entries. An entry can be correctly signed (with a stolen key, written straight into the
    /// store) and still break a rule: the replay catches it, at that entry.
    ///
    /// With `since` (a checkpoint the caller already trusts), only what came after it is checked:
    /// the consistency with it, the new entries, and the rules on the stories they touch.
    /// Throws only when verification cannot run (the store or its scratch space failed).
    public static func verify(
        _ ledger: Ledger, trusting operatorKey: VerifierKey? = nil, since trusted: Checkpoint? = nil,
        progress: ((_ done: UInt64, _ total: UInt64) -> Void)? = nil
    ) throws -> LedgerVerification {
        let replay = RuleReplay(scratch: try ledger.store.makeScratch())
        var newEntries: [Entry] = []
        // Each event is parsed into its typed value on the workers, beside its signature check, so
        // the in-order thread only applies it. An event that does not parse is parsed again in
        // order, where its refusal is decided as on append (who acts before what is malformed).
        // After a trusted checkpoint the rules need the stories the new entries touch, gathered
        // once all of them have passed the ledger's checks, and nothing is replayed here.
        let replaying = trusted == nil
        let parse: @Sendable (Entry) -> TraceEvent? = { entry in
            replaying ? try? TraceEvent(parsing: entry.signed) : nil
        }
        let report = try ledger.verify(
            trusting: operatorKey, progress: progress, since: trusted, prepare: parse,
            visit: { entry, event in
                if trusted != nil { newEntries.append(entry) } else { try replay.apply(entry, event: event) }
            })
        // The replay's last write to its scratch space ran beside it: a failure there still stops
        // verification, as every earlier one did.
        try replay.finish()
        var failure: VerificationFailure?
        if let refusal = report.refusal, let entry = report.failure?.entry {
            guard let rule = refusal as? DomainError else { throw refusal }
            failure = VerificationFailure(
                check: .rules, code: rule.code.rawValue, entry: entry, reason: "entry \(entry) breaks a rule: \(rule.message)")
        } else if let broken = report.failure {
            failure = VerificationFailure(
                check: .of(broken.code), code: broken.code.rawValue, entry: broken.entry, reason: broken.message)
        } else if let old = trusted,
            let broken = try LotVerifier(chain: SupplyChain(ledger: ledger, atLeast: old.size)).checkRules(
                of: newEntries, after: old)
        {
            failure = VerificationFailure(
                check: .rules, code: DomainError.Code.badInput.rawValue, entry: broken.entry,
                reason: "entry \(broken.entry) breaks a rule: \(broken.reason)")
        }
        return LedgerVerification(
            report: report, operatorKey: operatorKey ?? ledger.metadata.operatorKey, since: trusted?.size, failure: failure)
    }
}
