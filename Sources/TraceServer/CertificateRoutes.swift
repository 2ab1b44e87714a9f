import CanonicalJSON
import Foundation
import HTTPTypes
import Hummingbird
import TraceCertificates
import TraceCrypto
import TraceDomain
import TraceLedger

/// `/v1/lots/{code}/certificate`: origin certificates an exporter published. Anyone gets the
/// redacted one; only a request signed by the exporter holding the lot gets the one with its
/// farmers' names, or a draft to sign. The server never signs a certificate: it hands the
/// exporter a draft, and keeps what comes back only if it verifies.
struct CertificateRoutes: Sendable {
    let host: LedgerHost
    let writes: WriteRoutes

    func add(to router: Router<ServerContext>) {
        router.get("/v1/lots/:code/certificate") { request, context in
            try get(request, code: try context.parameters.require("code"))
        }
    }

    /// Adds the publishing route to `router`: the write-limited group.
    func addWrites(to router: some RouterMethods<ServerContext>) {
        router.put("/v1/lots/:code/certificate") { request, context in
            try await put(request, code: try context.parameters.require("code"))
        }
    }

    /// The exporter holding `code` when `request` is signed by its current key, else nil.
    private func holder(_ request: Request, code: String, chain: SupplyChain) throws -> (PartyRecord, VerifierKey)? {
        guard
            let key = try SignedRequest.signer(
                origin: chain.ledger.metadata.origin, method: request.method.rawValue, target: request.uri.description,
                header: { name in HTTPField.Name(name).flatMap { request.headers[$0] } })
        else { return nil }
        guard let lot = chain.state.lot(code) else { throw DomainError(.unknownLot, "there is no lot \(code)") }
        guard let party = chain.state.parties[lot.custodian], party.roles.contains(.exporter),
            party.keys.contains(where: { $0.vkey == key.description && $0.until == nil })
        else {
            throw Problem(
                .forbidden, CertificateError.Code.notExporter.rawValue,
                "Trace-Key: \(key.name) is not the current key of the exporter holding lot \(lot.code)")
        }
        return (party, key)
    }

    private func get(_ request: Request, code: String) throws -> Response {
        let draft = request.uri.queryParameters["draft"].map(String.init)
        let answer = try host.read { chain -> JSONValue in
            let exporter = try holder(request, code: code, chain: chain)
            if let draft {
                guard draft == "full" || draft == "redacted" else {
                    throw Problem(.badRequest, "request.bad_query", "draft: \"\(draft.prefix(20))\" is not full or redacted")
                }
                guard let (party, key) = exporter else {
                    throw Problem(
                        .unauthorized, CertificateError.Code.badRequestSignature.rawValue,
                        "a draft is only for the exporter holding the lot: sign the request (Trace-Key, Trace-Time, Trace-Signature)"
                    )
                }
                var issuer = CertificateIssuer(chain: chain)
                issuer.cosigned = host.published
                return try issuer.draft(
                    lot: code, exporter: party, key: key, redact: draft == "redacted"
                )
                .unsignedJSON
            }
            guard chain.state.lot(code) != nil else { throw DomainError(.unknownLot, "there is no lot \(code)") }
            let redacted = exporter == nil
            guard let bytes = try CertificateStore.load(lot: code, redacted: redacted, in: chain.ledger.store) else {
                throw Problem(
                    .notFound, "certificate.not_published",
                    "lot \(code.uppercased()) has no \(redacted ? "published " : "")certificate; its exporter publishes one with `trace certificate issue \(code.uppercased()) --server URL`"
                )
            }
            // Published once, checked again on every read: a recall or a revoked key since
            // withdraws it.
            let certificate = try OriginCertificate(bytes: bytes)
            try Self.stillStands(certificate, chain: chain)
            return certificate.json
        }
        // A person's name must never sit in a shared cache: only the redacted answer is public.
        return try Answer.json(answer, caching: .none, request: request)
    }

    /// Refuses a certificate the live ledger has overtaken, by the same live checks as `trace
    /// certificate verify --ledger/--server`: a lot of its lineage recalled since (409), or the
    /// ledger forked, or the exporter's key revoked or replaced since (410).
    static func stillStands(_ certificate: OriginCertificate, chain: SupplyChain) throws {
        let report = CertificateVerifier(operatorKey: chain.ledger.metadata.operatorKey).liveReport(
            of: certificate, against: chain)
        switch report.verdict.state {
        case .verified: return
        case .recalled:
            let detail = report.checks.first { $0.name == .recall && !$0.passed }?.detail ?? ""
            throw Problem(.conflict, CertificateError.Code.recalled.rawValue, "the certificate is withdrawn: recall: \(detail)")
        case .notVerified:
            let failure = report.firstFailure.map { "\($0.name.rawValue): \($0.detail)" } ?? ""
            throw Problem(.gone, CertificateError.Code.notVerified.rawValue, "the certificate is withdrawn: \(failure)")
        }
    }

    private func put(_ request: Request, code: String) async throws -> Response {
        try WriteRoutes.requireJSON(request)
        let bytes = try await writes.body(request)
        let certificate: OriginCertificate
        do { certificate = try OriginCertificate(bytes: bytes) } catch {
            throw Problem(.badRequest, error.code.rawValue, error.message)
        }
        guard certificate.lot.uppercased() == code.uppercased() else {
            throw Problem(.badRequest, "request.wrong_lot", "the certificate is for lot \(certificate.lot), not \(code)")
        }
        // The offline checks (every proof and signature of up to a megabyte of entries) run
        // without the ledger's lock, so they hold up no write and no buyer's page.
        let operatorKey = try host.read { $0.ledger.metadata.operatorKey }
        let offline = CertificateVerifier(operatorKey: operatorKey).verify(certificate)
        let body = try host.read { chain -> JSONValue in
            if let failure = offline.firstFailure {
                throw Problem(
                    .unprocessableContent, CertificateError.Code.notVerified.rawValue,
                    "the certificate does not verify: \(failure.name.rawValue): \(failure.detail)")
            }
            // A certificate that verified carries its opened checkpoint.
            guard let checkpoint = offline.content?.checkpoint else { throw Problem.internalError }
            guard checkpoint.origin == chain.ledger.metadata.origin else {
                throw Problem(
                    .unprocessableContent, CertificateError.Code.notVerified.rawValue,
                    "the certificate is for the ledger \(checkpoint.origin), not \(chain.ledger.metadata.origin)")
            }
            try Self.stillStands(certificate, chain: chain)
            let size = checkpoint.size
            try host.requireWritable()
            try CertificateStore.save(
                try certificate.encoded(), lot: code, redacted: certificate.redacted, checkpointSize: size, in: chain.ledger.store
            )
            host.logPublished(certificate, checkpointSize: size)
            return [
                "lot": .string(certificate.lot), "redacted": .bool(certificate.redacted), "checkpointSize": .number(Double(size)),
            ]
        }
        return try Answer.json(body, status: .created, caching: .none, request: request)
    }
}
