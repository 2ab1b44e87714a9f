import CanonicalJSON
import ChainFixtures
import Foundation
import TestSupport
import Testing
import TraceCertificates
import TraceCrypto
import TraceDomain
import TraceLedger

/// Certificates assembled by someone who controls the file but not the operator's key.
@Suite struct ForgeryTests {
    func firstFailure(_ c: ExportChain, _ certificate: OriginCertificate) -> CertificateCheck? {
        c.verify(certificate).firstFailure
    }

    @Test(arguments: StoreKind.allCases) func entriesOutOfOrderTwiceOrBeyondTheCheckpointAreRefused(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        let certificate = try c.issue()
        var reordered = certificate
        reordered.entries.swapAt(2, 3)
        #expect(firstFailure(c, try c.resigned(reordered))?.name == .inclusion)
        var doubled = certificate
        doubled.entries.insert(doubled.entries[4], at: 5)
        #expect(firstFailure(c, try c.resigned(doubled))?.detail.contains("each once") == true)
        // An entry appended after the checkpoint cannot be proved against it.
        try c.f.harvest("H11")
        var beyond = certificate
        let last = try c.f.size() - 1
        beyond.entries.append(.init(index: last, bytes: try c.f.chain.ledger.entry(last).bytes, proof: []))
        #expect(firstFailure(c, try c.resigned(beyond))?.name == .inclusion)
        // Another entry's bytes under an index, with that entry's genuine proof.
        var relabelled = certificate
        relabelled.entries[4].bytes = certificate.entries[5].bytes
        relabelled.entries[4].proof = certificate.entries[5].proof
        #expect(firstFailure(c, try c.resigned(relabelled))?.detail.contains("holds the bytes of entry") == true)
        var empty = certificate
        empty.entries = []
        #expect(firstFailure(c, try c.resigned(empty))?.name == .genesis)
    }

    @Test(arguments: StoreKind.allCases) func nothingUnauthenticatedIsInterpreted(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        var certificate = try c.issue()
        certificate.entries[3].proof[0] = SHA256.hash(Array("x".utf8))
        let report = c.verify(try c.resigned(certificate))
        #expect(report.content == nil)
        // The replayed checks are not even reported when the entries are not authentic.
        #expect(!report.checks.contains { $0.name == .rules || $0.name == .keys || $0.name == .exporter })
    }

    @Test(arguments: StoreKind.allCases) func aSignersListThatLiesIsRefused(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        let certificate = try c.issue()
        var missing = certificate
        missing.signers.removeLast()
        #expect(firstFailure(c, try c.resigned(missing))?.name == .keys)
        var doubled = certificate
        doubled.signers.append(doubled.signers[0])
        #expect(firstFailure(c, try c.resigned(doubled))?.name == .keys)
        var wrongEntry = certificate
        wrongEntry.signers[0].registeredBy += 1
        #expect(firstFailure(c, try c.resigned(wrongEntry))?.name == .keys)
    }

    @Test(arguments: StoreKind.allCases) func disclosuresMustBeNamesOfTheRightPartyAndAbsentWhenRedacted(_ store: StoreKind)
        throws
    {
        let c = try ExportChain(store: store)
        let certificate = try c.issue()
        var swapped = certificate
        swapped.disclosures[0].party = swapped.disclosures[1].party
        #expect(firstFailure(c, try c.resigned(swapped))?.name == .disclosures)
        var lying = certificate
        lying.redacted = true
        let failure = firstFailure(c, try c.resigned(lying))
        #expect(failure?.name == .disclosures && failure?.detail.contains("says it is redacted") == true)
    }

    @Test(arguments: StoreKind.allCases) func aRecalledLotIsNeitherIssuedNorVerified(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        let certificate = try c.issue()
        try c.f.submit("operator", "recall", ["lot": "H1", "reason": "lab test: pesticide residue"])
        let recall = try c.f.size() - 1
        try c.checkpoint()
        do {
            _ = try c.issue()
            Issue.record("a certificate was issued for a lot made from a recalled harvest")
        } catch let error as CertificateError {
            #expect(error.code == .recalled && error.message.contains("on hold by the recall in entry \(recall)"))
        }
        // The recall entry is in the file, as an honest story after the recall would have it.
        let failure = firstFailure(c, try c.reproved(certificate, adding: [recall]))
        #expect(failure?.name == .recall && failure?.detail.contains("under the recall of entry \(recall)") == true)
        // Authentic, but recalled: the verdict says so rather than "not verified".
        let report = CertificateVerifier(operatorKey: c.f.chain.ledger.metadata.operatorKey).verify(
            try c.reproved(certificate, adding: [recall]))
        #expect(report.verdict.state == .recalled)
        #expect(report.verdict.recalls.map(\.entry) == [recall])
        #expect(report.verdict.offline)
    }

    @Test(arguments: StoreKind.allCases) func unknownMembersAreRefusedNotIgnored(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        let certificate = try c.issue()
        guard case .object(var o) = certificate.json else { return }
        o["buyerNote"] = "Organic, Fairtrade certified"
        #expect(throws: CertificateError.self) { try OriginCertificate(bytes: try CanonicalJSON.encode(.object(o))) }
        guard case .object(var inner) = certificate.json, case .array(var entries) = inner["entries"]!,
            case .object(var first) = entries[0]
        else { return }
        first["note"] = "x"
        entries[0] = .object(first)
        inner["entries"] = .array(entries)
        do {
            _ = try OriginCertificate(bytes: try CanonicalJSON.encode(.object(inner)))
            Issue.record("an unknown member inside an entry was accepted")
        } catch let error as CertificateError {
            #expect(error.message.contains("entries[0].note"))
        }
    }

    @Test(arguments: StoreKind.allCases) func theLotMustBeNamedAsTheLedgerWritesIt(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        var certificate = try c.issue()
        certificate.lot = "rice-1"
        #expect(firstFailure(c, try c.resigned(certificate))?.name == .lineage)
    }

    @Test(arguments: StoreKind.allCases) func aKeyRevokedSinceIsCaughtAgainstTheLiveLedger(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        let certificate = try c.issue()
        let verifier = CertificateVerifier(operatorKey: c.operatorKey)
        let keys = c.f.chain.state.parties["vinarice-export"]!.keys
        #expect(verifier.revocation(of: certificate, keys: keys, ledgerSize: try c.f.size()).passed)
        // The key is stolen and revoked; the thief's certificates (or old ones) no longer pass.
        try c.f.submit("operator", "party.revoke", ["party": "vinarice-export", "reason": "laptop stolen"])
        let revoked = c.f.chain.state.parties["vinarice-export"]!.keys
        let check = verifier.revocation(of: certificate, keys: revoked, ledgerSize: try c.f.size())
        #expect(!check.passed && check.detail.contains("revoked or replaced by entry"))
    }

    @Test(arguments: StoreKind.allCases) func storedGeometryIsCheckedAsStrictlyAsInput(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        for coordinates in [
            #"["1e30","10.000000"]"#, #"["500.500000","10.000000"]"#, #"["106.5","10.6"]"#, #"[106.512300,10.601100]"#,
        ] {
            let geometry = try CanonicalJSON.parse(#"{"type":"Point","coordinates":\#(coordinates)}"#)
            // Refused (by the ledger's integer-only numbers, or by the plot rule), never a crash.
            #expect(throws: (any Error).self, "\(coordinates)") {
                try f.submit(
                    "htx-tan-lap", "plot.register",
                    ["plot": ["id": "P-X", "farm": "nong-ho-bay", "crop": "lúa", "areaHa": "1", "geometry": geometry]])
            }
        }
        let emptyPolygon = try CanonicalJSON.parse(#"{"type":"Polygon","coordinates":[]}"#)
        #expect(throws: DomainError.self) {
            try f.submit(
                "htx-tan-lap", "plot.register",
                ["plot": ["id": "P-Y", "farm": "nong-ho-bay", "crop": "lúa", "areaHa": "1", "geometry": emptyPolygon]])
        }
        let point = try PlotGeometry(geojson: #"{"type":"Point","coordinates":[106.5,10.6]}"#).storedJSON
        for (since, evidence) in [("2015", "ab"), ("2015-01-01", "AB")] {
            #expect(throws: DomainError.self) {
                try f.submit(
                    "htx-tan-lap", "plot.register",
                    [
                        "plot": [
                            "id": "P-Z", "farm": "nong-ho-bay", "crop": "lúa", "areaHa": "1", "geometry": point,
                            "cultivatedSince": .string(since), "evidenceSha256": .string(String(repeating: evidence, count: 32)),
                        ]
                    ])
            }
        }
    }

    @Test func aQRLabelCannotBreakOutOfItsAttribute() throws {
        let svg = try QRCodeProbe.svg(label: #"x"><script>alert(1)</script>"#)
        #expect(!svg.contains("<script>") && svg.contains("&quot;&gt;&lt;script&gt;"))
    }
}
