import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
public import TraceLedger

/// `trace witness serve`: a C2SP tlog-witness over HTTP, `POST /add-checkpoint`, answering as the
/// spec says (200 with cosignature lines; 409 with `text/x.tlog.size`; 404, 403, 400, 422).
public enum WitnessServer {
    /// The largest request body: 63 proof lines and a checkpoint with a few signatures fit easily.
    static let maxBody = 64 * 1024

    /// Runs until a termination signal; `listening` gets the bound address.
    public static func run(
        _ witness: Witness, host: String, port: Int, listening: @escaping @Sendable (String) -> Void
    ) async throws {
        var logger = Logger(label: "trace.witness")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
        let router = Router(context: ServerContext.self)
        router.post("/add-checkpoint") { request, _ in
            let buffer = try await request.body.collect(upTo: maxBody)
            let body = String(buffer: buffer)
            let now = UInt64(max(0, Date().timeIntervalSince1970))
            return response(witness.addCheckpoint(body, now: now))
        }
        let app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(60))),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in listening("http://\(host):\(channel.localAddress?.port ?? port)") },
            logger: logger)
        try await app.runService()
    }

    static func response(_ answer: Witness.Answer) -> Response {
        func text(_ status: HTTPResponse.Status, _ body: String, type: String = "text/plain; charset=utf-8") -> Response {
            var headers = HTTPFields()
            headers[.contentType] = type
            headers[.cacheControl] = "no-store"
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        switch answer {
        case .cosigned(let lines): return text(.ok, lines)
        case .conflict(let size): return text(.conflict, "\(size)\n", type: "text/x.tlog.size")
        case .unknownLog(let why): return text(.notFound, why + "\n")
        case .forbidden(let why): return text(.forbidden, why + "\n")
        case .badRequest(let why): return text(.badRequest, why + "\n")
        case .badProof(let why): return text(.unprocessableContent, why + "\n")
        }
    }
}
