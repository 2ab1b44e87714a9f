import HTTPTypes
import Hummingbird

/// A method that a documented path does not take is answered 405 with `Allow` (RFC 9110
/// 15.5.6), as problem+json, rather than 404: the path exists, the method is wrong.
enum MethodNotAllowed {
    /// Every path of schemas/openapi.yaml, in the router's syntax, with the methods it takes
    /// (`OpenAPITests` checks the two agree).
    static let paths: [(path: String, methods: [HTTPRequest.Method])] = [
        ("/v1/events", [.post]), ("/v1/events:batch", [.post]), ("/v1/checkpoint", [.get]),
        ("/v1/proofs/inclusion", [.get]), ("/v1/proofs/consistency", [.get]), ("/v1/entries", [.get]),
        ("/v1/lots/:code", [.get]), ("/v1/lots/:code/lineage", [.get]), ("/v1/lots/:code/story", [.get]),
        ("/v1/lots/:code/certificate", [.get, .put]), ("/v1/signers/:publicKey", [.get]), ("/v1/parties/:id", [.get]),
        ("/v1/stats", [.get]), ("/stats", [.get]), ("/lot/:code", [.get]), ("/", [.get]), ("/lot", [.get]),
        ("/01/:gtin/10/:lot", [.get]), ("/checkpoint", [.get]), ("/tile/**", [.get]),
        ("/epcis/events", [.get, .post]), ("/epcis/events/:eventID", [.get]), ("/epcis/eventTypes", [.get]),
        ("/epcis/eventTypes/:eventType/events", [.get]), ("/epcis/capture", [.post]), ("/healthz", [.get]),
        ("/readyz", [.get]), ("/metrics", [.get]),
    ]

    /// The methods answered 405 where a path does not take them (OPTIONS and HEAD are left to
    /// HTTP's own rules; QUERY is the draft safe method with a body).
    static let methods: [HTTPRequest.Method] = [
        .get, .post, .put, .delete, .patch, .trace, HTTPRequest.Method("QUERY")!,
    ]

    static func add(to router: Router<ServerContext>) {
        for (path, allowed) in paths {
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            for method in methods where !allowed.contains(method) {
                router.on(RouterPath(stringLiteral: path), method: method) { request, _ in
                    Problem(
                        .methodNotAllowed, "request.method_not_allowed",
                        "\(request.method) is not answered at \(request.uri.path.prefix(200)); use \(allow) (schemas/openapi.yaml)"
                    ).response(headers: [.allow: allow])
                }
            }
        }
    }
}
