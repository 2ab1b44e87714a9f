import CanonicalJSON
import Foundation
import HTTPTypes
import Hummingbird
import TraceCrypto

/// Successful answers: a body, its type, and how long a cache may keep it.
enum Answer {
    /// How a cache may keep an answer.
    enum Caching {
        /// It can never change (an entry, a proof against a fixed tree size).
        case immutable
        /// It may change with the next entry: revalidate with the ETag each time.
        case revalidate
        /// Never stored (write answers).
        case none
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, caching: Caching, request: Request) throws -> Response
    {
        bytes(try CanonicalJSON.encode(value), type: "application/json", status: status, caching: caching, request: request)
    }

    /// The ETag of `bytes`: the first 128 bits of their SHA-256, quoted.
    static func tag(_ bytes: [UInt8]) -> String { "\"" + SHA256.hash(bytes).hex.prefix(32) + "\"" }

    /// `bytes` with an ETag; a 304 when the client already holds this exact answer.
    static func bytes(
        _ bytes: [UInt8], type: String, status: HTTPResponse.Status = .ok, caching: Caching, request: Request,
        headers extra: HTTPFields = [:], tag known: String? = nil
    ) -> Response {
        var headers = extra
        headers[.contentType] = type
        switch caching {
        case .immutable: headers[.cacheControl] = "public, max-age=31536000, immutable"
        case .revalidate: headers[.cacheControl] = "no-cache"
        case .none: headers[.cacheControl] = "no-store"
        }
        guard caching != .none else {
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let tag = known ?? Self.tag(bytes)
        headers[.eTag] = tag
        if let wanted = request.headers[.ifNoneMatch],
            wanted == "*" || wanted.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == tag })
        {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
