import Foundation
import HTTPTypes
import Hummingbird
import TraceDomain
import TraceLedger

/// The buyer's page: `/lot/{code}`, the GS1 Digital Link `/01/{gtin}/10/{lot}` a pack's QR code
/// holds, and `/lot?code=` for the look-up box.
struct BuyerRoutes: Sendable {
    let host: LedgerHost

    func add(to router: Router<ServerContext>) {
        router.get("/lot/:code") { request, context in
            try page(request, code: try context.parameters.require("code"), gtin: nil)
        }
        router.get("/01/:gtin/10/:lot") { request, context in
            try page(request, code: try context.parameters.require("lot"), gtin: try context.parameters.require("gtin"))
        }
        router.get("/") { request, _ in home(request) }
        router.get("/lot") { request, _ in
            let code = String(request.uri.queryParameters["code"] ?? "").trimmingCharacters(in: .whitespaces)
            // An empty search (or `/lot/`) shows the look-up box: redirecting it to `/lot/` would loop.
            guard !code.isEmpty else { return home(request) }
            // Only a language we speak goes back into the Location header, never the raw query.
            let lang =
                request.uri.queryParameters["lang"].flatMap { BuyerLanguage(rawValue: String($0)) }.map { "?lang=\($0.rawValue)" }
                ?? ""
            let target = "/lot/" + (code.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-"])) ?? "") + lang
            return Response(status: .seeOther, headers: [.location: target, .cacheControl: "no-store"])
        }
    }

    /// The home page: what the ledger is for, and the look-up box.
    private func home(_ request: Request) -> Response {
        let language = BuyerLanguage(
            query: request.uri.queryParameters["lang"].map(String.init), acceptLanguage: request.headers[.acceptLanguage])
        return Answer.bytes(
            Array(BuyerPage.home(language: language, path: request.uri.path).utf8), type: "text/html; charset=utf-8",
            caching: .revalidate, request: request, headers: [.vary: "Accept-Language", .contentLanguage: language.rawValue])
    }

    private func page(_ request: Request, code: String, gtin: String?) throws -> Response {
        let language = BuyerLanguage(
            query: request.uri.queryParameters["lang"].map(String.init), acceptLanguage: request.headers[.acceptLanguage])
        let path = request.uri.path
        let sizes = try host.committedSizes()
        let key = "page|\(language.rawValue)|\(path)|\(sizes.checkpoint)|\(host.cosignatureMark(size: sizes.checkpoint))"
        let answer = try host.cached(key, committed: sizes.entries) { chain -> LedgerHost.Cached in
            guard let lineage = try? host.lineage(code, in: chain), gtin == nil || lineage.root.export?.gtin == gtin else {
                return LedgerHost.Cached(
                    bytes: Array(BuyerPage.notFound(code: code, language: language, path: path).utf8), found: false)
            }
            let verdict = LotVerifier(chain: chain).verdict(lot: lineage.root.code.text)
            let page = host.withBrowserCheck(
                try BuyerPage(
                    lineage: lineage, verdict: verdict, ledgerSize: try chain.ledger.size(), language: language, path: path
                ).render(), lot: lineage.root.code.text, chain: chain)
            return LedgerHost.Cached(bytes: Array(page.utf8), found: true, lots: LedgerHost.lots(lineage))
        }
        return Answer.bytes(
            answer.bytes, type: "text/html; charset=utf-8", status: answer.found ? .ok : .notFound, caching: .revalidate,
            request: request,
            headers: [.vary: "Accept-Language", .contentLanguage: language.rawValue], tag: answer.tag)
    }
}
