import CanonicalJSON
import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import TraceCrypto
import TraceDomain
import TraceLedger

/// `POST /v1/events` and `POST /v1/events:batch`: signed events in, through the same
/// `SupplyChain.submit` as `trace submit`; the entry numbers and their inclusion proofs out.
/// The server never signs an event: keys stay with the parties.
struct WriteRoutes: Sendable {
    let host: LedgerHost
    let configuration: ServerConfiguration

    /// Adds the write routes to `router`: the write-limited group.
    func add(to router: some RouterMethods<ServerContext>) {
        router.post("/v1/events") { request, _ in try await write(request, batch: false) }
        router.post("/v1/events:batch") { request, _ in try await write(request, batch: true) }
    }

    private func write(_ request: Request, batch: Bool) async throws -> Response {
        try host.refuseOnReplica()
        try Self.requireJSON(request)
        let bytes = try await body(request)
        // Parsing, the rules, the append and the proofs block a thread for a batch's length: on
        // the writers' own queue, not the shared pool that answers the buyers' reads.
        return try await Self.onWriterQueue { try accept(bytes, request, batch: batch) }
    }

    /// Writes are JSON: a form or text body is refused (415) before it is read, never parsed as
    /// whatever it happens to contain.
    static func requireJSON(_ request: Request) throws {
        let type = request.headers[.contentType] ?? ""
        let media = type.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard media == "application/json" else {
            throw Problem(
                .unsupportedMediaType, "request.unsupported_media_type",
                "Content-Type: \"\(type.prefix(60))\" is not accepted; send the body as application/json")
        }
    }

    /// Writes run one at a time anyway (one SQLite writer), on a thread of their own at a lower
    /// priority than reads, their parallel work too (`BackgroundThreads`): a batch of thousands
    /// of events then takes the cores buyers' reads leave, not the cores from under them.
    private static func onWriterQueue(_ work: @escaping @Sendable () throws -> Response) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            BackgroundThreads.writer.async { continuation.resume(with: Result { try work() }) }
        }
    }

    private func accept(_ bytes: [UInt8], _ request: Request, batch: Bool) throws -> Response {
        let json = try CanonicalJSON.parse(bytes, maxDepth: configuration.maxJSONDepth)
        let events: [SignedEvent]
        if batch {
            guard let list = json["events"]?.arrayValue else {
                throw Problem(.badRequest, "request.bad_batch", "a batch is {\"events\": [signed events]}")
            }
            guard !list.isEmpty, list.count <= configuration.maxBatchEvents else {
                throw Problem(
                    .badRequest, "request.bad_batch",
                    "events: a batch holds 1 to \(configuration.maxBatchEvents) events, this one \(list.count)")
            }
            events = try list.enumerated().map { i, item in
                do { return try SignedEvent(json: item) } catch let error as LedgerError {
                    throw Problem(.badRequest, error.code.rawValue, "events[\(i)]: \(error.message)")
                }
            }
        } else {
            events = [try SignedEvent(json: json)]
        }
        let written = try host.submit(events)
        let fresh = written.results.filter { !$0.duplicate }.count
        let status: HTTPResponse.Status = fresh > 0 ? .created : .ok
        let checkpoint = written.checkpoint
        if !batch, let result = written.results.first {
            var o = Self.summary(result)
            o["inclusion"] =
                written.proofs.first.map {
                    $0.proof.json(
                        rootHash: checkpoint!.checkpoint.root, entryBytes: $0.bytes, checkpoint: checkpoint!.note, nodeReads: 0)
                } ?? .null
            return try Answer.json(.object(o), status: status, caching: .none, request: request)
        }
        let entries: [JSONValue] = written.results.enumerated().map { i, result in
            var o = Self.summary(result)
            if i < written.proofs.count {
                o["entryBytes"] = .string(Data(written.proofs[i].bytes).base64EncodedString())
                o["proof"] = .array(written.proofs[i].proof.hashes.map { .string($0.hex) })
            }
            return .object(o)
        }
        return try Answer.json(
            [
                "entries": .array(entries), "new": .number(Double(fresh)), "duplicates": .number(Double(entries.count - fresh)),
                "treeSize": checkpoint.map { .number(Double($0.checkpoint.size)) } ?? .null,
                "rootHash": checkpoint.map { .string($0.checkpoint.root.hex) } ?? .null,
                "checkpoint": checkpoint.map { .string($0.note) } ?? .null,
            ], status: status, caching: .none, request: request)
    }

    private static func summary(_ result: AppendResult) -> [String: JSONValue] {
        [
            "entry": .number(Double(result.entry.seq)), "eventId": .string(result.entry.signed.id),
            "duplicate": .bool(result.duplicate), "leafHash": .string(result.leafHash.hex),
        ]
    }

    /// The request body, within the size limit (it is parsed as strict JSON on the writers' queue:
    /// valid UTF-8, nested no deeper than the limit, no duplicate keys).
    func body(_ request: Request) async throws -> [UInt8] {
        let limit = configuration.maxBodyBytes
        let tooLarge = Problem(
            .contentTooLarge, "request.too_large", "the request body is larger than \(limit) bytes; send fewer events per batch")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch is NIOTooManyBytesError { throw tooLarge }
        let bytes = Array(buffer.readableBytesView)
        guard !bytes.isEmpty else { throw Problem(.badRequest, "request.empty", "the request has no body; send a JSON document") }
        return bytes
    }
}
