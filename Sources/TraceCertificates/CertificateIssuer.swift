import CanonicalJSON
import Foundation
public import TraceCrypto
public import TraceDomain
public import TraceLedger

/// Issues origin certificates: the exporter holding a lot gathers its story from the ledger,
/// with proofs against the latest signed checkpoint, and signs the file.
public struct CertificateIssuer {
    /// Personal fields a buyer needs: the farmer's name, for the EU due diligence statement.
    /// Phone numbers and ID numbers are never disclosed.
    public static let disclosedFields: Set<String> = ["name"]

    let chain: SupplyChain
    /// The checkpoint note as the certificate carries it: with the witnesses' cosignatures when
    /// the caller keeps them (`CosignedCheckpoints.withCosignatures`).
    public var cosigned: @Sendable (String) -> String = { $0 }
    /// The checkpoint to prove the story against (a witnessed one, say); nil: the latest signed.
    public var checkpoint: (checkpoint: Checkpoint, note: String)?

    public init(chain: SupplyChain) { self.chain = chain }

    /// The certificate for `code`, signed with `key`, which must be the current key of the
    /// exporter holding the lot. Deterministic: the same lot and checkpoint give the same bytes.
    public func issue(lot code: String, key: PrivateKey, redact: Bool = false) throws -> OriginCertificate {
        let (exporter, vkey) = try chain.signer(for: key)
        return try Self.sign(try draft(lot: code, exporter: exporter, key: vkey, redact: redact), with: key)
    }

    /// Signs a draft with the exporter's key (the draft names that key already).
    public static func sign(_ draft: OriginCertificate, with key: PrivateKey) throws -> OriginCertificate {
        var certificate = draft
        guard
            let vkey = draft.signers.first(where: {
                $0.party == draft.exporter && (try? VerifierKey($0.key))?.publicKey == key.publicKey
            })
        else {
            throw CertificateError(.notExporter, "--key: this is not the key the certificate's draft names for \(draft.exporter)")
        }
        // The day it is signed is signed with it: a buyer sees when the exporter vouched for the lot.
        if certificate.issued == nil { certificate.issued = String(Timestamp.now().prefix(10)) }
        certificate.signature = OriginCertificate.ExporterSignature(
            key: vkey.key, value: try key.sign(try certificate.signedMessage))
        return certificate
    }

    /// The certificate for `code`, unsigned, as `exporter` (holding the lot, with its current key
    /// `key`) would sign it: what a server hands an exporter to sign on the exporter's own machine.
    public func draft(lot code: String, exporter: PartyRecord, key vkey: VerifierKey, redact: Bool) throws -> OriginCertificate {
        let lotCode = try LotCode(code, field: "LOT")
        guard let lot = chain.state.lot(lotCode.key) else {
            throw DomainError(.unknownLot, "LOT: there is no lot \(code)")
        }
        guard exporter.keys.contains(where: { $0.vkey == vkey.description && $0.until == nil }) else {
            throw DomainError(.keyNotValid, "--key: \(vkey.name) is not \(exporter.id)'s current key")
        }
        guard exporter.roles.contains(.exporter) else {
            throw CertificateError(.notExporter, "--key: \(exporter.id) is not an exporter; only exporters issue certificates")
        }
        guard lot.custodian == exporter.id, lot.status == .active || lot.status == .exported else {
            throw CertificateError(
                .notExporter,
                "LOT: lot \(lot.code) is held by \(lot.custodian) (\(Lineage.status(lot))), not by \(exporter.id); only the exporter holding a lot certifies it"
            )
        }
        // A certificate must not vouch for goods under recall.
        let lineage = try Lineage(chain: chain, lot: lot.code.text)
        if let held = ([lot] + lineage.upstreamLots).first(where: { !$0.holds.isEmpty }) {
            throw CertificateError(
                .recalled,
                "LOT: lot \(held.code)\(held.code == lot.code ? "" : " in lot \(lot.code)'s lineage") is on hold by the recall in entry \(held.holds.min() ?? 0); it must be released before a certificate is issued"
            )
        }
        guard let (checkpoint, note) = try self.checkpoint ?? chain.ledger.latestCheckpoint() else {
            throw CertificateError(.notCheckpointed, "the ledger has no checkpoint yet; the operator must run `trace checkpoint`")
        }
        let which = self.checkpoint == nil ? "the latest checkpoint" : "the checkpoint chosen"
        let story = try LotVerifier(chain: chain).storyEntries(lots: [lotCode.key], parties: [exporter.id], plots: []).sorted()
        if let beyond = story.last, beyond >= checkpoint.size {
            throw CertificateError(
                .notCheckpointed,
                "lot \(lot.code)'s story reaches entry \(beyond), beyond \(which) (size \(checkpoint.size)); "
                    + (self.checkpoint == nil
                        ? "the operator must run `trace checkpoint`"
                        : "wait until the witnesses have cosigned a newer checkpoint")
            )
        }
        // Every entry's bytes and proof in one read snapshot.
        let proved = try chain.ledger.store.read { reader in
            try story.map { seq -> OriginCertificate.ProvedEntry in
                guard let bytes = try reader.entryBytes(seq) else {
                    throw CertificateError(.malformed, "entry \(seq) is missing from the store; run `trace verify`")
                }
                return OriginCertificate.ProvedEntry(
                    index: seq, bytes: bytes,
                    proof: try MerkleTree(source: reader).inclusionProof(index: seq, size: checkpoint.size))
            }
        }
        var signers: Set<SignerKey> = [SignerKey(party: exporter.id, key: vkey.description)]
        var persons: Set<String> = []
        for item in proved {
            let entry = try Entry(bytes: item.bytes, expectedSeq: item.index)
            let event = try TraceEvent(parsing: entry.signed)
            signers.insert(SignerKey(party: event.actor, key: entry.signed.key.description))
            if case .partyRegister(let party) = event.kind, !party.personal.isEmpty { persons.insert(party.partyID) }
        }
        return OriginCertificate(
            lot: lot.code.text, exporter: exporter.id, checkpoint: cosigned(note), entries: proved,
            signers: try signers.sorted().map { s in
                guard let record = chain.state.parties[s.party]?.keys.first(where: { $0.vkey == s.key }) else {
                    throw CertificateError(.malformed, "the key \(s.key.prefix(40))... of \(s.party) is not registered")
                }
                return OriginCertificate.Signer(party: s.party, key: s.key, registeredBy: record.from)
            },
            disclosures: redact ? [] : try disclosures(of: persons), redacted: redact)
    }

    /// The clear values behind the persons' commitments that a buyer needs, where still held
    /// (a value erased by `trace forget` is simply not disclosed).
    private func disclosures(of persons: Set<String>) throws -> [OriginCertificate.Disclosure] {
        var out: [OriginCertificate.Disclosure] = []
        for id in persons.sorted() {
            guard let party = chain.state.parties[id] else { continue }
            for (field, commitment) in party.personal.sorted(by: { $0.key < $1.key }) where Self.disclosedFields.contains(field) {
                if let (value, salt) = try PersonalData.lookup(commitment, in: chain.ledger.store) {
                    out.append(OriginCertificate.Disclosure(party: id, field: field, value: value, salt: salt))
                }
            }
        }
        return out
    }
}

/// A party and one of its keys, ordered so a certificate lists its signers the same way every time.
private struct SignerKey: Hashable, Comparable {
    let party: String
    let key: String

    static func < (a: Self, b: Self) -> Bool { (a.party, a.key) < (b.party, b.key) }
}
