import HTTPTypes
import Hummingbird

/// Bearer-token auth (`--auth-token-file`): every request but `/metrics` and the spec must carry
/// `Authorization: Bearer <token>`, else 401.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    static var openPaths: Set<String> { ["/metrics", "/api/v1/openapi.yaml"] }
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.openPaths.contains(request.uri.path) { return try await next(request, context) }
        let given = request.headers[.authorization] ?? ""
        guard given.hasPrefix("Bearer "), Self.constantTimeEqual(Array(given.utf8.dropFirst(7)), Array(self.token.utf8)) else {
            return ErrorResponse.make(
                .unauthorized, code: "unauthorized", message: "missing or wrong bearer token",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        return try await next(request, context)
    }

    /// Compares without an early exit, so timing does not reveal how much of a guess was right.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for (x, y) in zip(a, b) { diff |= x ^ y }
        return diff == 0
    }
}
