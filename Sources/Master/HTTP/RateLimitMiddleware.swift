import HTTPTypes
import Hummingbird

/// Answers 429 with `Retry-After` once the shared token bucket is empty. `/metrics` is exempt so
/// monitoring keeps working while the API is throttled.
struct RateLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let bucket: TokenBucket

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/metrics" { return try await next(request, context) }
        if let retryAfter = self.bucket.take() {
            return ErrorResponse.make(
                .tooManyRequests, code: "rate_limited", message: "rate limit exceeded, retry in \(retryAfter)s",
                headers: [.retryAfter: "\(retryAfter)"])
        }
        return try await next(request, context)
    }
}
