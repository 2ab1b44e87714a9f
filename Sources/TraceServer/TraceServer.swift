import Foundation
import Hummingbird
import Logging
import NIOCore
import TraceCrypto
import TraceLedger

/// `trace serve`: the HTTP API over one ledger, and the buyer's page. It stops cleanly on
/// SIGTERM or SIGINT: requests in flight finish, then the process exits.
public enum TraceServer {
    /// Runs until a termination signal; `listening` is called with the bound address once the
    /// server accepts connections.
    public static func run(_ configuration: ServerConfiguration, listening: @escaping @Sendable (String) -> Void) async throws {
        var logger = Logger(label: "trace.serve")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
        let operatorKey = try configuration.operatorKeyPath.map { try PrivateKey(contentsOfFile: $0) }
        let publicURL = configuration.publicURL ?? "http://\(configuration.host):\(configuration.port)"
        let signed = configuration.signedCheckpointPath.map(SignerState.init(path:))
        let host = try LedgerHost(
            path: configuration.ledgerPath, operatorKey: operatorKey, publicURL: publicURL, signerState: signed)
        let router = Router(context: ServerContext.self)
        router.add(middleware: ProblemMiddleware())
        let writes = WriteRoutes(
            host: host, limiter: WriteRateLimiter(perSecond: configuration.writesPerSecond, burst: configuration.writeBurst),
            configuration: configuration)
        writes.add(to: router)
        CertificateRoutes(host: host, writes: writes).add(to: router)
        ReadRoutes(host: host).add(to: router)
        BuyerRoutes(host: host).add(to: router)
        StatsRoutes(host: host).add(to: router)
        TileRoutes(source: try TileSource(path: configuration.ledgerPath, readOnly: host.fullDisk != nil)).add(to: router)
        let app = Application(
            router: router,
            // A connection that sends nothing for a minute is closed, and so is one whose request
            // headers or body take longer than their limits (a client trickling bytes), so idle,
            // stalled or slow clients cannot hold the server's connections for ever.
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [
                        MalformedRequests(),
                        RequestDeadlines(
                            headerLimit: .nanoseconds(Int64(configuration.headerTimeout * 1e9)),
                            bodyLimit: .nanoseconds(Int64(configuration.bodyTimeout * 1e9))),
                    ], idleTimeout: .seconds(60))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                // Without --public-url, links point at the address actually bound (not port 0).
                if configuration.publicURL == nil { host.setPublicURL("http://\(configuration.host):\(port)") }
                listening("http://\(configuration.host):\(port)")
            },
            logger: logger)
        try await app.runService()
    }
}
