import HTTPTypes
import Hummingbird
import Logging

/// Turns every error into problem details: ours keep their code and message; a route that does
/// not exist is `request.not_found`; anything else is logged and answered without its details.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = ServerContext

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            if let problem = Problem(error) { return problem.response() }
            if let http = error as? any HTTPResponseError, http.status.code < 500 {
                let status = http.status
                let problem =
                    status == .notFound
                    ? Problem(
                        .notFound, "request.not_found",
                        "there is nothing at \(request.method) \(request.uri.path.prefix(200)); the API is described in schemas/openapi.yaml"
                    )
                    : Problem(status, "request.refused", status.reasonPhrase)
                return problem.response()
            }
            context.logger.error("\(request.method) \(request.uri.path): \(String(describing: error))")
            return Problem.internalError.response()
        }
    }
}
