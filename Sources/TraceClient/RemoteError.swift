/// Why a request to a `trace serve` failed: a stable code, the server's own code for a
/// refusal, and a sentence a clerk can act on.
public struct RemoteError: Error, Sendable, CustomStringConvertible {
    /// The kinds of failure a caller may act on differently.
    public enum Code: String, Sendable {
        /// The URL given is not an http(s) URL.
        case badURL = "client.bad_url"
        /// No answer after every attempt (network down, server stopped, or it kept answering 5xx or 429).
        case unreachable = "client.unreachable"
        /// The server answered with a problem (a refusal); `serverCode` holds its code.
        case refused = "client.refused"
        /// The answer is not what the API documents.
        case unreadable = "client.unreadable"
        /// The answer contradicts itself or what the client signed: the server, or the path to it, lies.
        case tampered = "client.tampered"
    }

    public let code: Code
    /// The server's problem code (`domain.unknown_plot`, ...) when `code` is `.refused`.
    public let serverCode: String?
    public let message: String

    /// An error of kind `code` saying `message`.
    public init(_ code: Code, _ message: String, serverCode: String? = nil) {
        self.code = code
        self.message = message
        self.serverCode = serverCode
    }

    public var description: String { "\(message) [\(serverCode ?? code.rawValue)]" }
}
