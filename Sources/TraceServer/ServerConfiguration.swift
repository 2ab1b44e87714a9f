/// What `trace serve` is told: where the ledger is, where to listen, and its limits.
public struct ServerConfiguration: Sendable {
    /// The ledger file.
    public var ledgerPath: String
    /// The address to bind; loopback unless told otherwise.
    public var host = "127.0.0.1"
    /// The port; 0 picks a free one (the chosen port is printed).
    public var port = 8080
    /// The base URL buyers reach this server at, used in GS1 Digital Links; defaults to http://HOST:PORT.
    public var publicURL: String?
    /// The operator's private key file: when given, the server signs a checkpoint after each
    /// write, so every answer carries a proof against a signed checkpoint.
    public var operatorKeyPath: String?
    /// The operator's record of the last checkpoint it signed (beside its key file): a signing
    /// server refuses to start on a ledger behind or forked from it; a read-only one reports its lag.
    public var signedCheckpointPath: String?
    /// The largest request body accepted, in bytes.
    public var maxBodyBytes = 1 << 20
    /// The most events one batch may carry.
    public var maxBatchEvents = 1000
    /// The deepest JSON nesting accepted in a request.
    public var maxJSONDepth = 32
    /// Sustained writes per second allowed to one client address, and the burst above it.
    public var writesPerSecond = 20.0
    public var writeBurst = 100
    /// Seconds a client has to send a request's headers (from connecting, or from the end of the
    /// previous answer) and then its body; a connection past either is closed (slow clients).
    public var headerTimeout = 10.0
    public var bodyTimeout = 30.0
    /// Witnesses (C2SP tlog-witness URL prefixes) each new checkpoint is sent to for cosigning.
    public var witnessURLs: [String] = []
    /// The witnesses' verifier keys (type 0x04) the buyer's page embeds for the browser's check.
    public var witnessKeys: [String] = []
    /// Serve reads only (a hot standby of a PostgreSQL ledger, say): the store is opened read-only,
    /// no checkpoint is signed, and every write is refused with a problem naming `primaryURL`.
    public var readOnly = false
    /// Where writes go when this server is read-only.
    public var primaryURL: String?
    /// Seconds between looks at the primary's latest signed checkpoint, to report this replica's lag.
    public var primaryCheckInterval = 15.0
    /// Log each entry written and each certificate published (docs/OPERATIONS.md); tests that
    /// drive the application in-process turn it off to keep their output readable.
    public var logWrites = true

    public init(ledgerPath: String) { self.ledgerPath = ledgerPath }
}
