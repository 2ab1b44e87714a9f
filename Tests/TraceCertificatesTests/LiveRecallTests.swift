import ChainFixtures
import TestSupport
import Testing
import TraceCertificates
import TraceDomain
import TraceLedger

/// The live `recall` check of a certificate speaks only for a checkpoint at least as new as the
/// certificate's: a server that proves the story against an older one (before a recall, say) is
/// not taken as live.
struct LiveRecallTests {
    @Test(arguments: StoreKind.allCases) func aLiveStoryOlderThanTheCertificateIsNotLive(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        let key = c.f.chain.ledger.metadata.operatorKey
        let old = try LotVerifier(chain: c.f.chain).story(lot: "RICE-1")
        try c.f.harvest("LATE-1")
        try c.checkpoint()
        let certificate = try c.issue()
        let verifier = CertificateVerifier(operatorKey: key)

        var stale = verifier.verify(certificate)
        verifier.recall(of: certificate, live: LotVerifier.check(old, lot: "RICE-1", operatorKey: key), into: &stale)
        #expect(stale.verdict.state == .notVerified)
        #expect(stale.checks.last?.detail.contains("older than the certificate's") == true, "\(stale.checks.last?.detail ?? "")")

        var current = verifier.verify(certificate)
        let live = LotVerifier.check(try LotVerifier(chain: c.f.chain).story(lot: "RICE-1"), lot: "RICE-1", operatorKey: key)
        verifier.recall(of: certificate, live: live, into: &current)
        #expect(current.verdict.state == .verified)
        #expect(!current.verdict.offline)
    }
}
