import Hummingbird

/// Times every request and records it under its route pattern (`/v1/lots/{code}`), never its raw
/// path: Hummingbird names the matched route once the router has run, and unknown paths are
/// all "NotFound". Outermost, so the status is the one the client gets.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response)
        async throws -> Response
    {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code, since: started)
            return response
        } catch {
            // ProblemMiddleware answers every error inside; one that escapes is the framework's own.
            record(request, context, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: started)
            throw error
        }
    }

    private func record(_ request: Request, _ context: ServerContext, status: Int, since started: ContinuousClock.Instant) {
        metrics.observe(
            route: context.endpointPath ?? "NotFound", method: request.method.rawValue, status: status,
            duration: ContinuousClock.now - started)
    }
}
