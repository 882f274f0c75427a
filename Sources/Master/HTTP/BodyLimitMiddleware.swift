import HTTPTypes
import Hummingbird

/// Refuses bodies over `maxBytes` with 413, by `Content-Length` when given and otherwise while
/// collecting a chunked body, so an oversize body never reaches a handler.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > self.maxBytes {
            return self.tooLarge()
        }
        var request = request
        do {
            _ = try await request.collectBody(upTo: self.maxBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return self.tooLarge()
        }
        return try await next(request, context)
    }

    private func tooLarge() -> Response {
        ErrorResponse.make(.contentTooLarge, code: "too_large", message: "request body exceeds \(self.maxBytes) bytes")
    }
}
