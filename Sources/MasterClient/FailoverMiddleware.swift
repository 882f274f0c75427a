import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Sends each request to the current master, moving on to the next on a connection error and
/// following a 307 leader redirect.
///
/// It runs as a middleware rather than around `Client` calls so that one place owns routing for
/// every operation, and the request body (small JSON) is buffered once so it can be replayed.
struct FailoverMiddleware: ClientMiddleware {
    let endpoints: MasterEndpoints
    /// A follower can redirect to a leader that has itself just lost leadership; bound the chase.
    var maxRedirects = 3
    /// Request bodies larger than this are not buffered for replay (the API caps bodies well below it).
    var maxBufferedBody = 16 << 20

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let bytes: [UInt8]? = if let body { try await [UInt8](collecting: body, upTo: self.maxBufferedBody) } else { nil }
        func freshBody() -> HTTPBody? { bytes.map { HTTPBody($0) } }

        var failures: [String] = []
        var redirects = 0
        var queue = self.endpoints.rotation()
        while !queue.isEmpty {
            let target = queue.removeFirst()
            let response: HTTPResponse
            let responseBody: HTTPBody?
            do {
                (response, responseBody) = try await next(request, freshBody(), target)
            } catch {
                if error is CancellationError || Task.isCancelled { throw error }
                // The runtime hands transport errors to middlewares wrapped; keep only the cause.
                let cause = (error as? ClientError)?.underlyingError ?? error
                failures.append("\(target.absoluteString): \(Self.summary(cause))")
                continue
            }
            if response.status.code == 307, redirects < self.maxRedirects,
                let location = response.headerFields[.location],
                let url = URL(string: location, relativeTo: target),
                let leader = MasterEndpoints.baseURL(of: url.absoluteURL)
            {
                redirects += 1
                self.endpoints.prefer(leader)
                queue.removeAll { $0 == leader }
                queue.insert(leader, at: 0)
                continue
            }
            self.endpoints.prefer(target)
            return (response, responseBody)
        }
        throw MasterClientError(
            status: nil,
            code: MasterClientError.unavailableCode,
            message: "no master answered: " + failures.joined(separator: "; ")
        )
    }
}

extension FailoverMiddleware {
    static func summary(_ error: any Error) -> String {
        if let error = error as? URLError { return "URLError \(error.code.rawValue)" }
        return "\(error)"
    }
}

/// Adds `Authorization: Bearer <token>` to every request when the operator configured a token.
struct BearerTokenMiddleware: ClientMiddleware {
    let token: String

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(self.token)"
        return try await next(request, body, baseURL)
    }
}
