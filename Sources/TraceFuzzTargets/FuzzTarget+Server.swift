import HTTPTypes
import Hummingbird
import TraceDomain
import TraceLedger
import TraceServer

extension FuzzTarget {
    /// What `trace serve` reads from a request line: the path and query (strict numbers, the
    /// statistics filter, a label's GTIN, the buyer's language, tile paths). The first line is the request target, the second an
    /// Accept-Language header.
    static let query = FuzzTarget(name: "query") { bytes in
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", maxSplits: 1)
        let target = lines.first.map(String.init) ?? ""
        let request = Request(
            head: HTTPRequest(method: .get, scheme: "http", authority: "127.0.0.1", path: target),
            body: RequestBody(buffer: ByteBuffer()))
        for name in ["entry", "start", "limit", "from", "size"] {
            if let value = try? ReadRoutes.optionalNumber(request, name) {
                try require(value <= UInt64(Int64.max), "\(name)=\(value) is past the largest SQLite integer")
            }
        }
        let q = request.uri.queryParameters
        _ = try? StatsFilter(crop: q["crop"].map(String.init), from: q["from"].map(String.init), to: q["to"].map(String.init))
        if let gtin = q["gtin"] { _ = try? GS1.gtin14(String(gtin), field: "gtin") }
        _ = BuyerLanguage(
            query: request.uri.queryParameters["lang"].map(String.init),
            acceptLanguage: lines.dropFirst().first.map(String.init))
        if let tile = Tile(path: String(request.uri.path.drop { $0 == "/" })) {
            try require(Tile(path: tile.path) == tile, "tile \(tile.path) does not survive its own path")
        }
    }
}
