import HTTPTypes
import Hummingbird
import Logging

/// Turns every error into problem details: ours keep their code and message; a route that does
/// not exist is `request.not_found`; anything else is logged and answered without its details.
/// Each refusal is counted under its code for `/metrics`.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let problem = problem(for: error, request, context)
            metrics.refused(problem.code)
            return problem.response()
        }
    }

    private func problem(for error: any Error, _ request: Request, _ context: ServerContext) -> Problem {
        if let problem = Problem(error) { return problem }
        if let http = error as? any HTTPResponseError, http.status.code < 500 {
            let status = http.status
            return status == .notFound
                ? Problem(
                    .notFound, "request.not_found",
                    "there is nothing at \(request.method) \(request.uri.path.prefix(200)); the API is described in schemas/openapi.yaml"
                )
                : Problem(status, "request.refused", status.reasonPhrase)
        }
        context.logger.error("\(request.method) \(request.uri.path): \(String(describing: error))")
        return Problem.internalError
    }
}
