import API
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Sends each request to the current master, moving on to the next on a connection error or a
/// 503 (a member that knows no leader), and following a 307 leader redirect.
///
/// It runs as a middleware rather than around `Client` calls so that one place owns routing for
/// every operation, and the request body (small JSON) is buffered once so it can be replayed.
struct FailoverMiddleware: ClientMiddleware {
    let endpoints: MasterEndpoints
    /// A follower can redirect to a leader that has itself just lost leadership; bound the chase.
    var maxRedirects = 3
    /// Request bodies larger than this are not buffered for replay (the API caps bodies well below it).
    var maxBufferedBody = 16 << 20
    /// Passes over the addresses while members answer 503: an election takes about a lease, and
    /// callers (the worker's session loop, an operator at `braid ctl`) retry or give up on their own.
    var maxRounds = 3
    /// The longest pause between rounds, whatever `Retry-After` asks: a caller is waiting.
    var maxRoundPause: Duration = .seconds(1)
    /// The pause between rounds when a 503 names no `Retry-After`.
    var defaultRoundPause: Duration = .milliseconds(250)
    /// How long one member may take to answer before the next is tried: a paused (SIGSTOP) or
    /// black-holed master accepts connections but never answers, and must not hang every call
    /// (tiflow#12168). A long-poll (`watch`) is bounded by the request timeout instead, and the
    /// operations that check databases get longer.
    var attemptTimeout: Duration = .seconds(5)
    static let slowOperations: [String: Duration] = ["startTask": .seconds(60), "checkTask": .seconds(60)]
    static let unboundedOperations: Set<String> = ["watch"]

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
        // Members that did not answer during this call: a follower that still redirects to one of
        // them names a leader that has just died (it leads until its lease expires), so the cluster
        // is electing and another round, after a pause, can reach the new leader.
        var silent: Set<URL> = []
        var redirectedTo: Set<URL> = []
        var round = 0
        while true {
            round += 1
            redirects = 0
            // Only the last round's failures are reported.
            failures = []
            // Set when a member answered 503: the cluster is up but leaderless, so another round may succeed.
            var pause: Duration?
            var queue = self.endpoints.rotation()
            while !queue.isEmpty {
                let target = queue.removeFirst()
                let response: HTTPResponse
                let responseBody: HTTPBody?
                do {
                    if Self.unboundedOperations.contains(operationID) {
                        (response, responseBody) = try await next(request, freshBody(), target)
                    } else {
                        let limit = Self.slowOperations[operationID] ?? self.attemptTimeout
                        let attemptBody = freshBody()
                        // The task group ends before `within` returns, so `next` never outlives this call.
                        (response, responseBody) = try await withoutActuallyEscaping(next) { next in
                            try await Self.within(limit) { try await next(request, attemptBody, target) }
                        }
                    }
                } catch is AttemptTimeout {
                    failures.append("\(target.absoluteString): no answer within \(Self.slowOperations[operationID] ?? self.attemptTimeout)")
                    silent.insert(target)
                    continue
                } catch {
                    if Self.isCancellation(error) { throw error }
                    failures.append("\(target.absoluteString): \(Self.summary(error))")
                    silent.insert(target)
                    // A leader a follower named is gone: an election is under way, so try another round.
                    if redirectedTo.contains(target) { pause = max(pause ?? .zero, self.defaultRoundPause * 2) }
                    continue
                }
                if response.status.code == 503 {
                    let reason = await Self.errorMessage(responseBody) ?? "no leader"
                    failures.append("\(target.absoluteString): HTTP 503 \(reason)")
                    pause = max(pause ?? .zero, self.roundPause(retryAfter: response.headerFields[.retryAfter]))
                    continue
                }
                if response.status.code == 307, redirects < self.maxRedirects,
                    let location = response.headerFields[.location],
                    let url = URL(string: location, relativeTo: target),
                    let leader = MasterEndpoints.baseURL(of: url.absoluteURL)
                {
                    await Self.drain(responseBody)
                    if silent.contains(leader) {
                        failures.append("\(target.absoluteString): redirected to \(leader.absoluteString), which did not answer (a leader change under way?)")
                        pause = max(pause ?? .zero, self.defaultRoundPause * 2)
                        continue
                    }
                    redirects += 1
                    redirectedTo.insert(leader)
                    self.endpoints.prefer(leader)
                    queue.removeAll { $0 == leader }
                    queue.insert(leader, at: 0)
                    continue
                }
                if response.status.code == 307 {
                    // Members naming each other: leadership is changing hands. A 307 is never an answer.
                    await Self.drain(responseBody)
                    failures.append("\(target.absoluteString): still redirecting after \(redirects) redirects (leadership changing hands?)")
                    pause = max(pause ?? .zero, self.defaultRoundPause * 2)
                    continue
                }
                self.endpoints.prefer(target)
                return (response, responseBody)
            }
            // Only a 503 says the cluster is up and electing; when no member answered at all, a retry
            // now would fail the same way, and callers have their own backoff.
            guard let pause, round < self.maxRounds else { break }
            try await Task.sleep(for: pause)
        }
        let rounds = round > 1 ? " in \(round) rounds" : ""
        throw MasterClientError(
            status: nil,
            code: MasterClientError.unavailableCode,
            message: "no master answered\(rounds): " + failures.joined(separator: "; ")
        )
    }

    /// `Retry-After` in seconds (the HTTP-date form is not used by masters), capped.
    func roundPause(retryAfter: String?) -> Duration {
        guard let retryAfter, let seconds = Int(retryAfter.trimmingCharacters(in: .whitespaces)), seconds >= 0 else {
            return self.defaultRoundPause
        }
        return min(.seconds(seconds), self.maxRoundPause)
    }

    /// Reads a small answer we will not return, so the pooled connection can carry the next request.
    static func drain(_ body: HTTPBody?) async {
        guard let body else { return }
        _ = try? await [UInt8](collecting: body, upTo: 64 << 10)
    }

    /// The `message` of a master error body, for the failure list.
    static func errorMessage(_ body: HTTPBody?) async -> String? {
        guard let body, let bytes = try? await [UInt8](collecting: body, upTo: 64 << 10) else { return nil }
        return (try? JSONDecoder().decode(Components.Schemas._Error.self, from: Data(bytes)))?.message
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

/// One member did not answer within `FailoverMiddleware.attemptTimeout`.
struct AttemptTimeout: Error {}

extension FailoverMiddleware {
    /// Runs `body`, cancelling it and throwing `AttemptTimeout` when it takes longer than `limit`.
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw AttemptTimeout() }
            return value
        }
    }
}
