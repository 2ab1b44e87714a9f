import CanonicalJSON
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOEmbedded
import Synchronization
import TestSupport
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceLedgerSQLite
import TraceServer

/// The whole application, built in this process by `TraceServer.makeApplication`, with each
/// request handed straight to its responder: no socket and no second process. Answers read as the
/// curl-based tests of the real binary read them.
///
/// Written here rather than taken from HummingbirdTesting: that module brings AsyncHTTPClient and
/// BoringSSL into the test build, which cost CI minutes for a driver of a few lines on Hummingbird's
/// public `responder`. Channel handlers (`MalformedRequests`, `RequestDeadlines`) sit below the
/// responder, so their tests keep the real binary.
struct AppClient: Sendable {
    let respond: @Sendable (Request) async throws -> Response

    /// Runs `body` against the application over `store`, configured as `configuration` says.
    static func test(
        _ configuration: ServerConfiguration, store: any LedgerStore, _ body: @Sendable (AppClient) async throws -> Void
    ) async throws {
        var configuration = configuration
        configuration.logWrites = false
        try await drive(try TraceServer.makeApplication(configuration: configuration, store: store), body)
    }

    private static func drive<App: ApplicationProtocol>(_ app: App, _ body: @Sendable (AppClient) async throws -> Void)
        async throws
    {
        let responder = try await app.responder
        let logger = app.logger
        try await body(
            AppClient { request in
                let context = App.Context(
                    source: ApplicationRequestContextSource(channel: NIOAsyncTestingChannel(), logger: logger))
                return try await responder.respond(to: request, context: context)
            })
    }

    /// One request to the application.
    func send(_ method: HTTPRequest.Method, _ path: String, body: [UInt8]? = nil, headers: [String: String] = [:]) async throws
        -> HTTPReply
    {
        var fields = HTTPFields()
        for (name, value) in headers { if let name = HTTPField.Name(name) { fields[name] = value } }
        if body != nil, fields[.contentType] == nil { fields[.contentType] = "application/json" }
        if let body { fields[.contentLength] = String(body.count) }
        let request = Request(
            head: HTTPRequest(method: method, scheme: "http", authority: "localhost", path: path, headerFields: fields),
            body: RequestBody(buffer: ByteBuffer(bytes: body ?? [])))
        let response: Response
        do { response = try await respond(request) } catch { response = Response(status: .internalServerError) }
        let collected = CollectedBody()
        try await response.body.write(collected)
        var replyHeaders: [String: String] = [:]
        for field in response.headers { replyHeaders[field.name.canonicalName] = field.value }
        return HTTPReply(status: response.status.code, headers: replyHeaders, body: collected.bytes.withLock { $0 })
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> HTTPReply {
        try await send(.get, path, headers: headers)
    }
}

/// A response body gathered in memory; a class because the body is written into a consumed writer.
private final class CollectedBody: ResponseBodyWriter, Sendable {
    let bytes = Mutex<[UInt8]>([])

    func write(_ buffer: ByteBuffer) async throws { bytes.withLock { $0 += buffer.readableBytesView } }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// A ledger made by the real CLI, the application over it in this process (set up as `trace
/// serve` sets it up: the operator key beside the ledger), and the cooperative's key to sign
/// events the way a client does. The few tests of the real binary keep `ServerFixture`.
///
/// On a store other than SQLite, the CLI's ledger is copied into that store through the seam
/// after the CLI has appended `eventsFirst` events, and the application serves the copy: the CLI
/// writes only to its file, so a test on another store makes its CLI changes that way.
struct AppFixture: Sendable {
    let h: CLIHarness
    let key: PrivateKey
    let app: AppClient
    /// The store the application serves.
    let store: any LedgerStore

    /// Runs `body` against a fresh ledger on `kind`, with the server's limits where given
    /// (`--write-rate`, `--write-burst`, `--max-body`).
    static func test(
        on kind: StoreKind = .sqlite, writesPerSecond: Double? = nil, writeBurst: Int? = nil, maxBodyBytes: Int? = nil,
        eventsFirst: Int = 0, _ body: @Sendable (AppFixture) async throws -> Void
    ) async throws {
        let h = try CLIHarness()
        if eventsFirst > 0 { try h.appendEvents(eventsFirst) }
        var configuration = ServerConfiguration(ledgerPath: h.ledger)
        configuration.operatorKeyPath = h.operatorKeyPath
        configuration.signedCheckpointPath = SignerState(besideKey: h.operatorKeyPath).path
        if let writesPerSecond { configuration.writesPerSecond = writesPerSecond }
        if let writeBurst { configuration.writeBurst = writeBurst }
        if let maxBodyBytes { configuration.maxBodyBytes = maxBodyBytes }
        let key = try PrivateKey(contentsOfFile: h.directory + "/htx-tan-lap.key")
        let file = try SQLiteLedgerStore.open(path: h.ledger)
        let store = kind == .sqlite ? file : try copy(file, to: kind, in: h.directory)
        return try await AppClient.test(configuration, store: store) { app async throws in
            try await body(AppFixture(h: h, key: key, app: app, store: store))
        }
    }

    /// The ledger in `source`, entry for entry, with its checkpoints and side records, in a new
    /// store of `kind`.
    private static func copy(_ source: any LedgerStore, to kind: StoreKind, in directory: String) throws -> any LedgerStore {
        let meta = try source.metadata()
        let folder = directory + "/\(kind)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let store = try kind.makeStore(origin: meta.origin, operatorKey: meta.operatorKey, in: folder)
        // The spaces of docs/FORMAT.md section 9: the rules index, personal data, certificates.
        let spaces =
            ["party", "plot", "lot", "entry", "recall", "rules", "meta"].map { SideSpace("domain.index." + $0) } + [
                SideSpace("domain.personal"), SideSpace("certificates.published"),
            ]
        try source.read { reader in
            try store.write { writer in
                let size = try reader.size()
                for row in try reader.entries(from: 0, limit: Int(size)) {
                    try writer.append(try Entry(bytes: row.bytes, expectedSeq: row.seq))
                }
                for checkpoint in try reader.checkpoints() { try writer.saveCheckpoint(checkpoint) }
                for space in spaces {
                    for record in try reader.sideRecords(space) {
                        try writer.putSideRecord(space, key: record.key, value: record.value)
                    }
                }
            }
        }
        return store
    }

    /// A harvest event of lot `lot`, signed by the cooperative, in the submission form.
    func harvest(_ lot: String, id: String? = nil, plot: String = "P-001", quantity: String = "1200") throws -> SignedEvent {
        try SignedEvent.sign(
            SupplyChain.event(
                "harvest", actor: "htx-tan-lap", id: id ?? "ev-\(lot.lowercased())",
                [
                    "lot": .string(lot), "product": "Lúa ST25", "quantity": .string(quantity), "unit": "kg",
                    "plot": .string(plot), "harvested": "2026-07-01",
                ]), with: key, keyName: "htx-tan-lap")
    }

    func send(_ method: HTTPRequest.Method, _ path: String, body: [UInt8]? = nil, headers: [String: String] = [:]) async throws
        -> HTTPReply
    {
        try await app.send(method, path, body: body, headers: headers)
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> HTTPReply {
        try await app.get(path, headers: headers)
    }

    func post(_ path: String, _ body: JSONValue) async throws -> HTTPReply {
        try await app.send(.post, path, body: try CanonicalJSON.encode(body))
    }

    func post(_ path: String, bytes: [UInt8]) async throws -> HTTPReply { try await app.send(.post, path, body: bytes) }

    /// The ledger's size, read from the store, not from the application.
    func ledgerSize() throws -> UInt64 { try Ledger(store: store).size() }

    /// True when a proof-v1 document proves its entry against a checkpoint the operator signed.
    func proves(_ proof: JSONValue) throws -> Bool { try ServerFixture.proves(proof, operatorVKey: h.operatorVKey) }
}
