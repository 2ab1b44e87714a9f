import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCertificates
import TraceClient
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceLedgerSQLite
import TraceLedgerStores

/// `trace certificate issue` and `trace certificate verify`: origin certificates a buyer checks offline.
struct CertificateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certificate",
        abstract: "Issue an origin certificate for an export lot, or check one offline.",
        subcommands: [Issue.self, Verify.self]
    )

    /// Where the QR code points: --public-url, else $TRACE_PUBLIC_URL.
    struct PublicURL: ParsableArguments {
        @Option(
            name: .customLong("public-url"),
            help: "The ledger server's public address for the QR code (default: $TRACE_PUBLIC_URL), like https://trace.example.vn"
        )
        var publicURL: String?

        func base() throws -> String {
            guard let text = publicURL ?? ProcessInfo.processInfo.environment["TRACE_PUBLIC_URL"] else {
                throw CLIFailure.input(
                    "error: --public-url: the QR code needs the server's public address; pass --public-url URL")
            }
            // Rebuilt from its parsed parts, so nothing but a scheme, host, port and path reaches the page.
            guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
                ["https", "http"].contains(scheme),
                let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil, url.user == nil,
                host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }),
                url.percentEncodedPath.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._~/%".contains($0)) })
            else {
                throw CLIFailure.input(
                    "error: --public-url: \"\(text)\" is not a plain http(s) address like https://trace.example.vn")
            }
            return "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")\(url.percentEncodedPath)"
        }
    }

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "issue",
            abstract: "The exporter holding LOT writes its origin certificate: the lot's whole story with proofs, signed.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The export lot's code.") var lot: String
        @Option(help: "Where to write the certificate (JSON).") var out: String
        @Option(help: "Also write the printable A4 certificate (HTML) here.") var html: String?
        @OptionGroup var publicURL: PublicURL
        @Option(help: "The exporter's private key (default: $TRACE_KEY).") var key: String?
        @Flag(help: "Disclose the member farmers' names (with their salts) for an EU due diligence statement.")
        var discloseNames = false
        @Flag(name: .customLong("redact"), help: "Leave every personal value out: the default, kept for scripts that pass it.")
        var redactFlag = false
        /// Names are left out unless the exporter asks for them.
        var redact: Bool { !discloseNames }
        @Option(help: "With --server: the operator verifier key you trust (default: the one the server's genesis entry names).")
        var `operator`: String?
        /// The witnesses whose fingerprints the QR code carries (`w=`); the certificate then carries
        /// the newest checkpoint they cosigned.
        @OptionGroup var witnesses: WitnessOptions

        func run() throws {
            guard let signer = try options.signingKey(key, fallback: nil) else {
                throw CLIFailure.input("error: --key: the exporter's key is needed; pass --key FILE or set TRACE_KEY")
            }
            let policy = try witnesses.policy()
            let base = try html.map { _ in try publicURL.base() }
            if let remote = options.remote {
                return try publish(through: remote, key: signer.key, base: base, policy: policy)
            }
            let chain = try SupplyChain(ledger: options.open())
            var issuer = CertificateIssuer(chain: chain)
            let cosigned = CosignedCheckpoints(besideLedger: options.path)
            issuer.cosigned = cosigned.withCosignatures
            if let policy { issuer.checkpoint = try Self.witnessed(policy, chain: chain, cosigned: cosigned) }
            let certificate = try issuer.issue(lot: lot, key: signer.key, redact: redact)
            try CertificateFiles.write(try certificate.encoded(), to: out, field: "--out")
            let report = CertificateVerifier(operatorKey: chain.ledger.metadata.operatorKey).verify(certificate)
            guard report.ok else {
                throw CLIFailure.verification(
                    "error: the certificate just issued does not verify (\(report.firstFailure?.name.rawValue ?? "")): \(report.firstFailure?.detail ?? ""); run `trace verify`"
                )
            }
            if let html, let base, let content = report.content {
                let page = try CertificateHTML(
                    content: content, report: report, operatorKey: chain.ledger.metadata.operatorKey.description,
                    url: DigitalLink.url(
                        base: base, lot: content.lot.code.text, gtin: content.lot.export?.gtin,
                        operatorKey: chain.ledger.metadata.operatorKey.description,
                        witnessKeys: policy?.witnesses.map(\.description) ?? [])
                ).render()
                try CertificateFiles.write(Array(page.utf8), to: html, field: "--html")
            }
            if options.json {
                try Output.json([
                    "lot": .string(certificate.lot), "out": .string(out), "entries": .number(Double(certificate.entries.count)),
                    "disclosures": .number(Double(certificate.disclosures.count)), "redacted": .bool(redact),
                    "checkpointSize": .number(Double(report.content?.checkpoint.size ?? 0)),
                    "html": html.map { .string($0) } ?? .null,
                    "witnesses": .array((policy?.witnesses ?? []).map { .string($0.name) }),
                ])
            } else {
                print(
                    "wrote \(out): lot \(certificate.lot), \(Output.count(certificate.entries.count, "entry", "entries")) with proofs, "
                        + "\(Output.count(certificate.disclosures.count, "disclosed personal value", "disclosed personal values"))"
                        + (redact ? " (redacted)" : "") + ", signed by \(certificate.exporter)")
                if let html { print("wrote \(html): the printable certificate") }
            }
        }

        /// The newest checkpoint kept beside the ledger that the operator signed and a quorum of
        /// `policy`'s witnesses cosigned; refused naming the witnesses missing from the latest.
        static func witnessed(_ policy: WitnessPolicy, chain: SupplyChain, cosigned: CosignedCheckpoints) throws -> (
            checkpoint: Checkpoint, note: String
        ) {
            let keys = try chain.ledger.operatorKeys()
            if let found = policy.newest(of: cosigned.all().filter { (try? keys.open($0)) != nil }) { return found }
            let latest = try chain.ledger.latestCheckpoint().map { cosigned.withCosignatures($0.1) } ?? ""
            do { try policy.check(try SignedNote(parsing: latest)) } catch let error as LedgerError {
                throw CLIFailure.verification(
                    "error: --witness: no checkpoint meets the witness quorum, so none can be carried: \(error.message)")
            }
            throw CLIFailure.verification("error: --witness: no checkpoint meets the witness quorum")
        }
    }
}

extension CertificateCommand.Issue {
    /// With --server: the server drafts the full and the redacted certificate for the exporter
    /// holding the lot (a signed request), this machine checks and signs both (the key never
    /// leaves it), and the server publishes them: the redacted one for anyone, the full one for
    /// the exporter's own signed requests.
    func publish(through remote: RemoteLedger, key: PrivateKey, base: String?, policy: WitnessPolicy?) throws {
        let (_, keyName) = try remote.signer(for: key)
        let trusted: VerifierKey
        do { trusted = try `operator`.map { try VerifierKey($0) } ?? remote.operatorKey() } catch let error as CryptoError {
            throw CLIFailure.input("error: --operator: \(error.message)")
        }
        if `operator` == nil {
            Output.note("note: no --operator given: trusting the operator key the server's own genesis entry names")
        }
        // The signed requests name the ledger, so no other server can replay them here. The
        // origin is the operator key's name (FORMAT.md section 7), the same after a rotation.
        let origin = trusted.name
        let path = "/v1/lots/\(RemoteLedger.segment(lot))/certificate"
        var kept: (OriginCertificate, CertificateReport)?
        for redacted in [false, true] {
            let target = path + "?draft=" + (redacted ? "redacted" : "full")
            let draft = try OriginCertificate(
                bytes: try CanonicalJSON.encode(try remote.signedJSON(target, key: key, keyName: keyName, origin: origin)))
            // Sign only what was asked for: this lot, redacted or not as requested.
            guard draft.lot.uppercased() == lot.uppercased(), draft.redacted == redacted, draft.signature == nil else {
                throw CLIFailure.verification(
                    "error: --server: the server sent a draft for lot \(draft.lot) (redacted \(draft.redacted)), not the one asked for; nothing was signed"
                )
            }
            // The QR code will name these witnesses: the checkpoint must carry their quorum.
            if let policy {
                do { try policy.check(try SignedNote(parsing: draft.checkpoint)) } catch let error as LedgerError {
                    throw CLIFailure.verification(
                        "error: --witness: the server's draft carries a checkpoint without the quorum (\(error.message)); nothing was signed"
                    )
                }
            }
            let certificate = try CertificateIssuer.sign(draft, with: key)
            // Never sign for a server blindly: the draft must verify against the operator's key.
            let report = CertificateVerifier(operatorKey: trusted).verify(certificate)
            if let failure = report.firstFailure {
                throw CLIFailure.verification(
                    "error: --server: the server's draft does not verify (\(failure.name.rawValue): \(failure.detail)); nothing was signed or published"
                )
            }
            _ = try remote.put(path, body: try certificate.encoded())
            if redacted == redact { kept = (certificate, report) }
        }
        guard let (certificate, report) = kept else { return }
        try CertificateFiles.write(try certificate.encoded(), to: out, field: "--out")
        if let html, let base, let content = report.content {
            let page = try CertificateHTML(
                content: content, report: report, operatorKey: trusted.description,
                url: DigitalLink.url(
                    base: base, lot: content.lot.code.text, gtin: content.lot.export?.gtin, operatorKey: trusted.description,
                    witnessKeys: policy?.witnesses.map(\.description) ?? [])
            ).render()
            try CertificateFiles.write(Array(page.utf8), to: html, field: "--html")
        }
        if options.json {
            try Output.json([
                "lot": .string(certificate.lot), "out": .string(out), "entries": .number(Double(certificate.entries.count)),
                "published": true, "redacted": .bool(redact),
            ])
        } else {
            print(
                "wrote \(out): lot \(certificate.lot), \(Output.count(certificate.entries.count, "entry", "entries")) with proofs, signed by \(certificate.exporter)"
            )
            print(
                "published on \(remote.base): the redacted certificate for anyone, the full one for \(certificate.exporter)'s signed requests"
            )
        }
    }
}

extension CertificateCommand {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check a certificate offline against the operator's key; exits 1 naming the first failed check.",
            discussion:
                "With --server URL (or --ledger PATH) also checks that the ledger's current checkpoint extends the certificate's, so a forked ledger is caught."
        )

        @Argument(help: "The certificate file.") var file: String
        @Option(help: "The operator's verifier key you trust (name+hash+base64).") var `operator`: String
        @Option(help: "Also check consistency with this server's current checkpoint.") var server: String?
        @Option(help: "Also check consistency with this ledger file's current checkpoint.") var ledger: String?
        @Option(help: "Write the printable certificate (HTML) here.") var html: String?
        @OptionGroup var publicURL: PublicURL
        @Flag(help: "Print one JSON document instead of text.") var json = false
        @OptionGroup var witnesses: WitnessOptions

        func run() throws {
            let policy = try witnesses.policy()
            let trusted: VerifierKey
            do { trusted = try VerifierKey(`operator`) } catch let error as CryptoError {
                throw CLIFailure.input("error: --operator: \(error.message)")
            }
            let bytes: [UInt8]
            do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file))) } catch {
                throw CLIFailure.input("error: CERT: cannot read \(file): \(error.localizedDescription)")
            }
            let certificate = try OriginCertificate(bytes: bytes)
            // With --witness, the `witnesses` check: the certificate's checkpoint carries the quorum.
            let verifier = CertificateVerifier(operatorKey: trusted, witnesses: policy)
            var report = verifier.verify(certificate)
            if server != nil || ledger != nil {
                // The same live checks the server runs on a published certificate.
                let live: any LiveLedger
                do {
                    live =
                        try ledger.map { try SupplyChain(ledger: Ledger(at: LedgerLocation($0))) } ?? RemoteLedger(server ?? "")
                } catch {
                    live = Unopened(reason: CLIFailure.describe(error) ?? "\(error)")
                }
                verifier.liveChecks(of: certificate, against: live, into: &report)
            }
            let verdict = report.verdict
            if html != nil, !report.ok {
                Output.note("note: --html: no printable certificate is written for a certificate that does not verify")
            }
            if let html, report.ok, let content = report.content {
                let page = try CertificateHTML(
                    content: content, report: report, operatorKey: trusted.description,
                    url: DigitalLink.url(
                        base: try publicURL.base(), lot: content.lot.code.text, gtin: content.lot.export?.gtin,
                        operatorKey: trusted.description, witnessKeys: policy?.witnesses.map(\.description) ?? [])
                ).render()
                try CertificateFiles.write(Array(page.utf8), to: html, field: "--html")
            }
            if json {
                guard case .object(var out) = verdict.json else { return }
                out["lot"] = .string(certificate.lot)
                out["ok"] = .bool(verdict.state == .verified)
                out["checks"] = .array(
                    report.checks.map {
                        [
                            "check": .string($0.name.rawValue), "passed": .bool($0.passed), "detail": .string($0.detail),
                            "entry": $0.entry.map { .number(Double($0)) } ?? .null,
                        ]
                    })
                if let content = report.content, report.ok { out["origins"] = .array(content.origins.map(originJSON)) }
                try Output.json(.object(out))
            } else {
                for check in report.checks { print("\(check.passed ? "ok  " : "FAIL") \(check.name.rawValue): \(check.detail)") }
            }
            switch verdict.state {
            case .notVerified:
                throw CLIFailure.verification("NOT VERIFIED: lot \(certificate.lot): \(verdict.failure?.reason ?? "")")
            case .recalled:
                throw CLIFailure.verification(
                    (["RECALLED: lot \(certificate.lot) is authentic but under recall: do not accept it"]
                        + verdict.recallLines(vietnamese: false).map { "  " + $0 } + [
                            "  " + verdict.offlineNote(vietnamese: false)
                        ])
                        .joined(separator: "\n"))
            case .verified:
                break
            }
            if !json, let content = report.content {
                print("VERIFIED: lot \(content.lot.code) (\(content.lot.product), \(content.lot.produced.decimalString) kg)")
                print("  " + verdict.offlineNote(vietnamese: false))
                for o in content.origins {
                    print(
                        "  origin: lot \(o.lot.code), plot \(o.plot.id) of \(content.name(of: o.plot.farm)), \(content.name(of: o.plot.cooperative))"
                    )
                }
                for (lot, c) in content.certifications {
                    print(
                        "  certification: \(c.scheme)\(c.reference.map { " " + $0 } ?? "") by \(content.name(of: c.certifier)) on lot \(lot.code)"
                            + (c.validUntil.map { ", valid until \($0)" } ?? "")
                            + (content.expiredAtExport(c) ? " (EXPIRED before the export)" : ""))
                }
            }
        }

        private func originJSON(_ o: CertificateContent.Origin) -> JSONValue {
            [
                "lot": .string(o.lot.code.text), "plot": .string(o.plot.id), "farm": .string(o.plot.farm),
                "cooperative": .string(o.plot.cooperative), "harvested": .string(o.lot.harvested ?? ""),
                "producedKg": .string(o.lot.produced.decimalString),
            ]
        }
    }
}

/// A live ledger that could not be opened: every live check fails, naming why.
private struct Unopened: LiveLedger {
    let reason: String
    func consistency(from oldSize: UInt64) throws -> (note: String, proof: [Digest]) { throw CertificateError(.badInput, reason) }
    func keys(of party: String) throws -> (keys: [KeyRecord], size: UInt64) { throw CertificateError(.badInput, reason) }
    func lotVerification(_ lot: String, operatorKey: VerifierKey) throws -> LotVerification {
        throw CertificateError(.badInput, reason)
    }
}

/// Writing output files whole: a certificate is never left half-written.
enum CertificateFiles {
    static func write(_ bytes: [UInt8], to path: String, field: String) throws {
        do { try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw CLIFailure.input("error: \(field): cannot write \(path): \(error.localizedDescription)")
        }
    }
}
