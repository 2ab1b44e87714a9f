import HTTPTypes
import Hummingbird

/// The write limit, on every write route and only there: each client address gets a burst of
/// writes, then a sustained rate; past it a write is refused (429, with Retry-After) before its
/// body is read. Reads are never limited.
struct WriteLimit: RouterMiddleware {
    typealias Context = ServerContext
    let limiter: WriteRateLimiter

    func handle(
        _ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response
    ) async throws -> Response {
        let client = context.remoteAddress?.ipAddress ?? "unknown"
        if let wait = limiter.take(client) {
            return Problem(
                .tooManyRequests, "request.rate_limited",
                "too many writes from \(client); wait \(wait) s and send again (resubmitting the same signed event is safe)"
            ).response(headers: [.retryAfter: String(wait)])
        }
        return try await next(request, context)
    }
}
