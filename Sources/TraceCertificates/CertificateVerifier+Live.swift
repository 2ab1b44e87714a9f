import TraceDomain
public import TraceLedger

extension CertificateVerifier {
    /// The certificate's live checks, the same for the CLI and the server: `consistency` (the
    /// live checkpoint extends the certificate's), `revocation` (the exporter's key is still
    /// current) and `recall` (no open recall holds the lot or its lineage, read from the live
    /// story). Each is added to `report`; a ledger that cannot answer fails the check it was
    /// asked for: asked to check, we never pass what we could not check.
    public func liveChecks(of certificate: OriginCertificate, against live: any LiveLedger, into report: inout CertificateReport)
    {
        func unreadable(_ error: any Error) -> String {
            (error as? CertificateError)?.message ?? (error as? LedgerError)?.message ?? "\(error)"
        }
        // The live story first: it proves the operator's keys as the live ledger holds them,
        // which open its checkpoints after a rotation (the reports keep the order of the checks).
        let verification = Result { try live.lotVerification(certificate.lot, operatorKey: trustedKey) }
        if let (old, _) = try? openCheckpoint(certificate) {
            do {
                let (note, proof) = try live.consistency(from: old.size)
                report.append(
                    consistency(
                        of: certificate, currentNote: note, proof: proof, liveKeys: (try? verification.get())?.operatorKeys))
            } catch {
                report.append(
                    CertificateCheck(.consistency, passed: false, "the live ledger could not be checked: \(unreadable(error))"))
            }
        } else {
            report.append(consistency(of: certificate, currentNote: "", proof: []))
        }
        do {
            let (keys, size) = try live.keys(of: certificate.exporter)
            report.append(revocation(of: certificate, keys: keys, ledgerSize: size))
        } catch {
            report.append(
                CertificateCheck(
                    .revocation, passed: false,
                    "the live ledger's keys of \(certificate.exporter) could not be read: \(unreadable(error))"))
        }
        do {
            recall(of: certificate, live: try verification.get(), into: &report)
        } catch {
            report.checks.removeAll { $0.name == .recall }
            report.recalls = []
            report.checks.append(
                CertificateCheck(
                    .recall, passed: false, "the live ledger's recall status could not be read: \(unreadable(error))"))
        }
    }

    /// Only the live checks of `certificate`, for a ledger that already accepted it whole: the
    /// server re-reads a published certificate this way on every request.
    public func liveReport(of certificate: OriginCertificate, against live: any LiveLedger) -> CertificateReport {
        var report = CertificateReport()
        report.lot = certificate.lot
        report.recallStatusAtSize = (try? openCheckpoint(certificate).checkpoint.size) ?? 0
        liveChecks(of: certificate, against: live, into: &report)
        return report
    }
}
