public import API
import Foundation
import NIOCore
import OpenAPIAsyncHTTPClient
public import OpenAPIRuntime

/// The typed client every caller of the master uses (`braid worker`, `braid ctl`, tests).
///
/// It wraps the generated `Client` with failover across `--master` addresses, leader redirects
/// (307), the bearer token, and maps every error body to `MasterClientError`, so callers see
/// either the documented success value or one typed error.
public struct MasterClient: Sendable {
    /// The generated client, for operations this wrapper does not cover yet.
    public let raw: Client
    let endpoints: MasterEndpoints

    /// - Parameters:
    ///   - masters: `host:port` or URLs; tried in order, the last one that answered first.
    ///   - token: sent as `Authorization: Bearer` when not `nil`.
    ///   - transport: `AsyncHTTPClientTransport` over the process-wide `MasterHTTPClient` by
    ///     default; tests inject faults through their own.
    ///   - requestTimeout: must exceed the longest watch long-poll.
    /// - Throws: `MasterClientError` with code `bad_request` when no address parses.
    public init(
        masters: [String],
        token: String? = nil,
        transport: (any ClientTransport)? = nil,
        requestTimeout: Duration = .seconds(90)
    ) throws(MasterClientError) {
        let urls = masters.compactMap(MasterEndpoints.parse)
        guard urls.count == masters.count, let first = urls.first else {
            throw MasterClientError(
                status: nil, code: "bad_request",
                message: "invalid master address list \(masters)", field: "master")
        }
        self.endpoints = MasterEndpoints(urls)
        var middlewares: [any ClientMiddleware] = []
        if let token, !token.isEmpty { middlewares.append(BearerTokenMiddleware(token: token)) }
        middlewares.append(FailoverMiddleware(endpoints: self.endpoints))
        self.raw = Client(
            serverURL: first,
            transport: transport ?? Self.defaultTransport(timeout: requestTimeout),
            middlewares: middlewares)
    }

    /// Splits `--master a,b` into addresses.
    public static func addresses(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The master that answered last (for logs).
    public var currentMaster: String { self.endpoints.rotation().first?.absoluteString ?? "" }

    private static func defaultTransport(timeout: Duration) -> AsyncHTTPClientTransport {
        AsyncHTTPClientTransport(configuration: .init(client: MasterHTTPClient.shared, timeout: TimeAmount(timeout)))
    }

    /// Runs one generated call and decodes its output, mapping every failure to `MasterClientError`.
    func call<Output: Sendable, Result>(
        _ operation: @Sendable (Client) async throws -> Output,
        decode: (Output) throws -> Result
    ) async throws(MasterClientError) -> Result {
        let output: Output
        do {
            output = try await operation(self.raw)
        } catch {
            throw Self.map(error)
        }
        do {
            return try decode(output)
        } catch let error as MasterClientError {
            throw error
        } catch {
            throw MasterClientError(
                status: nil, code: MasterClientError.unexpectedResponseCode, message: "\(error)")
        }
    }

    static func map(_ error: any Error) -> MasterClientError {
        if let error = error as? MasterClientError { return error }
        if FailoverMiddleware.isCancellation(error) {
            return MasterClientError(status: nil, code: MasterClientError.cancelledCode, message: "cancelled")
        }
        if let error = error as? ClientError {
            if let inner = error.underlyingError as? MasterClientError { return inner }
            let status = error.response.map { Int($0.status.code) }
            return MasterClientError(
                status: status,
                code: status == nil ? MasterClientError.unavailableCode : MasterClientError.unexpectedResponseCode,
                message: "\(error.operationID): \(FailoverMiddleware.summary(error.underlyingError))")
        }
        return MasterClientError(
            status: nil, code: MasterClientError.unavailableCode, message: FailoverMiddleware.summary(error))
    }
}
