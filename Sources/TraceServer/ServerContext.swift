public import Hummingbird
public import NIOCore

/// The request context of `trace serve`: Hummingbird's, plus the client's address for the
/// per-client write limit.
public struct ServerContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connected client, for the write rate limit.
    public let remoteAddress: SocketAddress?
    /// Bodies are collected against the server's own limit, so the framework's is lifted.
    public var maxUploadSize: Int { .max }

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
