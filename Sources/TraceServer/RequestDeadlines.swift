import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request does not finish its headers, or its body, within set
/// limits. Hummingbird's idle timeout only fires when nothing at all arrives, so a client that
/// trickles one byte every few seconds (slowloris) would otherwise hold a connection for ever.
///
/// The header clock starts when the connection opens and again when a response ends (the next
/// request's headers on a kept-alive connection); the body clock starts at the request's head.
final class RequestDeadlines: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let headerLimit: TimeAmount
    private let bodyLimit: TimeAmount
    private var timer: Scheduled<Void>?
    /// Between a request's head and the end of its response.
    private var answering = false
    /// Between a request's head and the end of its body.
    private var reading = false

    init(headerLimit: TimeAmount, bodyLimit: TimeAmount) {
        self.headerLimit = headerLimit
        self.bodyLimit = bodyLimit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, headerLimit) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if timer == nil { arm(context, headerLimit) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            answering = true
            reading = true
            arm(context, bodyLimit)
        case .body: break
        case .end:
            reading = false
            // The body is in: the answer takes what it takes. An answer already sent (a refusal
            // before the body was read) starts the clock for the next request's headers.
            if answering { disarm() } else { arm(context, headerLimit) }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            answering = false
            if !reading { arm(context, headerLimit) }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext, _ limit: TimeAmount) {
        timer?.cancel()
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: limit) { bound.value.close(promise: nil) }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
