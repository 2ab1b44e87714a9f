import CanonicalJSON
import Foundation
public import TraceCrypto
public import TraceDomain
public import TraceLedger

/// Checks an origin certificate offline, trusting nothing but the operator's verifier key.
///
/// Each check is recorded with its result, in the order of `CertificateCheck.Name`; the first
/// failure is the verdict's reason. What no offline check can see is an entry the file leaves
/// out (a later revocation, say); `consistency` against the live ledger narrows that to entries
/// the operator itself would have to hide.
public struct CertificateVerifier {
    let operatorKey: VerifierKey
    /// The witnesses the buyer requires (`--witness`, `--witness-quorum`): the certificate's
    /// checkpoint must carry their quorum of cosignatures (the `witnesses` check). Nil: none.
    public var witnesses: WitnessPolicy?

    public init(operatorKey: VerifierKey, witnesses: WitnessPolicy? = nil) {
        self.operatorKey = operatorKey
        self.witnesses = witnesses
    }

    /// The operator key this verifier trusts.
    public var trustedKey: VerifierKey { operatorKey }

    public func verify(_ certificate: OriginCertificate) -> CertificateReport {
        var report = CertificateReport()
        // 1. The checkpoint, signed by the operator key in force at its size.
        let checkpoint: Checkpoint
        let keys: OperatorKeys
        do { (checkpoint, keys) = try openCheckpoint(certificate) } catch {
            let failure = error as? LedgerError
            report.record(
                .checkpoint,
                failure?.entry != nil
                    ? (failure?.message ?? "", failure?.entry)
                    : (
                        "the checkpoint is not signed by the operator key \(operatorKey.name): \(failure?.message ?? "\(error)")",
                        nil
                    ),
                passed: "")
            return report
        }
        let rotated = keys.rotation(forSize: checkpoint.size).map {
            ", with the key the rotation in entry \($0) named (followed from the genesis key)"
        }
        report.record(
            .checkpoint, nil,
            passed:
                "signed by the operator \(operatorKey.name) at tree size \(checkpoint.size) (origin \(checkpoint.origin))\(rotated ?? "")"
        )
        if let witnesses, let note = try? SignedNote(parsing: certificate.checkpoint) {
            var failure: (String, UInt64?)?
            do { try witnesses.check(note) } catch let error as LedgerError {
                failure = (
                    "the certificate's checkpoint " + error.message.replacingOccurrences(of: "the checkpoint ", with: ""), nil
                )
            } catch {
                failure = ("\(error)", nil)
            }
            let present = witnesses.cosigners(of: note).map(\.name)
            report.record(
                .witnesses, failure,
                passed:
                    "cosigned by \(present.count) of the \(witnesses.quorum) witnesses required: \(present.joined(separator: ", "))"
            )
        }
        let (entries, authentic) = authenticate(certificate, checkpoint: checkpoint, into: &report)
        // Nothing unauthenticated is ever interpreted: a forged entry could hold anything.
        guard authentic else { return report }

        // 6-8. Replay the rules along the path; who may sign is part of them.
        var state = DomainState()
        var replayFailure: (name: CertificateCheck.Name, detail: String, entry: UInt64)?
        var events: [UInt64: (event: TraceEvent, recorded: String)] = [:]
        for entry in entries {
            do {
                // An event that does not parse is applied the slow way, for the rules' refusal.
                guard let event = try? TraceEvent(parsing: entry.signed) else {
                    try state.applySparse(entry)
                    continue
                }
                try state.applySparse(entry, event: event)
                events[entry.seq] = (event, entry.recorded)
            } catch let error as DomainError {
                let name: CertificateCheck.Name =
                    switch error.code {
                    case .keyNotValid, .unknownParty, .roleNotAllowed: .keys
                    case .unknownLot, .unknownPlot: .lineage
                    default: .rules
                    }
                replayFailure = (name, "entry \(entry.seq): \(error.message)", entry.seq)
                break
            } catch {
                replayFailure = (.rules, "entry \(entry.seq): \(error)", entry.seq)
                break
            }
        }
        report.record(
            .keys,
            replayFailure.flatMap { $0.name == .keys ? ($0.detail, $0.entry) : nil }
                ?? signersMismatch(certificate, entries, state: state),
            passed:
                "every signer's key was registered by the operator and valid when it signed (\(certificate.signers.count) keys)"
        )
        let rulesFailure: (String, UInt64?)? = replayFailure.flatMap { $0.name == .rules ? ($0.detail, $0.entry) : nil }
        report.record(.rules, rulesFailure, passed: "custody and mass balance hold along the path")

        var lineageFailure: (String, UInt64?)? = replayFailure.flatMap { $0.name == .lineage ? ($0.detail, $0.entry) : nil }
        if lineageFailure == nil { lineageFailure = Self.lineageGap(state: state, lot: certificate.lot) }
        let disclosures = Self.openDisclosures(certificate, state: state)
        let lot = state.lots[certificate.lot].flatMap { $0.code.text == certificate.lot ? $0 : nil }
        let content = lot.flatMap { lot in
            state.parties[certificate.exporter].map { exporter in
                var content = CertificateContent(
                    state: state, checkpoint: checkpoint, lot: lot, exporter: exporter, disclosed: disclosures.opened,
                    events: events)
                content.issued = certificate.issued
                return content
            }
        }
        report.record(
            .lineage, lineageFailure,
            passed:
                "every input of lot \(certificate.lot) is traced to a harvest on a registered plot (\(content?.origins.count ?? 0) harvests)"
        )

        // 9. Disclosed personal values open the commitments the ledger holds.
        report.record(
            .disclosures, disclosures.failure.map { ($0, nil) },
            passed: certificate.redacted
                ? "redacted: no personal values disclosed"
                : "\(certificate.disclosures.count) personal values open their commitments in the ledger")

        // 10. The exporter holds the lot and signed the file with a key valid at the checkpoint.
        report.record(
            .exporter, exporterFailure(certificate, state: state, size: checkpoint.size),
            passed: "signed by \(certificate.exporter) with its key current at the checkpoint, holding lot \(certificate.lot)")
        // 11. Recalls the file itself records; a live check (`recall(of:live:)`) replaces this one.
        report.lot = certificate.lot
        report.recallStatusAtSize = checkpoint.size
        if replayFailure == nil {
            report.recalls = Self.openRecalls(state: state, lot: certificate.lot, events: events.mapValues(\.event))
        }
        report.record(
            .recall,
            report.recalls.first.map { ("lot \($0.lot) is under the recall of entry \($0.entry): \($0.reason)", $0.entry) },
            passed:
                "no lot of the path is under recall at the certificate's checkpoint of \(checkpoint.size) entries; offline, recalls recorded after it cannot be known"
        )
        report.content = report.checks.allSatisfy({ $0.passed || $0.name == .recall }) ? content : nil
        return report
    }

    /// The certificate's checkpoint opened with the operator key in force at its size: the chain
    /// from the trusted genesis key through the file's `operator.rotate` entries below that size,
    /// each signed by the key it replaces (their inclusion is the `inclusion` check's). A rotation
    /// at fault is named by its entry.
    public func openCheckpoint(_ certificate: OriginCertificate) throws -> (checkpoint: Checkpoint, keys: OperatorKeys) {
        let size = try Checkpoint(text: SignedNote(parsing: certificate.checkpoint).text).size
        var keys = OperatorKeys(genesis: operatorKey)
        for item in certificate.entries where item.index < size {
            try keys.applyChecked(seq: item.index, bytes: item.bytes, origin: operatorKey.name)
        }
        do { return (try keys.open(certificate.checkpoint), keys) } catch let error as LedgerError {
            guard let entry = keys.links.last?.entry else { throw error }
            throw LedgerError(
                error.code, "\(error.message) (the operator key in force after the rotation in entry \(entry) is \(keys.current))"
            )
        }
    }

    /// The `recall` check against a live ledger: the lot's story as the live ledger proves it
    /// (`LotVerifier`), read for open recalls. It replaces the offline recall check, and the
    /// verdict then speaks for the live checkpoint's size.
    public func recall(of certificate: OriginCertificate, live: LotVerification, into report: inout CertificateReport) {
        report.checks.removeAll { $0.name == .recall }
        // A server could prove the story against an old checkpoint, before the recall: the live
        // status must be read at least as late as the certificate itself.
        let certificateSize = report.recallStatusAtSize
        guard live.failure != nil || live.checkpoint.size >= certificateSize else {
            report.recalls = []
            report.checks.append(
                CertificateCheck(
                    .recall, passed: false,
                    "the live ledger proved lot \(certificate.lot)'s story against a checkpoint of \(live.checkpoint.size) entries, older than the certificate's \(certificateSize): its recall status is not live"
                ))
            return
        }
        report.recallStatusLive = true
        report.recallStatusAtSize = live.checkpoint.size
        if let failure = live.failure {
            report.recalls = []
            report.checks.append(
                CertificateCheck(
                    .recall, passed: false,
                    "the live ledger's story of lot \(certificate.lot) does not verify: \(failure.reason)",
                    entry: failure.entry))
            return
        }
        report.recalls = live.recalls
        if let r = live.recalls.first {
            report.checks.append(
                CertificateCheck(
                    .recall, passed: false,
                    "lot \(r.lot) is under the recall of entry \(r.entry) (\(r.time)): \(r.reason); read at the live checkpoint of \(live.checkpoint.size) entries",
                    entry: r.entry))
        } else {
            report.checks.append(
                CertificateCheck(
                    .recall, passed: true,
                    "no open recall holds lot \(certificate.lot) or its lineage at the live checkpoint of \(live.checkpoint.size) entries"
                ))
        }
    }

    /// The open recalls holding `code` in a replayed state, with what their entries say.
    static func openRecalls(state: DomainState, lot code: String, events: [UInt64: TraceEvent]) -> [Verdict.Recall] {
        guard let root = state.lot(code) else { return [] }
        return root.holds.sorted().map { seq in
            let event = events[seq]
            guard let event, case .recall(let recall) = event.kind else {
                return Verdict.Recall(entry: seq, lot: "", reason: "", time: "", actor: "")
            }
            return Verdict.Recall(
                entry: seq, lot: recall.lot.key, reason: recall.reason, time: event.time, actor: event.actor)
        }
    }

    /// Checks 2 to 5, which authenticate the entries: genesis, inclusion, chain links, signatures.
    /// Returns the parsed entries, and whether all four passed.
    private func authenticate(_ certificate: OriginCertificate, checkpoint: Checkpoint, into report: inout CertificateReport) -> (
        [Entry], Bool
    ) {
        // Only these checks decide authenticity (a missing witness quorum does not make entries forged).
        let first = report.checks.count
        // Entries must be in ledger order, each once, and each must parse as the entry it claims to be.
        var entries: [Entry] = []
        var unreadable: (String, UInt64?)?
        var last: UInt64?
        for item in certificate.entries {
            if let last, item.index <= last {
                unreadable = ("entries are not in ledger order, each once: \(item.index) follows \(last)", item.index)
                break
            }
            last = item.index
            do {
                let entry = try Entry(bytes: item.bytes, expectedSeq: item.index)
                guard entry.seq == item.index else {
                    unreadable = ("entry \(item.index) holds the bytes of entry \(entry.seq)", item.index)
                    break
                }
                entries.append(entry)
            } catch {
                unreadable = ("entry \(item.index) is not a well-formed ledger entry: \(error)", item.index)
                break
            }
        }

        // 2. Genesis: the ledger's first entry, by the operator, for this checkpoint's log.
        let genesis = entries.first.flatMap { $0.seq == 0 ? $0 : nil }
        report.record(
            .genesis,
            genesis.map { g in
                g.signed.event["type"]?.stringValue == Ledger.genesisType && g.signed.key == operatorKey
                    && g.signed.event["origin"]?.stringValue == checkpoint.origin && g.prev == .zero
                    ? nil : ("entry 0 is not the genesis entry of \(checkpoint.origin) signed by the operator key", 0)
            } ?? ("the certificate does not carry entry 0, the ledger's genesis", 0),
            passed: "entry 0 is the genesis of \(checkpoint.origin), signed by the operator")

        // Event ids are unique across the ledger, so within any part of it.
        var ids: Set<String> = []
        if unreadable == nil, let twice = entries.first(where: { !ids.insert($0.signed.id).inserted }) {
            unreadable = ("entry \(twice.seq): event id \(twice.signed.id) appears twice", twice.seq)
        }

        // 3. Every entry is included in the signed tree.
        var inclusionFailure = unreadable
        if inclusionFailure == nil {
            for (entry, item) in zip(entries, certificate.entries) {
                guard entry.seq < checkpoint.size,
                    MerkleVerification.verifyInclusion(
                        index: entry.seq, size: checkpoint.size, leafHash: entry.leafHash(), proof: item.proof,
                        root: checkpoint.root)
                else {
                    inclusionFailure = (
                        "entry \(entry.seq)'s inclusion proof does not lead to the checkpoint's root: the entry or its proof was changed",
                        entry.seq
                    )
                    break
                }
            }
        }
        report.record(
            .inclusion, inclusionFailure,
            passed: "\(entries.count) entries, each proved included in the tree of \(checkpoint.size) entries")

        // 4. Where the file carries neighbouring entries, their hash-chain links hold.
        var links = 0
        var chainFailure: (String, UInt64?)?
        for (a, b) in zip(entries, entries.dropFirst()) where b.seq == a.seq + 1 {
            links += 1
            if b.prev != a.leafHash() {
                chainFailure = ("entry \(b.seq)'s prev is not the hash of entry \(a.seq)", b.seq)
                break
            }
        }
        report.record(.chain, chainFailure, passed: "\(links) hash-chain links between neighbouring entries hold")

        // 5. Every event's signature.
        let parsed = entries
        let bad = ParallelVerifier.firstFailure(count: parsed.count) { i, verifier in
            verifier.verify(
                signature: parsed[i].signed.signature, message: parsed[i].signedMessage, key: parsed[i].signed.key.publicKey)
        }
        report.record(
            .signatures,
            bad.map {
                ("entry \(parsed[$0].seq): the signature by \(parsed[$0].signed.key.name) does not verify", parsed[$0].seq)
            },
            passed: "\(parsed.count) event signatures verify")
        return (entries, report.checks[first...].allSatisfy(\.passed))
    }

    /// The `signers` list must be exactly the keys that signed: each entry's, and the certificate's.
    private func signersMismatch(_ certificate: OriginCertificate, _ entries: [Entry], state: DomainState) -> (String, UInt64?)? {
        var used: Set<[String]> = []
        for entry in entries {
            let actor = (try? TraceEvent(parsing: entry.signed))?.actor ?? ""
            used.insert([actor, entry.signed.key.description])
        }
        if let signature = certificate.signature { used.insert([certificate.exporter, signature.key]) }
        let listed = certificate.signers.map { [$0.party, $0.key] }
        guard Set(listed) == used, listed.count == used.count else {
            return (
                "signers: the list does not name exactly the \(used.count) keys that signed the entries and the certificate", nil
            )
        }
        for signer in certificate.signers {
            guard
                state.parties[signer.party]?.keys.contains(where: { $0.vkey == signer.key && $0.from == signer.registeredBy })
                    == true
            else {
                return (
                    "signers: the key \(signer.key.prefix(40))... was not registered to \(signer.party) by entry \(signer.registeredBy)",
                    signer.registeredBy
                )
            }
        }
        return nil
    }

    /// A lot of the path held by an open recall: a certificate must not vouch for it.
    public static func recallHold(state: DomainState, lot code: String) -> (String, UInt64?)? {
        guard let root = state.lot(code) else { return nil }
        var queue = [root.code.key]
        var seen: Set<String> = []
        while let key = queue.popLast() {
            guard seen.insert(key).inserted, let lot = state.lots[key] else { continue }
            if let recall = lot.holds.min() {
                return ("lot \(lot.code) is on hold by the recall in entry \(recall)", recall)
            }
            queue.append(contentsOf: lot.parents)
        }
        return nil
    }

    /// Where the lineage breaks: a lot not in the file, or a root lot that is not a harvest.
    static func lineageGap(state: DomainState, lot code: String) -> (String, UInt64?)? {
        guard let root = state.lot(code) else { return ("lot \(code) is not created by any entry of the certificate", nil) }
        guard root.code.text == code else {
            return ("the certificate names lot \(code), but the ledger's lot is written \(root.code.text)", root.createdSeq)
        }
        var queue = [root.code.key]
        var seen: Set<String> = []
        while !queue.isEmpty {
            let key = queue.removeFirst()
            guard seen.insert(key).inserted else { continue }
            guard let lot = state.lots[key] else { return ("lot \(key) is an input but is not in the certificate", nil) }
            if lot.parents.isEmpty {
                guard let plot = lot.plot, state.plots[plot] != nil else {
                    return ("lot \(lot.code) has no inputs and is not a harvest on a registered plot", lot.createdSeq)
                }
            }
            queue.append(contentsOf: lot.parents)
        }
        return nil
    }

    /// The disclosures that open their commitments, and the first that does not.
    static func openDisclosures(_ certificate: OriginCertificate, state: DomainState) -> (
        opened: [String: [String: String]], failure: String?
    ) {
        var opened: [String: [String: String]] = [:]
        if certificate.redacted, !certificate.disclosures.isEmpty {
            return (opened, "the certificate says it is redacted but discloses \(certificate.disclosures.count) personal values")
        }
        for d in certificate.disclosures {
            guard CertificateIssuer.disclosedFields.contains(d.field) else {
                return (opened, "\(d.party).\(d.field): only \(CertificateIssuer.disclosedFields.sorted()) may be disclosed")
            }
            guard d.salt.count == 16 else { return (opened, "\(d.party).\(d.field): a salt is 16 bytes, not \(d.salt.count)") }
            guard opened[d.party]?[d.field] == nil else { return (opened, "\(d.party).\(d.field) is disclosed twice") }
            guard let hex = state.parties[d.party]?.personal[d.field], let digest = try? Digest(hex: hex) else {
                return (opened, "\(d.party).\(d.field) is disclosed but the ledger holds no such commitment")
            }
            guard Commitment.opens(digest, value: d.value, salt: d.salt) else {
                return (opened, "\(d.party).\(d.field): the disclosed value does not open the ledger's commitment")
            }
            opened[d.party, default: [:]][d.field] = d.value
        }
        return (opened, nil)
    }

    private func exporterFailure(_ certificate: OriginCertificate, state: DomainState, size: UInt64) -> (String, UInt64?)? {
        guard let signature = certificate.signature else { return ("the certificate is not signed by its exporter", nil) }
        guard let exporter = state.parties[certificate.exporter], exporter.roles.contains(.exporter) else {
            return ("\(certificate.exporter) is not a registered exporter in the certificate's entries", nil)
        }
        guard exporter.keyValid(signature.key, at: size) else {
            return (
                "the signing key is not \(exporter.id)'s current key at the checkpoint: revoked, replaced or never registered",
                nil
            )
        }
        guard let lot = state.lot(certificate.lot), lot.custodian == exporter.id, lot.status == .active || lot.status == .exported
        else {
            return ("\(exporter.id) does not hold lot \(certificate.lot)", nil)
        }
        guard let key = try? VerifierKey(signature.key), let message = try? certificate.signedMessage,
            key.publicKey.isValidSignature(signature.value, for: message)
        else { return ("the exporter's signature over the certificate does not verify: the file was changed after signing", nil) }
        return nil
    }
}

extension CertificateVerifier {
    /// The `consistency` check: the ledger's current checkpoint (`note`, signed by the operator)
    /// extends the certificate's, by the RFC 9162 consistency proof `proof`. A certificate from a
    /// fork the operator later abandoned, or a ledger rewritten since, fails here.
    ///
    /// `liveKeys`, the operator's keys as the live ledger proves them (`LotVerification.operatorKeys`),
    /// open its checkpoint after rotations the certificate predates, and must name the key that
    /// signed the certificate's checkpoint for its size: a key already replaced then (a stolen old
    /// key, say, signing a file that leaves the rotation out) fails here.
    public func consistency(
        of certificate: OriginCertificate, currentNote note: String, proof: [Digest], liveKeys: OperatorKeys? = nil
    ) -> CertificateCheck {
        guard let (old, certificateKeys) = try? openCheckpoint(certificate) else {
            return CertificateCheck(.consistency, passed: false, "the certificate's checkpoint is not signed by the operator")
        }
        let current: Checkpoint
        do { current = try (liveKeys ?? certificateKeys).open(note) } catch {
            return CertificateCheck(
                .consistency, passed: false, "the ledger's current checkpoint is not signed by the operator: \(error)")
        }
        if let liveKeys, liveKeys.key(forSize: old.size) != certificateKeys.key(forSize: old.size) {
            return CertificateCheck(
                .consistency, passed: false,
                "the certificate's checkpoint of \(old.size) entries is signed by \(certificateKeys.key(forSize: old.size)), but the live "
                    + "ledger's operator key for that size is \(liveKeys.key(forSize: old.size))"
                    + (liveKeys.rotation(forSize: old.size).map { " (named by the rotation in entry \($0))" } ?? "")
                    + ": a checkpoint signed with a replaced key",
                entry: liveKeys.rotation(forSize: old.size))
        }
        guard current.origin == old.origin else {
            return CertificateCheck(
                .consistency, passed: false, "the ledger is \(current.origin), not \(old.origin) that the certificate names")
        }
        guard current.size >= old.size else {
            return CertificateCheck(
                .consistency, passed: false,
                "the ledger's checkpoint (\(current.size) entries) is smaller than the certificate's (\(old.size)): the ledger was rewritten"
            )
        }
        let proved = ConsistencyProof(oldSize: old.size, newSize: current.size, hashes: proof)
        guard current.size == old.size ? current.root == old.root : proved.verify(oldRoot: old.root, newRoot: current.root) else {
            return CertificateCheck(
                .consistency, passed: false,
                "the ledger's checkpoint of \(current.size) entries does not extend the certificate's of \(old.size): a forked or rewritten ledger"
            )
        }
        return CertificateCheck(
            .consistency, passed: true,
            "the ledger's current checkpoint (\(current.size) entries) extends the certificate's (\(old.size) entries)")
    }
}

extension CertificateVerifier {
    /// The `revocation` check: the exporter's signing key, as the live ledger lists the party's
    /// keys now, has not been revoked or replaced. Offline, a certificate can only show the key
    /// current at its own checkpoint; a thief holding a revoked key could leave the revocation
    /// out, or sign at an older checkpoint. `keys` are the party's keys as the ledger holds them.
    public func revocation(of certificate: OriginCertificate, keys: [KeyRecord], ledgerSize: UInt64) -> CertificateCheck {
        guard let signature = certificate.signature else {
            return CertificateCheck(.revocation, passed: false, "the certificate is not signed")
        }
        guard let record = keys.first(where: { $0.vkey == signature.key }) else {
            return CertificateCheck(
                .revocation, passed: false, "the live ledger has no such key for \(certificate.exporter): it was never registered"
            )
        }
        if let until = record.until {
            return CertificateCheck(
                .revocation, passed: false,
                "the exporter's key was revoked or replaced by entry \(until) of the live ledger; a certificate it signs is no longer trusted"
            )
        }
        return CertificateCheck(
            .revocation, passed: true,
            "the exporter's key is still \(certificate.exporter)'s current key in the live ledger (\(ledgerSize) entries)")
    }
}

extension CertificateReport {

}
