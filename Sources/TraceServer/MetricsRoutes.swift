import Hummingbird
import NIOCore

/// `GET /metrics`: the Prometheus text exposition. The ledger's gauges (size, checkpoint, its
/// age, a replica's lag) are read when scraped; counters and latencies accumulate as requests come.
struct MetricsRoutes: Sendable {
    let host: LedgerHost
    let watch: PrimaryWatch?

    func add(to router: Router<ServerContext>) {
        router.get("/metrics") { _, _ in
            let metrics = host.metrics
            // A ledger that cannot be read leaves the gauges as last read; /readyz says why.
            if let size = try? host.committedSize(), let signed = try? host.checkpointSize() {
                metrics.setLedger(size: size, checkpoint: signed, checkpointAge: try? host.checkpointAge())
            }
            if let watch { metrics.setLag(watch.last) }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(
                status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
    }
}
