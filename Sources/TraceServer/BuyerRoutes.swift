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
        router.get("/lot") { request, _ in
            let code = String(request.uri.queryParameters["code"] ?? "").trimmingCharacters(in: .whitespaces)
            // Only a language we speak goes back into the Location header, never the raw query.
            let lang =
                request.uri.queryParameters["lang"].flatMap { BuyerLanguage(rawValue: String($0)) }.map { "?lang=\($0.rawValue)" }
                ?? ""
            let target = "/lot/" + (code.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-"])) ?? "") + lang
            return Response(status: .seeOther, headers: [.location: target, .cacheControl: "no-store"])
        }
    }

    private func page(_ request: Request, code: String, gtin: String?) throws -> Response {
        let language = BuyerLanguage(
            query: request.uri.queryParameters["lang"].map(String.init), acceptLanguage: request.headers[.acceptLanguage])
        let path = request.uri.path
        let answer = try host.cached("page|\(language.rawValue)|\(path)") { chain -> LedgerHost.Cached in
            guard let lineage = try? host.lineage(code, in: chain), gtin == nil || lineage.root.export?.gtin == gtin else {
                return LedgerHost.Cached(
                    bytes: Array(BuyerPage.notFound(code: code, language: language, path: path).utf8), found: false)
            }
            let verdict: BuyerPage.Verdict
            let size = try chain.ledger.size()
            do {
                let result = try LotVerifier(chain: chain).verify(lot: lineage.root.code.text)
                verdict = BuyerPage.Verdict(
                    ok: result.ok, reason: result.failure?.reason, entriesChecked: result.entries.count,
                    checkpointSize: result.checkpoint.size, ledgerSize: size)
            } catch let error as DomainError {
                verdict = BuyerPage.Verdict(
                    ok: false, reason: error.message, entriesChecked: 0, checkpointSize: 0, ledgerSize: size)
            }
            let page = try BuyerPage(lineage: lineage, verdict: verdict, language: language, path: path).render()
            return LedgerHost.Cached(bytes: Array(page.utf8), found: true, lots: LedgerHost.lots(lineage))
        }
        return Answer.bytes(
            answer.bytes, type: "text/html; charset=utf-8", status: answer.found ? .ok : .notFound, caching: .revalidate,
            request: request,
            headers: [.vary: "Accept-Language", .contentLanguage: language.rawValue])
    }
}
