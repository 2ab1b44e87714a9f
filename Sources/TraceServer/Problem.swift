public import CanonicalJSON
import Foundation
public import HTTPTypes
import Hummingbird
import TraceCertificates
import TraceCrypto
import TraceDomain
import TraceLedger

/// A refusal as RFC 9457 problem details: an HTTP status, a stable code (the same codes the CLI
/// prints), and a message a clerk can act on. Internal failures are answered without their
/// details, which go to the log instead.
public struct Problem: Error, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let detail: String
    /// Extra members, such as every refusal of a batch.
    public var extensions: [String: JSONValue] = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ detail: String, extensions: [String: JSONValue] = [:]) {
        self.status = status
        self.code = code
        self.detail = detail
        self.extensions = extensions
    }

    /// The problem for an error a handler threw; nil for errors that are not ours (internal).
    public init?(_ error: any Error) {
        switch error {
        case let p as Problem: self = p
        case let e as DomainError:
            self.init(e.code == .unknownLot ? .notFound : .unprocessableContent, e.code.rawValue, e.message)
        case let e as LedgerError:
            switch e.code {
            case .badEvent: self.init(.badRequest, e.code.rawValue, e.message)
            case .badSignature, .refused, .entryTooLarge: self.init(.unprocessableContent, e.code.rawValue, e.message)
            case .eventIDConflict: self.init(.conflict, e.code.rawValue, e.message)
            case .outOfRange: self.init(.notFound, e.code.rawValue, e.message)
            case .storeFull:
                self.init(
                    .init(code: 507, reasonPhrase: "Insufficient Storage"), e.code.rawValue,
                    "the server's disk is full; nothing was written. Try again later")
            default: return nil
            }
        case let e as CanonicalJSONError:
            self.init(.badRequest, e.code.rawValue, e.description)
        case let e as CryptoError:
            self.init(.badRequest, e.code.rawValue, e.message)
        case let e as CertificateError:
            let status: HTTPResponse.Status =
                switch e.code {
                case .badRequestSignature: .unauthorized
                case .notExporter: .forbidden
                case .notCheckpointed, .recalled: .conflict
                case .malformed, .badInput: .badRequest
                default: .unprocessableContent
                }
            self.init(status, e.code.rawValue, e.message)
        default: return nil
        }
    }

    /// Anything unexpected: a generic answer with no path, stack or store message in it.
    static let internalError = Problem(
        .internalServerError, "server.internal",
        "the server could not answer this request; the operator has the details in its log")

    /// The problem+json document.
    public var json: JSONValue {
        var o = extensions
        o["type"] = .string("urn:trace:problem:\(code)")
        o["title"] = .string(status.reasonPhrase)
        o["status"] = .number(Double(status.code))
        o["detail"] = .string(detail)
        o["code"] = .string(code)
        return .object(o)
    }

    /// The HTTP response carrying this problem.
    func response(headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/problem+json"
        headers[.cacheControl] = "no-store"
        let bytes = (try? CanonicalJSON.encode(json)) ?? Array("{}".utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
