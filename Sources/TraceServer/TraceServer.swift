import Foundation
public import Hummingbird
import Logging
import NIOCore
import TraceCrypto
public import TraceLedger
import TraceLedgerSQLite
import TraceLedgerStores

/// `trace serve`: the HTTP API over one ledger, and the buyer's page. It stops cleanly on
/// SIGTERM or SIGINT: requests in flight finish, then the process exits.
public enum TraceServer {
    /// Runs until a termination signal; `listening` is called with the bound address once the
    /// server accepts connections.
    public static func run(_ configuration: ServerConfiguration, listening: @escaping @Sendable (String) -> Void) async throws {
        try await makeApplication(configuration: configuration, listening: listening).runService()
    }

    /// The whole application over the ledger at `configuration.ledgerPath` (a SQLite file or a postgres:// URL). Reads of the
    /// committed size and of tiles go through a second connection, which a write in progress
    /// does not block.
    public static func makeApplication(
        configuration: ServerConfiguration, listening: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        // On a disk too full to open the ledger for writing, the server still starts, read-only.
        let location = try LedgerLocation(configuration.ledgerPath)
        if configuration.readOnly {
            return try makeApplication(
                configuration: configuration, store: location.openStore(readOnly: true),
                readStore: location.openStore(readOnly: true), fullDisk: nil, listening: listening)
        }
        let (store, fullDisk) = try LedgerHost.openForServing(location)
        return try makeApplication(
            configuration: configuration, store: store,
            readStore: location.openStore(readOnly: fullDisk != nil, concurrentReads: true),
            fullDisk: fullDisk,
            listening: listening)
    }

    /// The whole application over `store`: its routes, middleware and limits, ready to run
    /// (`runService()`) or to test in-process. `readStore`, when given, answers size and tile
    /// reads (a second connection to the same ledger); else `store` does.
    public static func makeApplication(
        configuration: ServerConfiguration, store: any LedgerStore, readStore: (any LedgerStore)? = nil,
        listening: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        try makeApplication(configuration: configuration, store: store, readStore: readStore, fullDisk: nil, listening: listening)
    }

    /// The application, refusing every write with 507 when `fullDisk` says why.
    static func makeApplication(
        configuration: ServerConfiguration, store: any LedgerStore, readStore: (any LedgerStore)?, fullDisk: String?,
        listening: @escaping @Sendable (String) -> Void
    ) throws -> some ApplicationProtocol {
        var logger = Logger(label: "trace.serve")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
        // A read-only server signs nothing: the primary's checkpoints are the ones it serves.
        let operatorKey =
            configuration.readOnly ? nil : try configuration.operatorKeyPath.map { try PrivateKey(contentsOfFile: $0) }
        let publicURL = configuration.publicURL ?? "http://\(configuration.host):\(configuration.port)"
        let signed = configuration.signedCheckpointPath.map(SignerState.init(path:))
        let reader = try Ledger(store: readStore ?? store)
        let host = try LedgerHost(
            ledger: Ledger(store: store), probe: reader, ledgerPath: configuration.ledgerPath, operatorKey: operatorKey,
            publicURL: publicURL, signerState: signed, witnessURLs: configuration.witnessURLs,
            witnessKeys: try configuration.witnessKeys.map(CosignerKey.init), fullDisk: fullDisk,
            readOnly: configuration.readOnly ? LedgerHost.readOnlyReason(primary: configuration.primaryURL) : nil,
            writeLog: configuration.logWrites
                ? LedgerHost.defaultWriteLog : Logger(label: "trace.serve.writes") { _ in SwiftLogNoOpLogHandler() })
        // A replica told where its primary is watches how far behind it is (/readyz, /metrics).
        let watch =
            configuration.readOnly
            ? configuration.primaryURL.map {
                PrimaryWatch(
                    primary: $0, interval: .milliseconds(Int64(configuration.primaryCheckInterval * 1000)), ledger: reader)
            } : nil
        watch?.start()
        // On a store servers share, the one holding the signer lease signs what the others append.
        host.leadWhileRunning()
        let router = Router(context: ServerContext.self)
        router.add(middleware: MetricsMiddleware(metrics: host.metrics))
        router.add(middleware: ProblemMiddleware(metrics: host.metrics))
        let writes = WriteRoutes(host: host, configuration: configuration)
        // One write limit for every write route: events and certificates alike.
        let writeRoutes = router.group()
            .add(
                middleware: WriteLimit(
                    limiter: WriteRateLimiter(perSecond: configuration.writesPerSecond, burst: configuration.writeBurst)))
        writes.add(to: writeRoutes)
        let certificates = CertificateRoutes(host: host, writes: writes)
        certificates.add(to: router)
        certificates.addWrites(to: writeRoutes)
        ReadRoutes(host: host).add(to: router)
        HealthRoutes(host: host, watch: watch).add(to: router)
        MetricsRoutes(host: host, watch: watch).add(to: router)
        BuyerRoutes(host: host).add(to: router)
        StatsRoutes(host: host).add(to: router)
        WitnessRoutes(cosigned: host.cosigned).add(to: router)
        ClerkRoutes(host: host).add(to: router)
        router.get("/verify.js") { request, _ in
            Answer.bytes(
                Array(BrowserCheck.script.utf8), type: "text/javascript; charset=utf-8", caching: .revalidate, request: request)
        }
        TileRoutes(source: TileSource(ledger: reader, cosigned: host.cosigned)).add(to: router)
        EPCISRoutes(host: host).add(to: router)
        MethodNotAllowed.add(to: router)
        return Application(
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
    }
}
