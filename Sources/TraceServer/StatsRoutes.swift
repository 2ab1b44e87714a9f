import CanonicalJSON
import Foundation
import Hummingbird
import TraceCrypto
import TraceDomain
import TraceLedger

/// `/stats`, the programme's dashboard, and `/v1/stats`, the same figures as `trace stats --json`;
/// both filtered by `crop`, `from` and `to` (YYYY-MM), cached until the ledger grows.
struct StatsRoutes: Sendable {
    let host: LedgerHost

    func add(to router: Router<ServerContext>) {
        router.get("/stats") { request, _ in try page(request) }
        router.get("/v1/stats") { request, _ in try json(request) }
    }

    private func filter(_ request: Request) throws -> StatsFilter {
        let q = request.uri.queryParameters
        return try StatsFilter(crop: q["crop"].map(String.init), from: q["from"].map(String.init), to: q["to"].map(String.init))
    }

    private func key(_ filter: StatsFilter) -> String { "\(filter.crop ?? "")|\(filter.from ?? "")|\(filter.to ?? "")" }

    private func json(_ request: Request) throws -> Response {
        let filter = try filter(request)
        let cacheKey = "stats.json|" + key(filter)
        let answer =
            try host.statsCached(cacheKey) { aggregate, root in
                LedgerHost.Cached(bytes: try CanonicalJSON.encode(try aggregate.stats(filter, root: root).json), found: true)
            }
            ?? host.cached(cacheKey) { chain in
                LedgerHost.Cached(bytes: try CanonicalJSON.encode(try chain.stats(filter).json), found: true)
            }
        return Answer.bytes(answer.bytes, type: "application/json", caching: .revalidate, request: request, tag: answer.tag)
    }

    private func page(_ request: Request) throws -> Response {
        let language = BuyerLanguage(
            query: request.uri.queryParameters["lang"].map(String.init), acceptLanguage: request.headers[.acceptLanguage])
        let path = request.uri.path
        let filter: StatsFilter
        do { filter = try self.filter(request) } catch let error as DomainError {
            return Answer.bytes(
                Array(StatsPage.refused(error, language: language, path: path).utf8), type: "text/html; charset=utf-8",
                status: .badRequest, caching: .revalidate, request: request)
        }
        func render(_ stats: () throws -> Stats, crops: [String], plots: [PlotRecord], plotCount: Int?) throws
            -> LedgerHost.Cached
        {
            do {
                let page = StatsPage(
                    stats: try stats(), crops: crops, plots: plots, language: language, path: path, plotCount: plotCount
                ).render()
                return LedgerHost.Cached(bytes: Array(page.utf8), found: true)
            } catch let error as DomainError where error.code == .tooFewFarms {
                return LedgerHost.Cached(
                    bytes: Array(StatsPage.refused(error, language: language, path: path).utf8), found: false)
            }
        }
        let cacheKey = "stats|\(language.rawValue)|" + key(filter)
        let answer =
            try host.statsCached(cacheKey, plotsOf: filter) { aggregate, root in
                try render(
                    { try aggregate.stats(filter, root: root) }, crops: try aggregate.stats(root: root).rows("crop").map(\.label),
                    plots: aggregate.plots, plotCount: aggregate.plotCount(filter))
            }
            ?? host.cached(cacheKey) { chain -> LedgerHost.Cached in
                // No index in step with the ledger: every record, from a replay.
                let records = try chain.allRecords()
                let root = try chain.ledger.root(size: records.size).hex
                return try render(
                    { try Stats(records, root: root, filter: filter) },
                    crops: try Stats(records, root: root).rows("crop").map(\.label),
                    plots: records.plots.filter { filter.crop == nil || $0.crop.lowercased() == filter.crop!.lowercased() },
                    plotCount: nil)
            }
        return Answer.bytes(
            answer.bytes, type: "text/html; charset=utf-8", status: answer.found ? .ok : .unprocessableContent,
            caching: .revalidate, request: request, headers: [.vary: "Accept-Language", .contentLanguage: language.rawValue],
            tag: answer.tag)
    }
}
