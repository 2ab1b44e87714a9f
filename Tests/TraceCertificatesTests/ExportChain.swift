import CanonicalJSON
import ChainFixtures
import Foundation
import TestSupport
import Testing
import TraceCertificates
import TraceCrypto
import TraceDomain
import TraceLedger

/// Two farmers' paddy milled into one rice lot, certified, shipped to the exporter and exported
/// with a GTIN; an unrelated harvest beside it; a signed checkpoint over all of it.
struct ExportChain {
    let f: ChainFixture
    static let gtin = "08934567000017"
    static let document = String(repeating: "ab", count: 32)

    init(checkpoint: Bool = true, store: StoreKind = .sqlite) throws {
        f = try ChainFixture(store: store)
        try f.register(
            "nong-ho-tam", roles: ["farm"], personal: ["name": "Trần Thị Tám", "idNumber": "079123456789"],
            memberOf: "htx-tan-lap")
        try f.submit(
            "htx-tan-lap", "plot.register",
            [
                "plot": [
                    "id": "P-002", "farm": "nong-ho-tam", "crop": "lúa", "areaHa": "1.2",
                    "geometry": try PlotGeometry(geojson: #"{"type":"Point","coordinates":[106.6301,10.5902]}"#).storedJSON,
                    "cultivatedSince": "2015-01-01", "evidenceSha256": .string(Self.document),
                ]
            ])
        try f.harvest("H1", "1200")
        try f.submit(
            "htx-tan-lap", "harvest",
            [
                "lot": "H2", "product": "Lúa ST25", "quantity": "800", "unit": "kg", "plot": "P-002", "harvested": "2026-07-02",
            ])
        try f.harvest("H9", "500")
        for lot in ["H1", "H2"] {
            try f.submit("htx-tan-lap", "ship", ["lot": .string(lot), "to": "nha-may-xay-xat"])
            try f.submit("nha-may-xay-xat", "receive", ["lot": .string(lot)])
        }
        try f.submit(
            "nha-may-xay-xat", "transform",
            [
                "process": "milling", "yieldLimit": "0.7",
                "inputs": [["lot": "H1", "quantity": "1200", "unit": "kg"], ["lot": "H2", "quantity": "800", "unit": "kg"]],
                "outputs": [["lot": "RICE-1", "product": "Gạo ST25", "quantity": "1300", "unit": "kg"]],
            ])
        try f.submit(
            "vietgap-cert", "certify",
            [
                "lot": "RICE-1", "scheme": "VietGAP", "reference": "VG-2026-0001", "documentSha256": .string(Self.document),
                "validUntil": "2027-06-30",
            ])
        try f.submit("nha-may-xay-xat", "ship", ["lot": "RICE-1", "to": "vinarice-export"])
        try f.submit("vinarice-export", "receive", ["lot": "RICE-1"])
        try f.submit(
            "vinarice-export", "export",
            [
                "lot": "RICE-1", "buyer": "hamburg-foods", "country": "DE", "container": "MSCU1234565",
                "gtin": .string(Self.gtin),
            ])
        if checkpoint { try self.checkpoint() }
    }

    func checkpoint() throws { _ = try f.chain.ledger.checkpoint(signingWith: f.operatorKey) }

    var operatorKey: VerifierKey { f.chain.ledger.metadata.operatorKey }

    /// Issues the certificate of RICE-1, and checks it against schemas/certificate-v1.schema.json,
    /// so every certificate the tests make is validated.
    func issue(redact: Bool = false, key: String = "vinarice-export") throws -> OriginCertificate {
        let certificate = try CertificateIssuer(chain: f.chain).issue(lot: "RICE-1", key: f.keys[key]!, redact: redact)
        let problem = try SchemaCheck.problem(certificate.encoded(), against: "certificate-v1.schema.json")
        #expect(problem == nil, "\(problem ?? "")")
        return certificate
    }

    func verify(_ certificate: OriginCertificate) -> CertificateReport {
        CertificateVerifier(operatorKey: operatorKey).verify(certificate)
    }

    /// The entry number of the event with this type on this lot.
    func seq(_ type: String, lot: String) throws -> UInt64 {
        for seq in f.chain.state.lot(lot)?.entries ?? []
        where try f.chain.ledger.entry(seq).signed.event["type"]?.stringValue == type {
            return seq
        }
        throw DomainError(.unknownLot, "no \(type) of \(lot)")
    }
}

extension ExportChain {
    /// The certificate re-proved against the latest checkpoint with `extra` entries added, its
    /// signers recomputed, and signed again by `key`: what a dishonest exporter could assemble
    /// from public proofs.
    func reproved(_ certificate: OriginCertificate, adding extra: [UInt64] = [], key: String = "vinarice-export") throws
        -> OriginCertificate
    {
        let (checkpoint, note) = try #require(try f.chain.ledger.latestCheckpoint())
        var out = certificate
        out.checkpoint = note
        let seqs = Set(certificate.entries.map(\.index)).union(extra).sorted()
        out.entries = try seqs.map { seq in
            OriginCertificate.ProvedEntry(
                index: seq, bytes: try f.chain.ledger.entry(seq).bytes,
                proof: try f.chain.ledger.inclusionProof(index: seq, treeSize: checkpoint.size).proof.hashes)
        }
        return try resigned(out, key: key)
    }

    /// The certificate signed again by `key` (after the test changed it).
    func resigned(_ certificate: OriginCertificate, key: String = "vinarice-export") throws -> OriginCertificate {
        var out = certificate
        let privateKey = f.keys[key]!
        out.signature = .init(
            key: try VerifierKey(name: key, publicKey: privateKey.publicKey).description,
            value: try privateKey.sign(try out.signedMessage))
        return out
    }
}
