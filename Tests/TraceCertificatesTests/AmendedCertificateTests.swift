import CanonicalJSON
import ChainFixtures
import Foundation
import Testing
import TraceCertificates
import TraceCrypto
import TraceDomain
import TraceLedger

/// Corrections reach the certificate: a plot amended and a packhouse code set after the
/// registration show their amended values, and the certificate still verifies.
@Suite struct AmendedCertificateTests {
    @Test
    func aCertificateShowsAmendedPlotsAndPackhouseCodes() throws {
        let c = try ExportChain(checkpoint: false)
        try c.f.submit(
            "htx-tan-lap", "plot.amend",
            ["plot": "P-001", "areaHa": "2.4", "growingAreaCode": "VN-LAOR-0101", "reason": "surveyed"])
        try c.f.submit("operator", "party.amend", ["party": "nha-may-xay-xat", "packhouseCode": "VN-LAPH-0031"])
        try c.f.submit("operator", "rules.crop-cap", ["crop": "lúa", "kgPerHa": "9000", "windowDays": 120])
        try c.checkpoint()
        let report = c.verify(try c.issue())
        #expect(report.ok, "\(report.firstFailure.map { "\($0.name): \($0.detail)" } ?? "")")
        let content = try #require(report.content)
        let plot = try #require(content.origins.first { $0.plot.id == "P-001" }?.plot)
        #expect(plot.areaHa == Decimal(string: "2.4"))
        #expect(plot.growingAreaCode == "VN-LAOR-0101")
        #expect(plot.amendments.map(\.reason) == ["surveyed"])
        #expect(content.state.parties["nha-may-xay-xat"]?.packhouseCode == "VN-LAPH-0031")
        #expect(content.state.rules.cropCaps.count == 1)
    }
}
