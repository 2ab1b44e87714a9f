import CanonicalJSON
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Answers a request the HTTP parser cannot read (a bad or doubled Content-Length, headers past
/// their limits, an unknown method, HTTP/0.9) as problem+json like every other refusal, then
/// closes the connection. Hummingbird would answer these with a bare 400 and no body.
///
/// It only speaks between answers: a parser error in the middle of an answer (a pipelined
/// request behind it) is passed on, and Hummingbird closes the connection as before.
final class MalformedRequests: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Between a request's head and the end of its answer.
    private var answering = false
    private var refused = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { answering = true }
        guard !refused else { return }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { answering = false }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !answering, !refused, let problem = Self.problem(for: error) else {
            context.fireErrorCaught(error)
            return
        }
        refused = true
        let body = (try? CanonicalJSON.encode(problem.json)) ?? Array("{}".utf8)
        var head = HTTPResponse(status: problem.status)
        head.headerFields[.contentType] = "application/problem+json"
        head.headerFields[.contentLength] = String(body.count)
        head.headerFields[.cacheControl] = "no-store"
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }

    /// The refusal for an error the parser or the HTTP/1 conversion raised; nil for anything
    /// else (a reset connection, say), which is passed on.
    static func problem(for error: any Error) -> Problem? {
        switch error {
        case HTTPParserError.headerOverflow:
            return Problem(
                .init(code: 431, reasonPhrase: "Request Header Fields Too Large"), "request.headers_too_large",
                "the request line or headers are too large; send a shorter URL and fewer or shorter headers")
        case let error as HTTPParserError:
            return Problem(
                .badRequest, "request.malformed",
                "the request is not well-formed HTTP/1.1 (\(error)); nothing was read and the connection is closed")
        case is HTTP1TypeConversionError:
            return Problem(
                .badRequest, "request.malformed",
                "the request's method or target cannot be read; nothing was read and the connection is closed")
        default:
            return nil
        }
    }
}
