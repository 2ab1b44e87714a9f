import CanonicalJSON
import Foundation
import HTTPTypes
import Hummingbird
import TraceCertificates
import TraceCrypto
import TraceDomain
import TraceLedger

/// The clerk's app at `/app` (its page, script, service worker and the message catalogue), the
/// look-ups it and `trace party|plot|lot list --server` read, and label QR codes. Reads only: the
/// app signs on the device and writes through `POST /v1/events` like any client.
struct ClerkRoutes: Sendable {
    let host: LedgerHost

    func add(to router: Router<ServerContext>) {
        router.get("/app") { request, _ in asset(ClerkAppPage.html, type: "text/html; charset=utf-8", request) }
        router.get("/app/app.js") { request, _ in asset(ClerkAppScript.source, type: "text/javascript; charset=utf-8", request) }
        router.get("/app/sw.js") { request, _ in
            // A service worker's scope is its folder: served from /app/ it controls the app.
            asset(ClerkAppWorker.source, type: "text/javascript; charset=utf-8", request)
        }
        router.get("/app/manifest.webmanifest") { request, _ in
            asset(ClerkAppPage.manifest, type: "application/manifest+json", request)
        }
        router.get("/app/messages.json") { request, _ in
            try Answer.json(MessageCatalogue.json, caching: .revalidate, request: request)
        }
        router.get("/app/qr/:code") { request, context in
            let code = try context.parameters.require("code")
            let lot = try LotCode(code.hasSuffix(".svg") ? String(code.dropLast(4)) : code, field: "code")
            let gtin = request.uri.queryParameters["gtin"].map(String.init)
            // The printed label is the buyer's anchor: its URL names the (genesis) operator key and the witnesses.
            let operatorKey = try host.read { $0.ledger.metadata.operatorKey.description }
            let svg = try LotLabel.svg(
                base: host.publicURL, lot: lot.text, gtin: gtin.map { try GS1.gtin14($0, field: "gtin") },
                operatorKey: operatorKey,
                witnessKeys: host.witnessKeys.map(\.description))
            return Answer.bytes(Array(svg.utf8), type: "image/svg+xml", caching: .revalidate, request: request)
        }
        router.get("/v1/parties") { request, _ in
            try list(request, "parties") { $0.partyList() }
        }
        router.get("/v1/plots") { request, _ in
            let farm = request.uri.queryParameters["farm"].map(String.init)
            return try list(request, "plots") { $0.plotList(farm: farm) }
        }
        router.get("/v1/lots") { request, _ in
            let holder = request.uri.queryParameters["holder"].map(String.init)
            let farm = request.uri.queryParameters["farm"].map(String.init)
            return try list(request, "lots") { $0.lotList(holder: holder, farm: farm) }
        }
    }

    private func list(_ request: Request, _ field: String, _ shape: @escaping (StatsRecords) -> [JSONValue]) throws -> Response {
        let body = try host.read { chain -> JSONValue in
            let records = try chain.allRecords()
            return [field: .array(shape(records)), "size": .number(Double(records.size))]
        }
        return try Answer.json(body, caching: .revalidate, request: request)
    }

    /// A static part of the app; no-cache with an ETag, so a new release reaches clerks at once
    /// while an unchanged one costs a 304.
    private func asset(_ text: String, type: String, _ request: Request) -> Response {
        Answer.bytes(
            Array(text.utf8), type: type, caching: .revalidate, request: request,
            headers: [
                .contentSecurityPolicy:
                    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; worker-src 'self'",
                .init("Service-Worker-Allowed")!: "/app",
            ])
    }
}
