import CanonicalJSON
import ChainFixtures
import Foundation
import TestSupport
import Testing
import TraceCertificates
import TraceCrypto
import TraceDomain
import TraceLedger

@Suite struct CertificateTests {
    @Test(arguments: StoreKind.allCases) func anUntouchedCertificatePassesEveryCheckAndIsDeterministic(_ store: StoreKind) throws
    {
        let c = try ExportChain(store: store)
        let certificate = try c.issue()
        let report = c.verify(certificate)
        #expect(report.ok, "\(report.firstFailure.map { "\($0.name): \($0.detail)" } ?? "")")
        #expect(
            report.checks.map(\.name) == [
                .checkpoint, .genesis, .inclusion, .chain, .signatures, .keys, .rules, .lineage, .disclosures, .exporter, .recall,
            ])
        let content = try #require(report.content)
        #expect(content.origins.map(\.lot.code.text) == ["H1", "H2"])
        #expect(content.origins.map(\.plot.id) == ["P-001", "P-002"])
        #expect(content.name(of: "nong-ho-tam") == "Trần Thị Tám")
        #expect(content.certifications.map(\.certification.scheme) == ["VietGAP"])
        #expect(!content.expiredAtExport(content.certifications[0].certification))
        #expect(content.lot.export?.gtin == ExportChain.gtin)
        // The unrelated harvest is not part of the story.
        #expect(content.state.lot("H9") == nil)
        // Only names are disclosed, never phone or ID numbers.
        #expect(Set(certificate.disclosures.map(\.field)) == ["name"])
        #expect(certificate.disclosures.map(\.party) == ["nong-ho-bay", "nong-ho-tam"])
        // The same lot and checkpoint give the same bytes, and the file reads back as it was written.
        #expect(try c.issue().encoded() == certificate.encoded())
        #expect(try OriginCertificate(bytes: certificate.encoded()) == certificate)
    }

    @Test(arguments: StoreKind.allCases) func aChangedQuantityIsCaughtByItsInclusionProof(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        var certificate = try c.issue()
        let harvest = try c.seq("harvest", lot: "H1")
        let i = try #require(certificate.entries.firstIndex { $0.index == harvest })
        let text = String(decoding: certificate.entries[i].bytes, as: UTF8.self)
        #expect(text.contains(#""quantity":"1200""#))
        certificate.entries[i].bytes = Array(
            text.replacingOccurrences(of: #""quantity":"1200""#, with: #""quantity":"9200""#).utf8)
        try expectFailure(c.verify(certificate), .inclusion, entry: harvest, "inclusion proof does not lead")
    }

    @Test(arguments: StoreKind.allCases) func aRemovedLineageStepIsCaught(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        var certificate = try c.issue()
        let transform = try c.seq("transform", lot: "RICE-1")
        certificate.entries.removeAll { $0.index == transform }
        try expectFailure(c.verify(certificate), .lineage, entry: nil, "no lot RICE-1")
    }

    @Test(arguments: StoreKind.allCases) func anEntrySwappedForAnotherLotsIsCaught(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        var certificate = try c.issue()
        let h2 = try c.seq("harvest", lot: "H2")
        let h9 = try c.seq("harvest", lot: "H9")
        // H9's harvest, with its genuine proof, in place of H2's: every proof still checks.
        let size = try #require(try c.f.chain.ledger.latestCheckpoint()).checkpoint.size
        let swapped = OriginCertificate.ProvedEntry(
            index: h9, bytes: try c.f.chain.ledger.entry(h9).bytes,
            proof: try c.f.chain.ledger.inclusionProof(index: h9, treeSize: size).proof.hashes)
        certificate.entries.removeAll { $0.index == h2 }
        certificate.entries.append(swapped)
        certificate.entries.sort { $0.index < $1.index }
        let report = c.verify(certificate)
        #expect(report.checks.first { $0.name == .inclusion }?.passed == true)
        try expectFailure(report, .lineage, entry: nil, "H2")
    }

    @Test(arguments: StoreKind.allCases) func aChangedProofHashIsCaught(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        var certificate = try c.issue()
        let i = certificate.entries.count / 2
        var hash = certificate.entries[i].proof[0].bytes
        hash[0] ^= 0x01
        certificate.entries[i].proof[0] = try Digest(bytes: hash)
        try expectFailure(c.verify(certificate), .inclusion, entry: certificate.entries[i].index, "proof")
    }

    @Test(arguments: StoreKind.allCases) func aCheckpointSignedByAnotherKeyIsRefused(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        var certificate = try c.issue()
        let checkpoint = try Checkpoint.open(certificate.checkpoint, operatorKey: c.operatorKey)
        let impostor = try PrivateKey.generate()
        let name = c.operatorKey.name
        certificate.checkpoint = try checkpoint.sign(
            with: impostor, as: try VerifierKey(name: name, publicKey: impostor.publicKey)
        ).encoded
        try expectFailure(c.verify(certificate), .checkpoint, entry: nil, "not signed by the operator key")
    }

    @Test(arguments: StoreKind.allCases) func aSignatureByARotatedOrRevokedExporterKeyIsRefused(_ store: StoreKind) throws {
        let c = try ExportChain(checkpoint: false, store: store)
        let old = c.f.keys["vinarice-export"]!
        try c.f.submit("operator", "party.revoke", ["party": "vinarice-export", "reason": "laptop stolen"])
        let new = try PrivateKey.generate()
        try c.f.submit(
            "operator", "party.rotate",
            [
                "party": "vinarice-export",
                "key": .string(try VerifierKey(name: "vinarice-export", publicKey: new.publicKey).description),
            ])
        c.f.keys["vinarice-export"] = new
        try c.checkpoint()
        // The revoked key cannot issue.
        #expect(throws: DomainError.self) { try CertificateIssuer(chain: c.f.chain).issue(lot: "RICE-1", key: old) }
        var certificate = try c.issue()
        #expect(c.verify(certificate).ok)
        // The same certificate signed with the revoked key, as a thief holding it would; the old
        // key signed the exporter's entries, so the signers list already names it.
        let oldKey = try VerifierKey(name: "vinarice-export", publicKey: old.publicKey).description
        let newKey = try VerifierKey(name: "vinarice-export", publicKey: new.publicKey).description
        #expect(certificate.signers.contains { $0.key == oldKey })
        certificate.signers.removeAll { $0.key == newKey }
        certificate.signature = .init(key: oldKey, value: try old.sign(try certificate.signedMessage))
        try expectFailure(c.verify(certificate), .exporter, entry: nil, "revoked, replaced or never registered")
    }

    @Test(arguments: StoreKind.allCases) func aBrokenExporterSignatureIsCaught(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        var certificate = try c.issue()
        certificate.signature?.value[5] ^= 0x40
        try expectFailure(c.verify(certificate), .exporter, entry: nil, "does not verify")
        // A field changed after signing breaks the signature too.
        var changed = try c.issue()
        changed.redacted = true
        changed.disclosures = []
        try expectFailure(c.verify(changed), .exporter, entry: nil, "changed after signing")
    }

    @Test(arguments: StoreKind.allCases) func aFalseDisclosureIsCaught(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        var certificate = try c.issue()
        certificate.disclosures[0].value = "Someone Else"
        try expectFailure(c.verify(certificate), .disclosures, entry: nil, "does not open")
    }

    @Test(arguments: StoreKind.allCases) func aCertificationThatEndedBeforeTheExportIsMarkedExpired(_ store: StoreKind) throws {
        let c = try ExportChain(checkpoint: false, store: store)
        try c.f.submit(
            "vietgap-cert", "certify",
            ["lot": "H1", "scheme": "GlobalG.A.P.", "documentSha256": .string(ExportChain.document), "validUntil": "2025-12-31"])
        try c.checkpoint()
        let report = c.verify(try c.issue())
        let content = try #require(report.content)
        let expired = content.certifications.filter { content.expiredAtExport($0.certification) }.map(\.certification.scheme)
        #expect(expired == ["GlobalG.A.P."])
        let html = try CertificateHTML(content: content, report: report, operatorKey: "k", url: "https://x.example/lot/RICE-1")
            .render()
        #expect(html.contains("expired at export"))
    }

    @Test(arguments: StoreKind.allCases) func aRedactedCertificateDisclosesNothingAndStillVerifies(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        let certificate = try c.issue(redact: true)
        #expect(certificate.disclosures.isEmpty && certificate.redacted)
        let bytes = String(decoding: try certificate.encoded(), as: UTF8.self)
        #expect(!bytes.contains("Trần Thị Tám") && !bytes.contains("Nguyễn Văn Bảy"))
        let report = c.verify(certificate)
        #expect(report.ok)
        #expect(report.content?.name(of: "nong-ho-tam") == "(nong-ho-tam: name not disclosed)")
    }

    @Test(arguments: StoreKind.allCases) func onlyTheExporterHoldingTheLotIssuesAndOnlyBehindACheckpoint(_ store: StoreKind)
        throws
    {
        let c = try ExportChain(checkpoint: false, store: store)
        // Only the genesis is behind a checkpoint yet.
        #expect(throws: CertificateError.self) { try c.issue() }
        do { _ = try c.issue() } catch let error as CertificateError { #expect(error.code == .notCheckpointed) }
        try c.checkpoint()
        #expect(throws: CertificateError.self) { try c.issue(key: "nha-may-xay-xat") }
        do {
            _ = try CertificateIssuer(chain: c.f.chain).issue(lot: "H9", key: c.f.keys["vinarice-export"]!)
            Issue.record("a lot held by the cooperative was certified by the exporter")
        } catch let error as CertificateError {
            #expect(error.code == .notExporter)
            #expect(error.message.contains("held by htx-tan-lap"))
        }
        // An entry on the lot after the checkpoint: the certificate waits for the next one.
        try c.f.submit(
            "vietgap-cert", "certify", ["lot": "RICE-1", "scheme": "Organic", "documentSha256": .string(ExportChain.document)])
        #expect(throws: CertificateError.self) { try c.issue() }
    }

    @Test(arguments: StoreKind.allCases) func aForkedLedgerFailsTheConsistencyCheck(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        let certificate = try c.issue()
        let verifier = CertificateVerifier(operatorKey: c.operatorKey)
        // The ledger grew honestly: its checkpoint extends the certificate's.
        try c.f.harvest("H10")
        let (current, note) = try c.f.chain.ledger.checkpoint(signingWith: c.f.operatorKey)
        let old = try Checkpoint.open(certificate.checkpoint, operatorKey: c.operatorKey)
        let proof = try c.f.chain.ledger.consistencyProof(from: old.size, to: current.size).hashes
        #expect(verifier.consistency(of: certificate, currentNote: note, proof: proof).passed)
        // A checkpoint the operator signed over another history does not.
        let fork = try Checkpoint(origin: current.origin, size: current.size, root: SHA256.hash(Array("fork".utf8)))
            .sign(with: c.f.operatorKey, as: c.operatorKey).encoded
        let check = verifier.consistency(of: certificate, currentNote: fork, proof: proof)
        #expect(!check.passed)
        #expect(check.detail.contains("forked or rewritten"))
    }

    private func expectFailure(
        _ report: CertificateReport, _ name: CertificateCheck.Name, entry: UInt64?, _ words: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let failure = try #require(report.firstFailure, "the certificate passed", sourceLocation: sourceLocation)
        #expect(failure.name == name, "\(failure.name): \(failure.detail)", sourceLocation: sourceLocation)
        if let entry { #expect(failure.entry == entry, sourceLocation: sourceLocation) }
        #expect(failure.detail.contains(words), "\(failure.detail)", sourceLocation: sourceLocation)
        #expect(!report.ok, sourceLocation: sourceLocation)
    }
}
